"""Reviewing proposals in the terminal, and re-applying reviewed fixes to a newer revision.

A proposal is "the fixes on this revision, minus the findings a person rejected"
(:mod:`bot.change.core` computes it). The reviewer sees its edits word by word
(:func:`diff.change_diff`); submit re-applies the reviewed fixes by signature to the current
revision (:func:`reapply`) and saves only when the re-applied change makes exactly the
reviewed edits (:func:`same_as_reviewed`, comparing the two edit lists).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

import click
from wikilint import rules
from wikilint.bot.change.core import Change, compute_change
from wikilint.bot.change.diff import change_diff, same_edits, word_diff
from wikilint.bot.change.policy import PagePolicy
from wikilint.bot.change.store import Proposal, Store
from wikilint.rules.model import Edit


def reapply(p: Proposal, text: str, config: rules.Config | None,
            policy: PagePolicy | None = None) -> Change:
    """The reviewed fixes (by signature) on ``text``, a newer revision of the page, in the
    proposal's stored environment (fetched titles are never fetched again)."""
    return compute_change(text, section=p.section, config=config, env=p.environment(),
                          unsafe=p.unsafe, accept_signatures=[f.signature for f in p.findings],
                          policy=policy)


def reviewed_edits(p: Proposal, config: rules.Config | None) -> list[Edit]:
    """The proposal's edits on its original (recomputed for a proposal stored without)."""
    if p.edits is not None:
        return p.edits
    return list(compute_change(p.original, section=p.section, config=config,
                               env=p.environment(), unsafe=p.unsafe,
                               accept_keys=p.accepted).edits)


def same_as_reviewed(p: Proposal, change: Change, config: rules.Config | None) -> bool:
    """Does ``change`` (:func:`reapply` on a newer revision) make exactly the reviewed edits?"""
    return same_edits(p.original, reviewed_edits(p, config), change.original, change.edits)


def render(p: Proposal, color: bool) -> str:
    head = f"#{p.id} [[{p.page}]]" + (f" § {p.section}" if p.section else "")
    head += f"  (base rev {p.base_revid})\n  summary: {p.summary}\n"
    if p.edits is not None:
        body = change_diff(p.original, p.edits, color)
    else:  # stored by a wikilint that kept no edits
        body = word_diff(p.original, p.proposed, color)
    notes = "\n".join(f"  [{i}] {f.describe()}" for i, f in enumerate(p.findings, 1))
    return f"{head}{body}\n{notes}\n"


def recompute(p: Proposal, accepted_keys: list[str], config: rules.Config | None,
              env: rules.Environment | None = None) -> Proposal:
    """The proposal with only ``accepted_keys`` applied (on the same base text), in the
    proposal's stored environment unless ``env`` is given."""
    change = compute_change(p.original, section=p.section, config=config,
                            env=env if env is not None else p.environment(), unsafe=p.unsafe,
                            accept_keys=accepted_keys)
    p.take(change)
    return p


def review_interactive(store: Store, config: rules.Config | None, color: bool,
                       echo: Callable[[str], None] = click.echo,
                       ids: Iterable[int] | None = None) -> Counter[str]:
    """Walk pending proposals (only ``ids`` when given): [a]ccept [r]eject [s]kip
    [f]indings [q]uit."""
    done: Counter[str] = Counter()
    for p in _pending(store, ids):
        while True:
            echo(render(p, color))
            choice = click.prompt(
                "accept / reject / skip / per-finding / quit", default="s",
                type=click.Choice(["a", "r", "s", "f", "q"]), show_choices=True,
            )
            if choice == "q":
                return done
            if choice == "s":
                done["skipped"] += 1
                break
            if choice == "a":
                store.set_status(p.id or 0, "accepted")
                done["accepted"] += 1
                break
            if choice == "r":
                store.set_status(p.id or 0, "rejected", "rejected in review")
                done["rejected"] += 1
                break
            keep = _choose_findings(p, echo)
            if not keep:
                store.set_status(p.id or 0, "rejected", "every finding rejected in review")
                done["rejected"] += 1
                break
            if keep != p.accepted:
                p = recompute(p, keep, config)
                store.update(p)
                echo("recomputed with the accepted findings only:")
    return done


def _choose_findings(p: Proposal, echo: Callable[[str], None]) -> list[str]:
    keep = []
    for i, f in enumerate(p.findings, 1):
        echo(f"  [{i}] {f.describe()}")
        if click.confirm("  apply this fix?", default=True):
            keep.append(f.key)
    return keep


def review_batch(store: Store, decision: str, ids: Iterable[int] | None = None) -> int:
    """``--accept-all`` / ``--reject``: decide every pending proposal (or the given ones)."""
    n = 0
    for p in _pending(store, ids):
        if decision == "accept":
            store.set_status(p.id or 0, "accepted")
        else:
            store.set_status(p.id or 0, "rejected", "rejected in review")
        n += 1
    return n


def _pending(store: Store, ids: Iterable[int] | None) -> list[Proposal]:
    """The pending proposals, or those of ``ids`` that are pending (in the order given)."""
    pending = {p.id: p for p in store.list("pending")}
    if not ids:
        return list(pending.values())
    return [pending[pid] for pid in dict.fromkeys(ids) if pid in pending]
