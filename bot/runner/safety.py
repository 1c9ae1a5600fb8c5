"""The scheduled bot's safety checks, as pure functions over text the runner already has.

- page checks (:func:`page_skip_reason`): too large, NUL characters, ``{{bots}}``/``{{nobots}}``
  exclusion, ``{{in use}}``/``{{under construction}}`` and their redirects;
- cosmetic-only changes (:func:`whitespace_only`): no edit for a whitespace-only diff (the
  render comparison, which needs the wiki, lives in ``bot/botsite.py``);
- run guards (:func:`guard_stop_reason`): the shutoff page and new talk-page messages, checked
  before every save.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import mwparserfromhell
from wikilint.bot.wiki.api import bots_allowed, in_use

_WS = re.compile(r"\s+")


def template_key(name: str) -> str:
    """``Template:In_use`` / `` in use `` → ``in use`` (first letter case-insensitive, as on
    most wikis; we casefold all of it: a false skip is cheap, a false edit is not)."""
    name = name.strip().replace("_", " ")
    if name.casefold().startswith("template:"):
        name = name[len("template:"):]
    return " ".join(name.split()).casefold()


def uses_template(text: str, names: Iterable[str]) -> bool:
    keys = {template_key(n) for n in names}
    if not keys:
        return False
    return any(template_key(str(t.name)) in keys
               for t in mwparserfromhell.parse(text).filter_templates(recursive=True))


def page_skip_reason(
    text: str, username: str, max_size: int, in_use_names: Iterable[str] = ()
) -> str | None:
    """Why this page must not be edited by the bot, or None."""
    size = len(text.encode("utf-8"))
    if max_size and size > max_size:
        return f"too large ({size} bytes > {max_size})"
    if "\x00" in text:
        return "the text contains NUL characters"
    try:
        if not bots_allowed(text, username):  # never "force": the protocol is the editors' say
            return "excluded by {{bots}}/{{nobots}}"
        if in_use(text) or uses_template(text, in_use_names):
            return "tagged {{in use}}/{{under construction}}"
    except (RecursionError, ValueError) as exc:
        return f"parse fails: {type(exc).__name__}"
    return None


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
            return f"the shutoff page [[{shutoff_page}]] does not exist (create it with " \
                   f"{run_value!r} to allow runs)"
        value = state.shutoff_text.strip()
        if value != run_value.strip():
            shown = value if len(value) <= 60 else value[:57] + "..."
            return f"the shutoff page [[{shutoff_page}]] says {shown!r}, not {run_value!r}"
    if check_talk and state.new_messages:
        return "the bot has a new talk-page message"
    return None
