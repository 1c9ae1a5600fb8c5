"""Markup that is structure, not prose: table syntax and the originals inside archive URLs.

Two pieces of MediaWiki's semantics that rules must model before they report punctuation or
rewrite a URL:

- :func:`table_markup` — the spans of table syntax, read per line as MediaWiki's
  ``doTableStuff`` reads them: ``{|``, ``|}``, ``|-``, ``|+``, a cell's leading ``|`` or ``!``,
  the inline separators ``||`` (and ``!!`` on a header line), and the ``|`` that ends a cell's
  attributes. Templates and extension tags (``<ref>``, ``<nowiki>``, comments …) are expanded
  or stripped before MediaWiki reads tables, so separators inside them do not count.
- :func:`archive_originals` — inside a web-archive URL (Wayback Machine, archive.today and its
  mirrors, WebCite, the Library of Congress and UK web archives, ghostarchive, …), whatever its
  scheme prefix (``https:``, ``http:`` or protocol-relative ``//``), the span of the embedded
  original URL. It records what was archived: no rule may rewrite it. The ``#fragment`` is not
  part of it (archives ignore fragments).

Both are built once per pass through ``ctx.shared`` (:func:`shared_table_markup`,
:func:`shared_archive_originals`); ``bench.corpus`` and the corpus tests check that no applied
edit touches them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from mwparserfromhell.nodes import Comment, Tag
from wikilint.rules.context import Context
from wikilint.rules.document import Document
from wikilint.rules.lazyregex import LazyPattern
from wikilint.rules.wikitext import merge_ranges, tag_name

# Extension tags MediaWiki strips before it reads table syntax (their content is opaque).
_OPAQUE_TAGS = frozenset(
    {
        "ref",
        "references",
        "nowiki",
        "pre",
        "math",
        "code",
        "syntaxhighlight",
        "source",
        "gallery",
        "poem",
        "score",
        "graph",
        "templatedata",
        "timeline",
        "chem",
        "ce",
        "hiero",
        "imagemap",
        "mapframe",
        "maplink",
        "inputbox",
        "categorytree",
        "section",
    }
)


class Spans:
    """Sorted, disjoint ``[start, end)`` ranges with fast overlap queries."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        self.ranges = merge_ranges(r for r in ranges if r[1] > r[0])
        self._starts = [s for s, _ in self.ranges]

    def __len__(self) -> int:
        return len(self.ranges)

    def contains(self, offset: int) -> bool:
        """Whether the character at ``offset`` lies in a range."""
        i = bisect.bisect_right(self._starts, offset) - 1
        return i >= 0 and offset < self.ranges[i][1]

    def touches(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps a range (an insertion: lies strictly inside one)."""
        if end == start:
            i = bisect.bisect_right(self._starts, start) - 1
            return i >= 0 and self.ranges[i][0] < start < self.ranges[i][1]
        i = bisect.bisect_left(self._starts, end) - 1
        return i >= 0 and self.ranges[i][1] > start

    def ends_at(self, offset: int) -> bool:
        """Whether a range ends exactly at ``offset``."""
        i = bisect.bisect_right(self._starts, offset) - 1
        return i >= 0 and self.ranges[i][1] == offset


# -- tables -----------------------------------------------------------------------------------

_TABLE_LINE = re.compile(r"^[ \t]*(:*)[ \t]*(\{\||\|\}|\|-|\|\+|\||!)", re.M)


def _opaque_tags(doc: Document) -> Spans:
    ranges = [doc.span(n) for n in doc.nodes_of(Comment)]
    ranges += [
        doc.span(n)
        for n in doc.nodes_of(Tag)
        if not n.wiki_markup and tag_name(n.tag) in _OPAQUE_TAGS
    ]
    return Spans(ranges)


def table_markup(doc: Document) -> Spans:
    """The spans of table syntax in the page (see the module docstring)."""
    text = doc.text
    if "{|" not in text:
        return Spans(())
    tags = _opaque_tags(doc)
    found: list[tuple[int, int]] = []
    depth = 0
    for match in _TABLE_LINE.finditer(text):
        at = match.start(2)
        if tags.contains(at) or doc.in_protected(at):
            continue
        mark = match.group(2)
        if mark == "{|":
            depth += 1
            found.append((at, at + 2))
            continue
        if depth == 0 or match.group(1):
            continue  # "|" or "!" outside a table, or an indented line: not table syntax
        if mark == "|}":
            depth -= 1
            found.append((at, at + 2))
            continue
        found.append((at, at + len(mark)))
        if mark == "|-":
            continue
        line_end = text.find("\n", at)
        line_end = len(text) if line_end < 0 else line_end
        # Templates in the cells are expanded before MediaWiki reads the line: opaque.
        inner = Spans(doc.span(u.node) for u in doc.templates_within(at, line_end))
        found += _cell_separators(text, at + len(mark), line_end, mark == "!", tags, inner)
    return Spans(found)


_CELL_TOKEN = re.compile(r"\|\||!!|\[\[|\|")


def _cell_separators(
    text: str, start: int, end: int, header: bool, tags: Spans, templates: Spans
) -> list[tuple[int, int]]:
    """``||`` (and ``!!`` on a header line) between cells, and each cell's attribute ``|``:
    MediaWiki's first ``|`` of a cell when no ``[[`` comes before it."""
    found: list[tuple[int, int]] = []
    bar_seen = link_seen = False
    for match in _CELL_TOKEN.finditer(text, start, end):
        pos = match.start()
        if tags.contains(pos) or templates.contains(pos):
            continue
        token = match.group()
        if token == "||" or (header and token == "!!"):
            found.append((pos, pos + 2))
            bar_seen = link_seen = False
        elif token == "[[":
            link_seen = True
        elif token == "|" and not (bar_seen or link_seen):
            found.append((pos, pos + 1))
            bar_seen = True
    return found


def shared_table_markup(ctx: Context) -> Spans:
    return ctx.shared("structure.table_markup", table_markup)


# -- archive URLs -----------------------------------------------------------------------------

_ARCHIVE_HOST = (
    r"(?:web|wayback|web-beta)\.archive\.org|archive\.org/web|wayback\.archive-it\.org"
    r"|archive\.(?:today|ph|is|li|fo|md|vn)|(?:www\.)?webcitation\.org"
    r"|webarchive\.loc\.gov|(?:www\.)?webarchive\.org\.uk"
    r"|webarchive\.nationalarchives\.gov\.uk|ghostarchive\.org|arquivo\.pt/wayback"
)
# An archive URL: an optional scheme or "//", an archive host, then the rest of the URL as
# wikitext ends it (whitespace, brackets, braces, pipes, tags, quotes).
_ARCHIVE_URL = LazyPattern(
    rf"(?<![\w.-])(?:(?:https?:)?//)?(?:www\.)?(?:{_ARCHIVE_HOST})(?=[/?])[^\s\[\]{{}}|<>\"]*",
    re.I,
)
# Where the original starts: a scheme (perhaps percent-encoded), or after "web/TIMESTAMP/".
_EMBEDDED_SCHEME = LazyPattern(r"(?:https?|ftp)(?::|%3a)(?://|%2f%2f)|(?<=[/=])//(?=[\w-])", re.I)
_WAYBACK_BARE_ORIGINAL = LazyPattern(r"/web/[^/]*/(?=[\w-]+\.[\w.-]+)", re.I)


def archive_originals(text: str) -> Spans:
    """The spans of the original URLs embedded in the archive URLs of ``text``."""
    lowered = text.lower()
    if not any(h in lowered for h in ("archive", "webcitation")):
        return Spans(())
    found: list[tuple[int, int]] = []
    for match in _ARCHIVE_URL.finditer(text):
        url = match.group()
        scheme_end = url.find("//") + 2 if url[:8].lower().find("//") >= 0 else 0
        host_end = url.find("/", scheme_end)
        query = url.find("?", scheme_end)
        if host_end < 0 or (0 <= query < host_end):
            host_end = query
        if host_end < 0:
            continue
        inner = _EMBEDDED_SCHEME.search(url, host_end)
        if inner is not None:
            begin = inner.start()
        else:
            bare = _WAYBACK_BARE_ORIGINAL.search(url, host_end)
            if bare is None:
                continue
            begin = bare.end()
        stop = url.find("#", begin)
        stop = len(url) if stop < 0 else stop
        found.append((match.start() + begin, match.start() + stop))
    return Spans(found)


def shared_archive_originals(ctx: Context) -> Spans:
    return ctx.shared("structure.archive_originals", lambda doc: archive_originals(doc.text))


# -- what an edit touches ---------------------------------------------------------------------

STRUCTURE_KINDS = ("table markup", "archive original", "protected region")


class StructureIndex:
    """Table markup, archive originals and protected regions of one parse, for checking edits
    (the corpus report and tests: no applied edit may touch any of them)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.tables = table_markup(doc)
        self.archives = archive_originals(doc.text)

    def touched(self, start: int, end: int) -> list[str]:
        """Which of :data:`STRUCTURE_KINDS` the edit ``[start, end)`` touches (an insertion:
        lies strictly inside)."""
        hits = []
        if self.tables.touches(start, end):
            hits.append("table markup")
        if self.archives.touches(start, end):
            hits.append("archive original")
        if self.doc.is_protected(start, end):
            hits.append("protected region")
        return hits
