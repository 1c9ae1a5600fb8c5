"""Bold and italics end with their line, as in MediaWiki.

MediaWiki's ``doQuotes`` reads ``''`` and ``'''`` one line at a time and closes whatever is
still open at the end of the line. mwparserfromhell pairs quotes across lines: an unclosed
``'''`` on one line swallows the following lines up to some later ``''``, so prose there is
taken for an italic title (dates are missed) and links inside are misread.

:func:`parse_by_lines` makes the page's :class:`Document` so: it finds every bold or italic tag
whose own text crosses a line break (newlines inside templates, links or tags it contains do not
count: MediaWiki expands and strips those first). On such a page it reads every logical line as
``doQuotes`` does (:func:`unclosed_at_line_end`) and parses the text once more with the
apostrophes MediaWiki reads as text, and the markup it leaves open at the end of a line, hidden:
mwparserfromhell then pairs the remaining quotes as MediaWiki does. Should a tag still cross a
line, its run is hidden too (at most :data:`MAX_ROUNDS` parses more). Runs are hidden from the
tokenizer behind ``"`` characters, which end URLs and link targets exactly where quotes do and
mean nothing else in running text; the apostrophes are put back into the tree as it is indexed
(:func:`put_back`), so offsets and text are unchanged.

Cost: the crossing tags, and the spans the runs are read from, come from the first parse's
tokens (rules.tokenspans), so the first parse of such a page is never built into a tree or
indexed; only its second parse is. Pages without such a tag (most) pay a scan of their tokens
for style tags (about 1% of their parse); the others (8 of the 28 corpus articles) one more
tokenizing and a reading of its tokens. ``tests/rules/test_quotes.py`` counts the tokenizings,
trees and indexes, and checks the result against the reading of the first trees; the equality of
the whole path before and after was checked with ``python -m bench.findings``.

A run left unpaired is still, for MediaWiki, a style opened there and closed at the end of its
line: :func:`open_italics` lists the italic ones (the date rules skip them as they skip every
italic title).
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from mwparserfromhell.nodes import ExternalLink, Heading, Tag, Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode
from wikilint.rules import builder
from wikilint.rules.tokenspans import (
    STYLE_MARKUP,
    Spans,
    TagSpans,
    has_crossing_style,
    is_protected_tag,
    read_spans,
)
from wikilint.rules.wikitext import protected_ranges, tag_name

if TYPE_CHECKING:
    from wikilint.rules.document import Document

_STAND_IN = '"'
MAX_ROUNDS = 3  # the first round reads MediaWiki's unclosed runs; later ones what is left


def crossing_runs(doc: Document) -> list[tuple[int, int]]:
    """The apostrophe runs opening a bold or italic tag whose own text holds a line break."""
    return _runs_at(
        doc.text,
        [
            (doc.span(node)[0], len(node.wiki_markup))
            for node in doc.nodes_of(Tag)
            if node.wiki_markup in STYLE_MARKUP
            and any(type(child) is Text and "\n" in child.value for child in node.contents.nodes)
        ],
    )


def _runs_at(text: str, tags: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The whole apostrophe run around each style tag's opening markup (start, length)."""
    runs: set[tuple[int, int]] = set()
    for start, length in tags:
        end = start + length
        while start > 0 and text[start - 1] == "'":
            start -= 1
        while end < len(text) and text[end] == "'":
            end += 1
        runs.add((start, end))
    return sorted(runs)


class HiddenOutsideText(Exception):
    """A hidden run of apostrophes did not land inside a text node of the new parse."""


def parse_by_lines(text: str, source: str, make: type[Document]) -> Document:
    """The :class:`Document` of ``text`` (``source``: the text as the tokenizer reads it), with
    bold and italics ending at the end of their line as in MediaWiki.

    One parse when no bold or italic crosses a line. Otherwise the runs MediaWiki leaves open
    at the end of their line are read from the first parse's tokens (from its tree and
    :class:`Document`, freed before the second parse, when the tokens cannot be read so), and
    the text is parsed once more with those runs hidden; the apostrophes are put back as the
    new :class:`Document` is built, so no index of the hidden text is built either."""
    with builder.collector_paused():
        return _parse_by_lines(text, source, make)


def _parse_by_lines(text: str, source: str, make: type[Document]) -> Document:
    token_list = builder.tokenize(source)
    if not has_crossing_style(token_list):
        return make(text, builder.tree(token_list))
    spans = read_spans(token_list, source)
    if spans is None:  # not read from the tokens: from the tree, as any page
        first = make(text, builder.tree(token_list))
        runs = crossing_runs(first)
        if not runs:
            return first
        open_runs = unclosed_at_line_end(first)
        del first
    else:
        runs = _runs_at(
            text,
            [(t.start, len(t.markup or "")) for t in spans.tags if t.breaks_line and _is_style(t)],
        )
        if not runs:  # (has_crossing_style and the spans agree: kept for safety)
            return make(text, builder.tree(token_list))
        open_runs = _unclosed_in_zones(text, _zones_of_spans(text, spans))
    del token_list
    plain = set(open_runs) or set(runs)
    kept: Document | None = None  # the last parse to fall back on
    for _ in range(MAX_ROUNDS):
        hidden = sorted(plain)
        try:
            doc = make(text, builder.parse(_hide(source, hidden)), hidden)
        except HiddenOutsideText:  # the stand-in landed outside running text
            return kept if kept is not None else make(text, builder.parse(source))
        runs = [r for r in crossing_runs(doc) if r not in plain]
        if not runs:
            return doc
        plain.update(runs)  # mwparserfromhell pairs some lines differently: read those as text
        kept = doc
    return doc


_LINE_RUN = re.compile(r"\n|''+")  # (the same matches as "'{2,}|\n", found 3x faster)
# Extension tags whose content MediaWiki parses on its own (its own lines).
_OWN_TEXT_TAGS = frozenset({"ref", "poem", "gallery"})


def unclosed_at_line_end(doc: Document) -> list[tuple[int, int]]:
    """The apostrophes MediaWiki's ``doQuotes`` reads as text, and the quote markup it leaves
    open at the end of its line, as ``[start, end)`` spans: hidden from mwparserfromhell, the
    rest pairs as in MediaWiki.

    A line is a logical one: MediaWiki expands templates and strips extension tags and comments
    before it reads quotes, so a line break inside a template, a ``<ref>`` or a comment does
    not end the line around it; the text of a template parameter or of a ``<ref>`` is read as
    lines of its own. Per line, as MediaWiki: a run of four is an apostrophe and bold, a run of
    more than five is apostrophes and bold italics; when the line has an odd number of both
    italics and bold, one bold (after a single-letter word, else after a longer word, else
    after a space) is an apostrophe and italics; then each run opens or closes italics, bold
    or both."""
    # (start, end, own text?): own-text zones are read as lines of their own; the rest of a
    # template or tag (names, attributes) and protected regions are not read at all.
    zones: list[tuple[int, int, bool]] = [(s, e, False) for s, e in doc.protected]
    for node in doc.nodes_of(Template):
        start, end = doc.span(node)
        zones.append((start, end, False))
        for param in node.params:
            v_start, v_end = doc.code_span(param.value)
            zones.append((v_start, v_end, True))
    for node in doc.nodes_of(Tag):
        if node.wiki_markup or node.contents is None or node.self_closing:
            continue
        if tag_name(node.tag) in _OWN_TEXT_TAGS:
            start, end = doc.span(node)
            c_start, c_end = doc.code_span(node.contents)
            zones += [(start, end, False), (c_start, c_end, True)]
    return _unclosed_in_zones(doc.text, zones)


def _zones_of_spans(text: str, spans: Spans) -> list[tuple[int, int, bool]]:
    """The zones of :func:`unclosed_at_line_end`, from spans read off the tokens (in the
    same order)."""
    protected = [(t.start, t.end) for t in spans.tags if is_protected_tag(t)]
    zones = [(s, e, False) for s, e in protected_ranges(text, spans.comments + protected)]
    for template in spans.templates:
        zones.append((template.start, template.end, False))
        zones += [(v_start, v_end, True) for v_start, v_end in template.values]
    for tag in spans.tags:
        if tag.markup is None and tag.contents_start is not None and tag.name in _OWN_TEXT_TAGS:
            assert tag.contents_end is not None
            zones += [(tag.start, tag.end, False), (tag.contents_start, tag.contents_end, True)]
    return zones


def _is_style(tag: TagSpans) -> bool:
    return tag.markup in STYLE_MARKUP


def _unclosed_in_zones(text: str, zones: list[tuple[int, int, bool]]) -> list[tuple[int, int]]:
    zones.sort(key=lambda z: (z[0], -z[1]))
    lines: dict[int, list[list[tuple[int, int]]]] = {}  # zone (-1: the page) → its lines
    stack: list[int] = []  # the zones holding the current position, innermost last
    next_zone = 0
    for match in _LINE_RUN.finditer(text):
        at = match.start()
        while next_zone < len(zones) and zones[next_zone][0] <= at:
            while stack and zones[stack[-1]][1] <= zones[next_zone][0]:
                stack.pop()
            stack.append(next_zone)
            next_zone += 1
        while stack and zones[stack[-1]][1] <= at:
            stack.pop()
        zone = stack[-1] if stack else None
        if zone is not None and not zones[zone][2]:
            continue
        key = -1 if zone is None else zone
        own = lines.setdefault(key, [[]])
        if match.group() == "\n":
            own.append([])
        else:
            own[-1].append((at, match.end()))
    found: list[tuple[int, int]] = []
    for own in lines.values():
        for runs in own:
            if runs:
                found += _open_at_end(text, runs)
    return found


def _open_at_end(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """For one line's runs: the apostrophes MediaWiki reads as text, and the markup it leaves
    open at the end of the line."""
    as_text: list[tuple[int, int]] = []
    marks = []  # the markup part of each run: its last 2, 3 or 5 apostrophes
    for start, end in runs:
        length = end - start
        markup = 3 if length == 4 else 5 if length > 5 else length
        if markup < length:
            as_text.append((start, end - markup))
        marks.append([end - markup, end])
    italics = sum(1 for a, b in marks if b - a in (2, 5))
    bolds = sum(1 for a, b in marks if b - a in (3, 5))
    if italics % 2 and bolds % 2:
        single = multi = space = None
        for i, (a, b) in enumerate(marks):
            if b - a != 3:
                continue
            x1 = text[a - 1] if a >= 1 else " "
            x2 = text[a - 2] if a >= 2 else " "
            if x1 == " ":
                space = i if space is None else space
            elif x2 == " ":
                single = i
                break
            else:
                multi = i if multi is None else multi
        chosen = next((i for i in (single, multi, space) if i is not None), None)
        if chosen is not None:
            as_text.append((marks[chosen][0], marks[chosen][0] + 1))
            marks[chosen][0] += 1
    # opened["i"] / opened["b"]: the markup span that opened the style still open, if any
    opened: dict[str, tuple[int, int] | None] = {"i": None, "b": None}
    for a, b in marks:
        length = b - a
        if length == 2:
            opened["i"] = None if opened["i"] else (a, b)
        elif length == 3:
            opened["b"] = None if opened["b"] else (a, b)
        elif opened["i"] or opened["b"]:
            was_i, was_b = opened["i"], opened["b"]
            opened["i"] = None if was_i else (a, a + 2)
            opened["b"] = None if was_b else (a, a + 3)
        else:
            opened["i"], opened["b"] = (a + 3, b), (a, a + 3)
    return as_text + [span for span in opened.values() if span is not None]


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


def _hide(source: str, runs: list[tuple[int, int]]) -> str:
    """``source`` with each run replaced by as many stand-ins."""
    chars = list(source)
    for start, end in runs:
        chars[start:end] = _STAND_IN * (end - start)
    return "".join(chars)


def put_back(doc: Document, runs: list[tuple[int, int]]) -> None:
    """Put the apostrophes of the hidden ``runs`` back into the text nodes holding them (as
    :class:`Document` is built, before anything reads the nodes' text: offsets are unchanged).
    Raises :class:`HiddenOutsideText` when a run is not inside one text node."""
    texts = doc.nodes_of(Text)
    starts = [doc.span(node)[0] for node in texts]
    for start, end in runs:
        i = bisect.bisect_right(starts, start) - 1
        if i < 0:
            raise HiddenOutsideText
        node = texts[i]
        n_start, n_end = doc.span(node)
        if end > n_end:
            raise HiddenOutsideText
        value = node.value
        node.value = value[: start - n_start] + "'" * (end - start) + value[end - n_start :]
