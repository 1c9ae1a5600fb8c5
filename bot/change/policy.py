"""The one page policy: may the bot edit this page at all?

Used by every flow that edits (``run``, ``propose``, ``submit``, ``fix --page --submit``)
and by ``fix --page``, which shows what they would do:

- before any parse: too large, NUL characters;
- on the parse the lint already built (``Document.templates_by_key``): ``{{bots}}`` /
  ``{{nobots}}`` exclusion (never "forced": the protocol is the editors' say), and ``{{in
  use}}`` / ``{{under construction}}`` with their redirects and configured extras.

Template names are compared only through :func:`rules.wikitext.template_key`, so
``{{Template:Nobots}}``, ``{{template:nobots}}`` and ``{{ nobots }}`` all count. A false skip
is cheap; a false edit is not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from wikilint.rules.document import Document, ParseError
from wikilint.rules.wikitext import template_key

DEFAULT_MAX_PAGE_SIZE = 300_000  # bytes of wikitext; larger pages are skipped
IN_USE_TEMPLATES = frozenset(
    {
        "in use",
        "inuse",
        "in-use",
        "under construction",
        "underconstruction",
        "in creation",
        "gotitem",
    }
)
EXCLUDED = "excluded by {{bots}}/{{nobots}}"
IN_USE = "tagged {{in use}}/{{under construction}}"


def in_use_keys(names: Iterable[str]) -> frozenset[str]:
    """The built-in ``{{in use}}`` names and ``names`` (configured, or redirects read from the
    wiki, with or without ``Template:``), as template keys."""
    return IN_USE_TEMPLATES | {template_key(n) for n in names}


@dataclass(frozen=True)
class PagePolicy:
    username: str
    max_size: int = DEFAULT_MAX_PAGE_SIZE  # 0: no limit
    in_use: frozenset[str] = field(default=IN_USE_TEMPLATES)  # template keys (in_use_keys)

    def text_reason(self, text: str) -> str | None:
        """Why the page must not be edited, from its text alone (no parse), or None."""
        size = len(text.encode("utf-8"))
        if self.max_size and size > self.max_size:
            return f"too large ({size} bytes > {self.max_size})"
        if "\x00" in text:
            return "the text contains NUL characters"
        return None

    def document_reason(self, doc: Document) -> str | None:
        """Why the page must not be edited, from its parse, or None."""
        if not bots_allowed(doc, self.username):
            return EXCLUDED
        if any(doc.templates_by_key.get(key) for key in self.in_use):
            return IN_USE
        return None

    def reason(self, text: str) -> str | None:
        """Both checks, parsing ``text`` (for a caller that has no lint of it)."""
        reason = self.text_reason(text)
        if reason:
            return reason
        try:
            doc = Document.parse(text)
        except ParseError as exc:
            return f"parse fails: {exc}"
        return self.document_reason(doc)


def bots_allowed(doc: Document, username: str) -> bool:
    """The ``{{bots}}``/``{{nobots}}`` exclusion protocol, read from the page's parse.

    (pywikibot's ``botMayEdit`` fetches the templates again: one request per page saved.)
    """
    if doc.templates_by_key.get("nobots"):
        return False
    name = username.casefold()
    for use in doc.templates_by_key.get("bots", ()):
        for param in use.node.params:
            key = str(param.name).strip().casefold()
            values = {v.strip().casefold() for v in str(param.value).split(",")}
            if key == "allow":
                if "none" in values:
                    return False
                if "all" not in values and name not in values:
                    return False
            elif key == "deny" and ("all" in values or name in values):
                return False
    return True
