"""Bold and italics end with their line, as in MediaWiki.

MediaWiki's ``doQuotes`` reads ``''`` and ``'''`` one line at a time and closes whatever is
still open at the end of the line. mwparserfromhell pairs quotes across lines: an unclosed
``'''`` on one line swallows the following lines up to some later ``''``, so prose there is
taken for an italic title (dates are missed) and links inside are misread.

:func:`close_quotes_per_line` repairs a parse: it finds every bold or italic tag whose own
text crosses a line break (newlines inside templates, links or tags it contains do not count:
MediaWiki expands and strips those first), and parses the text again with that tag's
apostrophe run read as plain text. mwparserfromhell then pairs the remaining quotes within
their lines. The run is hidden from the tokenizer behind ``"`` characters, which end URLs and
link targets exactly where quotes do and mean nothing else in running text; the apostrophes
are put back into the tree before it is indexed, so offsets and text are unchanged. Pages
without such a tag (most) pay one walk over their style tags.

A run left unpaired is still, for MediaWiki, a style opened there and closed at the end of its
line: :func:`open_italics` lists the italic ones (the date rules skip them as they skip every
italic title).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from mwparserfromhell.nodes import ExternalLink, Heading, Tag, Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode
from wikilint.rules import builder

if TYPE_CHECKING:
    from wikilint.rules.document import Document

_STYLE_MARKUP = frozenset({"''", "'''"})
_STAND_IN = '"'
MAX_ROUNDS = 4  # each round reads at least one more run as text; real pages need one


def crossing_runs(doc: Document) -> list[tuple[int, int]]:
    """The apostrophe runs opening a bold or italic tag whose own text holds a line break."""
    text = doc.text
    runs: set[tuple[int, int]] = set()
    for node in doc.nodes_of(Tag):
        if node.wiki_markup not in _STYLE_MARKUP:
            continue
        if not any(type(child) is Text and "\n" in child.value for child in node.contents.nodes):
            continue
        start = doc.span(node)[0]
        end = start + len(node.wiki_markup)
        while start > 0 and text[start - 1] == "'":
            start -= 1
        while end < len(text) and text[end] == "'":
            end += 1
        runs.add((start, end))
    return sorted(runs)


def close_quotes_per_line(
    doc: Document, source: str, make: Callable[[str, Wikicode], Document]
) -> Document:
    """``doc`` itself when no bold or italic crosses a line, else the text parsed again with
    the crossing runs read as text (``make(text, code)`` builds a :class:`Document`)."""
    runs = crossing_runs(doc)
    if not runs:
        return doc
    plain: set[tuple[int, int]] = set()
    for _ in range(MAX_ROUNDS):
        plain.update(runs)
        code = _parse_with_plain_runs(source, sorted(plain), make)
        if code is None:
            return doc  # the stand-in landed outside running text: keep the first parse
        doc = make(doc.text, code)
        runs = [r for r in crossing_runs(doc) if r not in plain]
        if not runs:
            break
    return doc


def open_italics(doc: Document) -> list[tuple[int, int]]:
    """The italics MediaWiki opens at a run of quotes left unpaired on its line and closes at
    the end of the line (two apostrophes, or five and more), from the run to the line's end.

    Unpaired runs are those the tree keeps as text, in running text only: not in URLs, link
    targets, template names or tag attributes."""
    text = doc.text
    spans = []
    for node in doc.nodes_of(Text):
        value = node.value
        if "''" not in value:
            continue
        start, _end = doc.span(node)
        if not _in_running_text(doc, node, start):
            continue
        for match in _RUN.finditer(value):
            length = match.end() - match.start()
            if length == 2 or length >= 5:
                at = start + match.end()
                stop = text.find("\n", at)
                spans.append((at, len(text) if stop < 0 else stop))
    return spans


_RUN = re.compile(r"'{2,}")


def _in_running_text(doc: Document, node: Text, start: int) -> bool:
    parent = doc.parent(node)
    if parent is None or type(parent) is Heading:
        return True
    if type(parent) is Tag:
        return parent.contents is not None and _within(doc, parent.contents, start)
    if type(parent) is Template:
        return start >= doc.code_span(parent.name)[1]
    if type(parent) is Wikilink:
        return parent.text is not None and _within(doc, parent.text, start)
    if type(parent) is ExternalLink:
        return parent.title is not None and _within(doc, parent.title, start)
    return False


def _within(doc: Document, code: Wikicode, offset: int) -> bool:
    c_start, c_end = doc.code_span(code)
    return c_start <= offset < c_end


def _parse_with_plain_runs(
    source: str, runs: list[tuple[int, int]], make: Callable[[str, Wikicode], Document]
) -> Wikicode | None:
    chars = list(source)
    for start, end in runs:
        chars[start:end] = _STAND_IN * (end - start)
    masked = "".join(chars)
    code = builder.parse(masked)
    masked_doc = make(masked, code)
    texts = masked_doc.nodes_of(Text)
    starts = [masked_doc.span(node)[0] for node in texts]
    for start, end in runs:
        i = bisect.bisect_right(starts, start) - 1
        if i < 0:
            return None
        node = texts[i]
        n_start, n_end = masked_doc.span(node)
        if end > n_end:
            return None
        value = node.value
        node.value = value[: start - n_start] + "'" * (end - start) + value[end - n_start :]
    return code
