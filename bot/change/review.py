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


def proposal_change(
    p: Proposal,
    config: rules.Config | None,
    *,
    text: str | None = None,
    env: rules.Environment | None = None,
    accept_keys: Iterable[str] | None = None,
    accept_signatures: Iterable[str] | None = None,
    policy: PagePolicy | None = None,
) -> Change:
    """The proposal's fixes computed again: on its base text (or ``text``, a newer revision
    of the page), in its stored environment (or ``env``), every fix or only
    ``accept_keys`` / ``accept_signatures``. Stored titles are never fetched again."""
    return compute_change(
        p.original if text is None else text,
        section=p.section,
        config=config,
        env=env if env is not None else p.environment(),
        unsafe=p.unsafe,
        accept_keys=accept_keys,
        accept_signatures=accept_signatures,
        policy=policy,
    )


def reapply(
    p: Proposal, text: str, config: rules.Config | None, policy: PagePolicy | None = None
) -> Change:
    """The reviewed fixes (by signature) on ``text``, a newer revision of the page."""
    signatures = [f.signature for f in p.findings]
    return proposal_change(p, config, text=text, accept_signatures=signatures, policy=policy)


def reviewed_edits(p: Proposal, config: rules.Config | None) -> list[Edit]:
    """The proposal's edits on its original (recomputed for a proposal stored without)."""
    if p.edits is not None:
        return p.edits
    return list(proposal_change(p, config, accept_keys=p.accepted).edits)


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


def recompute(
    p: Proposal,
    accepted_keys: list[str],
    config: rules.Config | None,
    env: rules.Environment | None = None,
) -> Proposal:
    """The proposal with only ``accepted_keys`` applied (on the same base text), in the
    proposal's stored environment unless ``env`` is given."""
    p.take(proposal_change(p, config, env=env, accept_keys=accepted_keys))
    return p


REVIEW_KEYS = {
    "a": "accept the proposal (submit saves it)",
    "r": "reject the proposal",
    "s": "skip it for now (the default)",
    "f": "go through the findings one by one, keeping only those you want",
    "e": "edit the proposed text of a finding's paragraph in $EDITOR; it is linted again",
    "o": "open the page (at the proposal's base revision) in the browser",
    "q": "quit; undecided proposals stay pending",
    "?": "show these keys",
}


def review_keys_help() -> str:
    return "\n".join(f"  {key}  {what}" for key, what in REVIEW_KEYS.items())


def review_interactive(
    store: Store,
    config: rules.Config | None,
    color: bool,
    echo: Callable[[str], None] = click.echo,
    ids: Iterable[int] | None = None,
    page_url: Callable[[Proposal], str] | None = None,
) -> Counter[str]:
    """Walk pending proposals (only ``ids`` when given): [a]ccept [r]eject [s]kip
    [f]indings [e]dit [o]pen [q]uit [?].

    ``page_url`` gives the address ``o`` opens (the CLI opens the proposal's wiki for it)."""
    done: Counter[str] = Counter()
    for p in _pending(store, ids):
        show = True
        while True:
            if show:
                echo(render(p, color))
            show = True
            choice = click.prompt(
                "accept / reject / skip / per-finding / edit / open / quit / ? for help",
                default="s",
                type=click.Choice(list(REVIEW_KEYS)),
                show_choices=True,
            )
            if choice == "?":
                echo(review_keys_help())
                show = False
                continue
            if choice == "o":
                _open_in_browser(p, page_url, echo)
                show = False
                continue
            if choice == "e":
                show = _edit_paragraph(store, p, config, color, echo)
                continue
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


def _open_in_browser(
    p: Proposal, page_url: Callable[[Proposal], str] | None, echo: Callable[[str], None]
) -> None:
    import webbrowser

    if page_url is None:
        echo("no address for this page: the review has no wiki to ask")
        return
    try:
        url = page_url(p)
    except Exception as exc:  # the wiki is down or gone: say so, keep reviewing
        echo(f"cannot find the address of [[{p.page}]]: {exc}")
        return
    echo(f"opening {url}")
    if not webbrowser.open(url):
        echo("no browser could be started; open the address above yourself")


def _edit_paragraph(
    store: Store, p: Proposal, config: rules.Config | None, color: bool, echo: Callable[[str], None]
) -> bool:
    """The ``e`` key: returns whether the proposal is to be shown again."""
    from wikilint.bot.change import handedit

    lines = [f.line for f in p.findings if f.line is not None]
    if p.edits is None or not lines:
        echo("this proposal has no finding with a line to edit; propose the page again")
        return False
    number = 1
    if len(p.findings) > 1:
        number = click.prompt(
            "edit the paragraph of finding", default=1, type=click.IntRange(1, len(p.findings))
        )
    line = p.findings[number - 1].line or lines[0]
    para = handedit.paragraph_at(p, line)
    proposed = p.proposed[para.proposed_start : para.proposed_end]
    try:
        edited = click.edit(proposed, extension=".wiki", require_save=True)
    except click.ClickException as exc:  # no editor, or it failed: keep reviewing
        echo(f"cannot edit: {exc.format_message()}; set $EDITOR")
        return False
    if edited is None or edited.rstrip("\n") == proposed.rstrip("\n"):
        echo("paragraph unchanged; the proposal stays as it was")
        return False
    if not proposed.endswith("\n"):  # editors add a final newline the page did not have
        edited = edited.rstrip("\n")
    result = handedit.recheck(p, para, edited, config)
    if not result.kept:
        echo(
            f"your paragraph has {len(result.after)} finding(s), the proposed one "
            f"{len(result.before)}; the proposal stays as it was:"
        )
        for f in result.after:
            echo(f"  {f.rule}: {f.message}")
        return False
    store.update(p)
    echo(
        f"your paragraph is the proposal's change now ({len(result.after)} finding(s) left in it):"
    )
    return True


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
