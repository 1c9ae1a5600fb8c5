"""The page's date context, built once per pass and shared by the date rules.

``date_context(ctx)`` answers: which format the page uses (``{{Use dmy dates}}`` and its
redirects, ``|cs1-dates=``, else the majority of full dates), every date parameter of the
citation templates and ``{{Webarchive}}`` with the exact span of its value, and every full date
written in running text outside quotations, titles, link targets, URLs and file names.
The whole page is always the context, also when one section is linted.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mwparserfromhell.nodes import (
    Heading,
    HTMLEntity,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.wikicode import Wikicode
from wikilint.rules.context import Context
from wikilint.rules.dates import Kind, ParsedDate, ProseDate, find_prose_dates, parse_value
from wikilint.rules.document import Document, TemplateUse
from wikilint.rules.quotes import open_italics
from wikilint.rules.wikitext import is_citation_template, is_footnote_template, merge_ranges

PUBLICATION, ACCESS, ARCHIVE = "publication", "access", "archive"
DATE_PARAMS = {
    "date": PUBLICATION,
    "publication-date": PUBLICATION,
    "publicationdate": PUBLICATION,
    "access-date": ACCESS,
    "accessdate": ACCESS,
    "archive-date": ARCHIVE,
    "archivedate": ARCHIVE,
}
_ARCHIVE_URL_PARAMS = frozenset({"archive-url", "archiveurl", "url"})
WEBARCHIVE_TEMPLATES = frozenset({"webarchive", "web archive"})
# "cite …" templates that are not CS1/CS2 and take dates in their own formats.
NOT_CS1 = frozenset(
    {
        "cite argentine law",
        "cite court",
        "cite legislation",
        "cite bible",
        "cite quran",
        "cite oed",
        "cite pmid",
        "cite doi",
        "cite hansard",
        "cite us code",
    }
)
_USE_TEMPLATE = re.compile(r"^(?:use)?(dmy|mdy)(?:dates?)?$")
_CS1_DATES = re.compile(r"^([lsy])([lsy])?$")
_DF = {
    "dmy": ("dmy", False),
    "dmy-all": ("dmy", True),
    "mdy": ("mdy", False),
    "mdy-all": ("mdy", True),
    "ymd": ("iso", False),
    "ymd-all": ("iso", True),
    "yes": ("dmy", False),
    "y": ("dmy", False),
}
_LEAD_JUNK = re.compile(r"(?:\s+|<!--.*?-->)+", re.S)
_TRAIL_JUNK = re.compile(r"(?:\s+|<!--(?:(?!<!--).)*?-->)+$", re.S)

# Tags whose content is running text; every other tag (quotations, galleries, extension
# tags, protected tags, <i>/<cite> titles) is skipped entirely.
_PROSE_TAGS = frozenset(
    {
        "ref",
        "references",
        "span",
        "small",
        "big",
        "sup",
        "sub",
        "div",
        "center",
        "p",
        "s",
        "u",
        "del",
        "ins",
        "b",
        "strong",
        "em",
        "abbr",
        "font",
        "li",
        "ul",
        "ol",
        "dl",
        "dd",
        "dt",
        "table",
        "tr",
        "td",
        "th",
        "caption",
        "onlyinclude",
        "includeonly",
        "noinclude",
        "section",
        "br",
        "mark",
    }
)
_CONTAINER_TAGS = frozenset({"ref", "td", "th", "li", "caption"})
_NBSP_ENTITIES = frozenset({"&nbsp;", "&#160;", "&#xa0;", "&#xA0;"})
_OPEN_QUOTES = {"“", "„"}
_QUOTE_MARKS = ('"', "“", "”", "„")
_YEAR_DIGITS = re.compile(r"\d{4}")  # what every full date contains
_SHORTEST_DATE = len("1 May 2020")
_MARKUP = re.compile(r"[{}<>\[\]|]")


class DateParam(NamedTuple):
    use: TemplateUse
    name: str  # as written, stripped
    kind: str  # publication / access / archive
    start: int  # the value without surrounding whitespace and comments
    end: int
    value: str
    parsed: ParsedDate | None
    df: tuple[str, bool] | None  # the template's |df=: (style, applies to all dates)

    @property
    def evaluable(self) -> bool:
        """A plain value (no templates, tags, links or comments inside it)."""
        return bool(self.value) and not _MARKUP.search(self.value)


@dataclass
class DateContext:
    page_format: str | None  # "dmy" / "mdy" / None
    from_template: bool  # the format comes from a {{Use … dates}} template
    cs1: tuple[str, str] | None  # |cs1-dates=: (publication letter, access/archive letter)
    params: list[DateParam]
    prose: list[ProseDate]  # full dates in running text outside quotations and titles
    iso_access: bool = False  # most access/archive dates of the page are ISO
    by_template: dict[int, list[DateParam]] = field(default_factory=dict)
    # (template, archive URL parameter): archive-url= of citations, url= of {{Webarchive}}
    archive_urls: list[tuple[TemplateUse, Parameter]] = field(default_factory=list)

    def targets(self, param: DateParam) -> list[tuple[str, bool]]:
        """Acceptable (style, short) forms of a full date in ``param``; the first is preferred.

        Empty when the page has no format (then no date is a finding)."""
        base = self.page_format
        if param.df is not None:
            df_style, df_all = param.df
            if param.kind == PUBLICATION or df_all:
                return [(df_style, False)]
        if base is None:
            return []
        letter = None
        if self.cs1 is not None:
            letter = self.cs1[0] if param.kind == PUBLICATION else self.cs1[1]
        if letter == "y":
            return [("iso", False)]
        if letter == "s":
            return [(base, True)]
        if letter == "l" or param.kind == PUBLICATION:
            return [(base, False)]
        forms = [(base, False), ("iso", False)]
        return forms[::-1] if self.iso_access else forms


def date_context(ctx: Context) -> DateContext:
    return ctx.shared("dates.context", build_date_context)


def build_date_context(doc: Document) -> DateContext:
    page_format, cs1 = _use_template(doc)
    archive_urls: dict[int, tuple[TemplateUse, Parameter]] = {}
    params = list(_date_params(doc, archive_urls))
    prose = _prose_dates(doc)
    from_template = page_format is not None
    if page_format is None:
        counts = {"dmy": 0, "mdy": 0}
        for p in params:
            if (
                p.parsed is not None
                and p.parsed.kind is Kind.FULL
                and p.parsed.valid
                and p.parsed.style in counts
            ):
                counts[p.parsed.style] += 1
        for d in prose:
            if d.style in counts:
                counts[d.style] += 1
        if counts["dmy"] != counts["mdy"]:
            page_format = "dmy" if counts["dmy"] > counts["mdy"] else "mdy"
    iso = other = 0
    for p in params:
        if (
            p.kind != PUBLICATION
            and p.parsed is not None
            and p.parsed.kind is Kind.FULL
            and p.parsed.valid
        ):
            if p.parsed.style == "iso":
                iso += 1
            else:
                other += 1
    by_template: dict[int, list[DateParam]] = {}
    for p in params:
        by_template.setdefault(id(p.use.node), []).append(p)
    return DateContext(
        page_format,
        from_template,
        cs1,
        params,
        prose,
        iso > other,
        by_template,
        list(archive_urls.values()),
    )


def _use_template(doc: Document) -> tuple[str | None, tuple[str, str] | None]:
    for use in doc.templates:
        m = _USE_TEMPLATE.match(use.key.replace(" ", ""))
        if not m or doc.in_protected(use.start):
            continue
        cs1 = None
        for name, param in doc.named_params(use.node):
            if name == "cs1-dates":
                letters = _CS1_DATES.match(doc.code_text(param.value).strip().lower())
                if letters:
                    first = letters.group(1)
                    cs1 = (first, letters.group(2) or first)
        return m.group(1), cs1
    return None, None


def is_date_template(key: str) -> bool:
    return (is_citation_template(key) and key not in NOT_CS1) or key in WEBARCHIVE_TEMPLATES


def _date_params(doc: Document, archive_urls: dict[int, tuple[TemplateUse, Parameter]]):
    for use in doc.templates:
        if not is_date_template(use.key):
            continue
        df = None
        wanted = []
        webarchive = use.key in WEBARCHIVE_TEMPLATES
        for name, param in doc.named_params(use.node):
            if not param.showkey:
                continue
            if name == "df":
                df = _DF.get(doc.code_text(param.value).strip().lower())
            elif name in _ARCHIVE_URL_PARAMS and (name == "url") == webarchive:
                archive_urls[id(use.node)] = (use, param)
            elif name in DATE_PARAMS:
                kind = DATE_PARAMS[name]
                if use.key in WEBARCHIVE_TEMPLATES:
                    if name != "date":
                        continue
                    kind = ARCHIVE
                wanted.append((name, kind, param))
        for name, kind, param in wanted:
            start, end = core_span(doc, param.value)
            value = doc.text[start:end]
            yield DateParam(use, name, kind, start, end, value, _parse(value), df)


def _parse(value: str) -> ParsedDate | None:
    if not value or _MARKUP.search(value):
        return None
    return parse_value(value)


def core_span(doc: Document, value: Wikicode) -> tuple[int, int]:
    """The span of a parameter value without surrounding whitespace and comments."""
    start, end = doc.code_span(value)
    text = doc.text
    if not text[start:end].strip():
        return start, start
    m = _LEAD_JUNK.match(text, start, end)
    if m:
        start = m.end()
    m = _TRAIL_JUNK.search(text, start, end)
    if m:
        end = m.start()
    return start, max(start, end)


# -- running text ----------------------------------------------------------------------------


class _ProseWalker:
    """Collects the spans of running text, each with its container (ref, note, cell, …)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.ranges: list[tuple[int, int, int]] = []  # start, end, container id
        self.next_container = 0

    def container(self) -> int:
        self.next_container += 1
        return self.next_container

    def walk(self, code: Wikicode, box: int) -> None:
        doc = self.doc
        add = self.ranges.append
        nodes: list[Any] = code.nodes  # each read by its exact type below
        for node in nodes:
            kind = type(node)
            if kind is Text:
                start, end = doc.span(node)
                add((start, end, box))
            elif kind is Tag:
                self._tag(node, box)
            elif kind is Wikilink:
                if node.text is None:
                    continue  # the target is what is shown: never touched
                t_start, t_end = doc.code_span(node.title)
                title = doc.text[t_start:t_end].strip().lower()
                if title.startswith(("file:", "image:")):
                    self.walk(node.text, self.container())  # the caption, not the file name
                elif ":" not in title.lstrip(":"):
                    self.walk(node.text, box)
            elif kind is Template:
                if is_footnote_template(doc.template_use(node).key):
                    note = _note_param(doc, node)
                    if note is not None:
                        self.walk(note, self.container())
            elif kind is HTMLEntity:
                start, end = doc.span(node)
                if doc.text[start:end] in _NBSP_ENTITIES:
                    add((start, end, box))
            elif kind is Heading:
                self.walk(node.title, self.container())
            # ExternalLink: URLs and their labels (often the title of the linked work) are skipped

    def _tag(self, node: Tag, box: int) -> None:
        if node.wiki_markup:
            if node.wiki_markup == "''":
                return  # italics: titles of works
            if node.contents is not None and not node.self_closing:
                name = str(node.tag).strip().lower()
                inner = self.container() if name in _CONTAINER_TAGS else box
                self.walk(node.contents, inner)
            return
        if node.self_closing or node.contents is None:
            return
        t_start, t_end = self.doc.code_span(node.tag)
        name = self.doc.text[t_start:t_end].strip().lower()
        if name in _PROSE_TAGS:
            inner = self.container() if name in _CONTAINER_TAGS else box
            self.walk(node.contents, inner)


def _note_param(doc: Document, node: Template) -> Wikicode | None:
    for name, param in doc.named_params(node):
        if name == "1":
            return param.value
    return None


def _quoted_ranges(text: str, quotes: dict[int, list[int]]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for offsets in quotes.values():
        open_at: int | None = None
        for at in offsets:
            ch = text[at]
            if open_at is not None and "\n" in text[open_at:at]:
                spans.append((open_at, text.index("\n", open_at)))
                open_at = None
            if open_at is None:
                if ch != "”":
                    open_at = at
            elif ch in _OPEN_QUOTES:
                continue
            else:
                spans.append((open_at, at + 1))
                open_at = None
        if open_at is not None:  # an unclosed quotation runs to the end of its line
            stop = text.find("\n", open_at)
            spans.append((open_at, len(text) if stop < 0 else stop))
    return merge_ranges(spans)


def _quote_offsets(text: str) -> list[int]:
    """Offsets of the quotation marks ``"“”„`` in ``text``, in order: a few
    ``str.find`` scans are faster than the regex over a long page."""
    found: list[int] = []
    for mark in _QUOTE_MARKS:
        at = text.find(mark)
        while at >= 0:
            found.append(at)
            at = text.find(mark, at + 1)
    found.sort()
    return found


def _prose_dates(doc: Document) -> list[ProseDate]:
    walker = _ProseWalker(doc)
    walker.walk(doc.code, walker.container())
    text = doc.text
    ranges = sorted(walker.ranges)
    # Runs of running text (ranges are leaves of the tree: they never overlap, and many touch).
    segments = merge_ranges((start, end) for start, end, _ in ranges)
    # The text with everything but running text blanked out (offsets unchanged).
    pieces: list[str] = []
    pos = 0
    for start, end in segments:
        pieces.append("\0" * (start - pos))
        pieces.append(text[start:end])
        pos = end
    pieces.append("\0" * (len(text) - pos))
    masked = "".join(pieces)
    quotes: dict[int, list[int]] = {}
    range_starts = [r[0] for r in ranges]
    for at in _quote_offsets(masked):
        box = ranges[bisect.bisect_right(range_starts, at) - 1][2]
        quotes.setdefault(box, []).append(at)
    # Quotations, and italics MediaWiki closes at the end of their line (titles, as every
    # italic span), are not running text.
    quoted = merge_ranges([*_quoted_ranges(text, quotes), *open_italics(doc)])
    starts = [s for s, _ in quoted]
    found = []
    # Every date holds a four-digit year: runs without one are not scanned for dates.
    dates = [
        date
        for seg_start, seg_end in segments
        if seg_end - seg_start >= _SHORTEST_DATE and _YEAR_DIGITS.search(masked, seg_start, seg_end)
        for date in find_prose_dates(masked, seg_start, seg_end)
    ]
    for date in dates:
        i = bisect.bisect_right(starts, date.start) - 1
        if i >= 0 and date.start < quoted[i][1]:
            continue
        if doc.in_protected(date.start):
            continue
        found.append(date)
    return found
