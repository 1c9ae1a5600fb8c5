"""What the scheduled bot does with one revision: :func:`decide`, with no wiki and no journal.

:func:`decide` reads the revision, the configuration and a :class:`PageEnv` (the account's rights,
the page policy, and how to compute the page's changes) and returns a :class:`Decision`: skip
(with the reason), leave unchanged, propose for review, or save; the loop acts on it. The
changes are computed by :func:`page_changes` and :func:`rebased`, which run in the lint worker
(``bot.change.timelimit.LintWorker``, killed when a page takes longer than ``[limits]
page_lint_timeout``): they take and return picklable values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from wikilint import rules
from wikilint.bot.change.core import Change, SummaryStyle, compute_change
from wikilint.bot.change.isolated import asked_titles, slim
from wikilint.bot.change.policy import PagePolicy
from wikilint.bot.change.timelimit import PageTimeout
from wikilint.bot.runner import safety
from wikilint.bot.runner.config import BotConfig
from wikilint.bot.wiki.api import Revision, same_saved_text


@dataclass(frozen=True)
class PageChanges:
    """One revision's safe change (its ``skip_reason`` when the policy refuses the page), its
    findings by rule, and the change to propose for review (None: nothing to propose)."""

    safe: Change
    findings: dict[str, int] = field(default_factory=dict)
    to_propose: Change | None = None


def page_changes(
    text: str,
    title: str,
    lint: rules.Config,
    policy: PagePolicy,
    summary: SummaryStyle,
    unsafe: bool,
    propose: bool,
) -> PageChanges:
    """The safe change; with ``unsafe`` also the change with the unsafe fixes (the titles
    they need asked from the caller), else with ``propose`` the safe change to propose."""
    env = rules.Environment(page_title=title)
    safe = compute_change(text, config=lint, env=env, policy=policy, summary=summary)
    if safe.skip_reason or safe.lint is None:
        return PageChanges(slim(safe))
    counts = dict(Counter(f.rule for f in safe.lint.findings))
    to_propose = None
    if unsafe:
        to_propose = slim(
            compute_change(
                text,
                config=lint,
                env=env,
                unsafe=True,
                summary=summary,
                titles=asked_titles,
                first=safe.lint,
                parsed=safe.parses,
            )
        )
    safe = slim(safe)
    return PageChanges(safe, counts, to_propose or (safe if propose else None))


def rebased(
    text: str, title: str, lint: rules.Config, policy: PagePolicy, summary: SummaryStyle
) -> Change:
    """The safe change on a newer revision (edit conflict); its ``skip_reason`` says when the
    page may no longer be edited (someone tagged it ``{{nobots}}``/``{{in use}}`` meanwhile)."""
    return slim(
        compute_change(
            text,
            config=lint,
            env=rules.Environment(page_title=title),
            policy=policy,
            summary=summary,
        )
    )


# -- the decision ---------------------------------------------------------------------------

# compute(revision, unsafe, propose): the page's changes (``page_changes``, in the worker).
Compute = Callable[[Revision, bool, bool], PageChanges]


@dataclass(frozen=True)
class PageEnv:
    """What :func:`decide` needs besides the revision and the configuration."""

    rights: frozenset[str]  # the account's, after login
    compute: Compute


@dataclass(frozen=True)
class Decision:
    """What to do with one revision. ``propose`` may come with any action but "skip"."""

    action: Literal["skip", "unchanged", "propose", "save"]
    reason: str | None = None  # why it is skipped
    findings: dict[str, int] = field(default_factory=dict)  # rule → count
    save: Change | None = None  # the safe change to save ("save")
    propose: Change | None = None  # the change to queue for review
    protection: str | None = None  # a skip that holds only at this protection


def decide(rev: Revision, config: BotConfig, env: PageEnv) -> Decision:
    """Skip, leave, propose or save: from the revision's text, its protection and the config.

    The render check ("cosmetic only: renders the same") needs the wiki: the loop makes it
    before a save; the whitespace check is made here."""
    blocked = safety.protection_blocks(rev.protection, env.rights)
    if blocked:
        return Decision(
            "skip",
            f"the page is protected (edit: {', '.join(blocked)})",
            protection=safety.protection_key(rev.protection),
        )
    unsafe = config.fixes.unsafe == "propose"
    propose_mode = config.mode == "propose"
    try:
        changes = env.compute(rev, unsafe, unsafe or propose_mode)
    except PageTimeout as exc:
        return Decision("skip", str(exc))  # the same revision under the same limit would again
    safe = changes.safe
    if safe.skip_reason:
        return Decision("skip", safe.skip_reason)
    proposal = changes.to_propose
    if (
        proposal is not None
        and not propose_mode
        and same_saved_text(proposal.proposed, safe.proposed)
    ):
        proposal = None  # the bot saves the same change itself
    if propose_mode or same_saved_text(safe.proposed, rev.text):
        return Decision(
            "propose" if proposal else "unchanged", findings=changes.findings, propose=proposal
        )
    if safety.whitespace_only(rev.text, safe.proposed):
        return Decision("skip", "cosmetic only: whitespace", changes.findings, propose=proposal)
    return Decision("save", findings=changes.findings, save=safe, propose=proposal)
