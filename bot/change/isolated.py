"""The change core as the lint worker runs it (see ``bot.change.timelimit``).

What crosses the process boundary must pickle, and should be small: a :class:`Change` comes back
:func:`slim`, without the parse trees, which stay in the worker. Page titles the unsafe fixes
need are fetched by the caller, outside the lint's time limit: the worker asks for them with
the URLs (:func:`asked_titles`), the caller's host function fetches and answers.
"""

from __future__ import annotations

from dataclasses import replace

from wikilint import rules
from wikilint.bot.change.core import Change, SummaryStyle, compute_change
from wikilint.bot.change.policy import PagePolicy
from wikilint.bot.change.timelimit import ask
from wikilint.bot.change.titleurls import urls_needing_titles


def slim(change: Change) -> Change:
    """``change`` without its parses (the first lint, the final document, what remains)."""
    return replace(change, lint=None, final=None, remaining=())


def asked_titles(first: rules.LintResult) -> dict[str, str]:
    """The titles of the URLs the unsafe fixes of ``first`` need, from the caller's host."""
    urls = urls_needing_titles(first)
    return dict(ask(urls)) if urls else {}


def isolated_change(
    text: str,
    section: str | int | None,
    config: rules.Config,
    env: rules.Environment,
    unsafe: bool,
    policy: PagePolicy,
    summary: SummaryStyle,
    fetch_titles: bool,
) -> Change:
    """``compute_change`` with positional arguments; titles asked for when ``fetch_titles``."""
    return slim(
        compute_change(
            text,
            section=section,
            config=config,
            env=env,
            unsafe=unsafe,
            policy=policy,
            summary=summary,
            titles=asked_titles if unsafe and fetch_titles else None,
        )
    )
