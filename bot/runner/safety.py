"""The scheduled bot's safety checks, as pure functions over text the runner already has.

(Whether a page's text may be edited at all is the one page policy, ``bot.change.policy``.)

- cosmetic-only changes (:func:`whitespace_only`): no edit for a whitespace-only diff (the
  render comparison, which needs the wiki, lives in ``bot/botsite.py``);
- run guards (:func:`guard_stop_reason`): the shutoff page and new talk-page messages, checked
  before every save.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_WS = re.compile(r"\s+")

# MediaWiki checks the protection levels "sysop" and "autoconfirmed" as these rights
# (PermissionManager, for backward compatibility); any other level is a right's own name.
_LEVEL_RIGHTS = {"sysop": "editprotected", "autoconfirmed": "editsemiprotected"}


def protection_blocks(levels: Iterable[str], rights: Iterable[str]) -> tuple[str, ...]:
    """The edit protection levels of a page that an account with ``rights`` cannot edit
    through (empty: it may edit the page)."""
    have = set(rights)
    return tuple(level for level in levels if _LEVEL_RIGHTS.get(level, level) not in have)


def protection_key(levels: Iterable[str]) -> str:
    """How the journal remembers a page's protection: ``"autoconfirmed,sysop"``, ``""``."""
    return ",".join(sorted(set(levels)))


def whitespace_only(old: str, new: str) -> bool:
    """The change only moves whitespace around: not worth an edit (and a watchlist ping)."""
    return _WS.sub("", old) == _WS.sub("", new)


@dataclass(frozen=True)
class GuardState:
    """What the pre-save check read from the wiki in one request."""

    shutoff_text: str | None  # None: the shutoff page does not exist
    new_messages: bool


def guard_stop_reason(
    state: GuardState, shutoff_page: str | None, run_value: str, check_talk: bool
) -> str | None:
    """Why the run must stop before the next save, or None."""
    if shutoff_page is not None:
        if state.shutoff_text is None:
            return (
                f"the shutoff page [[{shutoff_page}]] does not exist (create it with "
                f"{run_value!r} to allow runs)"
            )
        value = state.shutoff_text.strip()
        if value != run_value.strip():
            shown = value if len(value) <= 60 else value[:57] + "..."
            return f"the shutoff page [[{shutoff_page}]] says {shown!r}, not {run_value!r}"
    if check_talk and state.new_messages:
        return "the bot has a new talk-page message"
    return None
