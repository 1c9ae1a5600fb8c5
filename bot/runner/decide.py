"""What the scheduled bot computes from one revision's text: pure functions, no wiki, no journal.

They run in the lint worker (``bot.change.timelimit.LintWorker``), which is killed when a page
takes longer than ``[limits] page_lint_timeout``: so they take and return picklable values.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from wikilint import rules
from wikilint.bot.change.core import Change, SummaryStyle, compute_change
from wikilint.bot.change.isolated import asked_titles, slim
from wikilint.bot.change.policy import PagePolicy


@dataclass(frozen=True)
class PageChanges:
    """One revision's safe change (its ``skip_reason`` when the policy refuses the page), its
    findings by rule, and the change to propose for review (None: nothing to propose)."""

    safe: Change
    findings: dict[str, int] = field(default_factory=dict)
    to_propose: Change | None = None


def page_changes(text: str, title: str, lint: rules.Config, policy: PagePolicy,
                 summary: SummaryStyle, unsafe: bool, propose: bool) -> PageChanges:
    """The safe change; with ``unsafe`` also the change with the unsafe fixes (the titles
    they need asked from the caller), else with ``propose`` the safe change to propose."""
    env = rules.Environment(page_title=title)
    safe = compute_change(text, config=lint, env=env, policy=policy, summary=summary)
    if safe.skip_reason or safe.lint is None:
        return PageChanges(slim(safe))
    counts = dict(Counter(f.rule for f in safe.lint.findings))
    to_propose = None
    if unsafe:
        to_propose = slim(compute_change(text, config=lint, env=env, unsafe=True,
                                         summary=summary, titles=asked_titles,
                                         first=safe.lint, parsed=safe.parses))
    safe = slim(safe)
    return PageChanges(safe, counts, to_propose or (safe if propose else None))


def rebased(text: str, title: str, lint: rules.Config, policy: PagePolicy,
            summary: SummaryStyle) -> Change:
    """The safe change on a newer revision (edit conflict); its ``skip_reason`` says when the
    page may no longer be edited (someone tagged it ``{{nobots}}``/``{{in use}}`` meanwhile)."""
    return slim(compute_change(text, config=lint, env=rules.Environment(page_title=title),
                               policy=policy, summary=summary))
