"""Saved MediaWiki edit pages (``.html``): the wikitext of their edit box.

Kept apart from :mod:`bot.inputs` so that linting plain wikitext never imports ``html.parser``.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from wikilint.bot.files.errors import InputError


class _EditPageParser(HTMLParser):
    """Collects the ``wpTextbox1`` textarea, the ``wpSection`` value and the ``<title>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.textbox: list[str] | None = None  # None until the textarea is seen
        self.section: str | None = None
        self.title_parts: list[str] = []
        self._in_textbox = False
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "textarea" and "wpTextbox1" in (values.get("name"), values.get("id")):
            self.textbox = []
            self._in_textbox = True
            # A textarea holds raw text (RCDATA): a "<ref>" inside it is not a tag.
            self.set_cdata_mode(tag)
        elif tag == "input" and values.get("name") == "wpSection":
            self.section = values.get("value", "")
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._in_textbox = False
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_textbox and self.textbox is not None:
            self.textbox.append(data)
        elif self._in_title:
            self.title_parts.append(data)


_EDIT_TITLE = re.compile(r"^\s*Editing\s+(?P<title>.+?)(?:\s+\((?:new )?section\))?\s+[-–—|]\s+.*$")


def extract_html_edit_page(text: str, label: str) -> tuple[str, str | None, str | None]:
    """(wikitext, wpSection value or None, page title or None) of a saved edit page."""
    parser = _EditPageParser()
    parser.feed(text)
    parser.close()
    if parser.textbox is None:
        raise InputError(f"{label}: no wpTextbox1 edit box found (is this a saved edit page?)")
    # In cdata mode the parser hands over the raw characters: unescape them once, here.
    wikitext = html.unescape("".join(parser.textbox))
    if wikitext.startswith("\n"):
        wikitext = wikitext[1:]  # HTML drops one newline right after <textarea>
    if not wikitext.strip():
        raise InputError(f"{label}: the edit box (wpTextbox1) is empty")
    match = _EDIT_TITLE.match(" ".join("".join(parser.title_parts).split()))
    return wikitext, parser.section or None, match.group("title") if match else None
