"""Parse once, index everything: the one view of a text that every rule reads.

mwparserfromhell nodes carry no offsets, so :class:`Document` walks the tree once and
computes each node's exact ``[start, end)`` from its markup (children come in source order).
The walk never calls ``str(node)`` on containers, so it stays linear in the text size.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.nodes.extras import Attribute
from mwparserfromhell.wikicode import Wikicode

from rules.wikitext import PROTECTED_TAGS, tag_name, template_key

# The C tokenizer stops at NUL; a same-length stand-in keeps every offset valid.
_NUL_STANDIN = "\ufffd"
_UNCLOSED_COMMENT = re.compile(r"<!--")


class ParseError(Exception):
    """The text could not be parsed (e.g. nesting too deep for the parser)."""


class SectionNotFound(LookupError):
    def __init__(self, wanted: str | int, available: list[Section]) -> None:
        self.wanted = wanted
        self.available = available
        names = ", ".join(f"{s.number}: {s.title!r}" for s in available[:12]) or "none"
        super().__init__(f"no section {wanted!r} (sections: {names})")


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and everything up to the next heading of the same or a higher level."""

    number: int  # MediaWiki's section number: 1 is the first heading (0 is the lead)
    level: int
    title: str
    heading_start: int
    heading_end: int
    start: int  # == heading_start
    end: int


@dataclass(frozen=True, slots=True)
class RefTag:
    """A ``<ref>`` tag, with what rules need to group and compare references."""

    node: Tag
    start: int
    end: int
    name: str | None
    group: str
    content: str | None  # None for a self-closing ``<ref … />``
    content_start: int
    content_end: int
    in_template: Template | None  # innermost enclosing template, if any
    list_defined: bool  # inside ``<references>…</references>`` or ``{{reflist|refs=…}}``

    @property
    def is_reuse(self) -> bool:
        return self.content is None or not self.content.strip()


@dataclass(frozen=True, slots=True)
class TemplateUse:
    node: Template
    key: str  # lower-cased normalized name, see rules.wikitext.template_key
    start: int
    end: int


class Document:
    """A parsed text with offsets, lines, protected ranges, sections and shared indexes."""

    def __init__(self, text: str, code: Wikicode) -> None:
        self.text = text
        self.code = code
        self.nodes: list[Node] = []  # pre-order, i.e. source order
        self._node_spans: dict[int, tuple[int, int]] = {}
        self._code_spans: dict[int, tuple[int, int]] = {}
        self._parents: dict[int, Node | None] = {}
        self._by_type: dict[type, list[Node]] = defaultdict(list)
        end = self._walk_code(code, 0, None)
        if end != len(text):
            raise ParseError(f"span index covers {end} of {len(text)} characters")
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.templates: list[TemplateUse] = []
        self.templates_by_key: dict[str, list[TemplateUse]] = defaultdict(list)
        self.refs: list[RefTag] = []
        self._index()
        self.protected: list[tuple[int, int]] = self._protected_ranges()
        self._protected_starts = [s for s, _ in self.protected]
        self.sections: list[Section] = self._sections()

    # -- construction -------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, verify: bool = False) -> Document:
        """Parse ``text``. The span walk always checks that the parse covers the whole text;
        ``verify`` also compares the parse's string form to the text (do it before a save)."""
        source = text.replace("\0", _NUL_STANDIN) if "\0" in text else text
        try:
            code = mwparserfromhell.parse(source, skip_style_tags=False)
            doc = cls(text, code)
            if verify and str(code) != source:
                raise ParseError("the parse does not round-trip")
        except RecursionError as exc:
            raise ParseError("nesting too deep to parse") from exc
        return doc

    def _walk_code(self, code: Wikicode, pos: int, parent: Node | None) -> int:
        start = pos
        for node in code.nodes:
            pos = self._walk_node(node, pos, parent)
        self._code_spans[id(code)] = (start, pos)
        return pos

    def _walk_attr(self, attr: Attribute, pos: int, parent: Node) -> int:
        pos = self._walk_code(attr.name, pos + len(attr.pad_first), parent)
        pos += len(attr.pad_before_eq)
        if attr.value is not None:
            pos += 1 + len(attr.pad_after_eq)
            quotes = attr.quotes or ""
            pos = self._walk_code(attr.value, pos + len(quotes), parent) + len(quotes)
        return pos

    def _walk_node(self, node: Node, pos: int, parent: Node | None) -> int:
        start = pos
        self.nodes.append(node)
        self._parents[id(node)] = parent
        kind = type(node)
        self._by_type[kind].append(node)
        if kind is Text:
            pos += len(node.value)
        elif kind is Template:
            pos = self._walk_code(node.name, pos + 2, node)
            for param in node.params:
                pos += 1
                if param.showkey:
                    pos = self._walk_code(param.name, pos, node) + 1
                pos = self._walk_code(param.value, pos, node)
            pos += 2
        elif kind is Tag:
            pos = self._walk_tag(node, pos)
        elif kind is Wikilink:
            pos = self._walk_code(node.title, pos + 2, node)
            if node.text is not None:
                pos = self._walk_code(node.text, pos + 1, node)
            pos += 2
        elif kind is ExternalLink:
            if node.brackets:
                pos = self._walk_code(node.url, pos + 1, node)
                if node.title is not None:
                    pos += 0 if node.suppress_space is True else 1
                    pos = self._walk_code(node.title, pos, node)
                pos += 1
            else:
                pos = self._walk_code(node.url, pos, node)
        elif kind is Comment:
            pos += len(node.contents) + 7
        elif kind is Heading:
            pos = self._walk_code(node.title, pos + node.level, node) + node.level
        elif kind is Argument:
            pos = self._walk_code(node.name, pos + 3, node)
            if node.default is not None:
                pos = self._walk_code(node.default, pos + 1, node)
            pos += 3
        elif kind is HTMLEntity:
            pos += len(str(node))
        else:  # an unknown node type: treat it as opaque
            pos += len(str(node))
        self._node_spans[id(node)] = (start, pos)
        return pos

    def _walk_tag(self, node: Tag, pos: int) -> int:
        if node.wiki_markup:
            pos += len(node.wiki_markup)
            for attr in node.attributes:
                pos = self._walk_attr(attr, pos, node)
            pos += len(node.padding or "") + len(node.wiki_style_separator or "")
            if not node.self_closing:
                pos = self._walk_code(node.contents, pos, node)
                pos += len(node.closing_wiki_markup or "")
            return pos
        pos += 2 if node.invalid else 1
        pos = self._walk_code(node.tag, pos, node)
        for attr in node.attributes:
            pos = self._walk_attr(attr, pos, node)
        if node.self_closing:
            return pos + len(node.padding) + (1 if node.implicit else 2)
        pos = self._walk_code(node.contents, pos + len(node.padding) + 1, node)
        pos = self._walk_code(node.closing_tag, pos + 2, node)
        return pos + 1

    # -- offsets and lines --------------------------------------------------------------

    def span(self, node: Node) -> tuple[int, int]:
        """``[start, end)`` of a node: ``text[start:end] == str(node)``."""
        return self._node_spans[id(node)]

    def code_span(self, code: Wikicode) -> tuple[int, int]:
        """``[start, end)`` of a node list (a parameter value, a tag's contents, …)."""
        return self._code_spans[id(code)]

    def parent(self, node: Node) -> Node | None:
        return self._parents.get(id(node))

    def ancestors(self, node: Node) -> Iterator[Node]:
        current = self._parents.get(id(node))
        while current is not None:
            yield current
            current = self._parents.get(id(current))

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of an offset."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    def nodes_of(self, kind: type[Any]) -> list[Any]:
        """Every node of exactly this type, in source order."""
        return self._by_type.get(kind, [])

    # -- indexes ------------------------------------------------------------------------

    def _index(self) -> None:
        list_defined_ranges: list[tuple[int, int]] = []
        for node in self.nodes_of(Template):
            start, end = self.span(node)
            use = TemplateUse(node, template_key(node), start, end)
            self.templates.append(use)
            self.templates_by_key[use.key].append(use)
            if use.key in {"reflist", "references"} and node.has("refs"):
                list_defined_ranges.append(self.code_span(node.get("refs").value))
        ref_tags = []
        for node in self.nodes_of(Tag):
            if node.wiki_markup:
                continue
            name = tag_name(node.tag)
            if name == "ref":
                ref_tags.append(node)
            elif name == "references" and not node.self_closing:
                list_defined_ranges.append(self.code_span(node.contents))
        self.refs = [self._ref_tag(node, list_defined_ranges) for node in ref_tags]

    def _ref_tag(self, node: Tag, list_defined_ranges: list[tuple[int, int]]) -> RefTag:
        start, end = self.span(node)
        attrs = {tag_name(a.name): str(a.value or "").strip() for a in node.attributes}
        if node.self_closing:
            content, c_start, c_end = None, end, end
        else:
            c_start, c_end = self.code_span(node.contents)
            content = self.text[c_start:c_end]
        enclosing = next((a for a in self.ancestors(node) if type(a) is Template), None)
        return RefTag(
            node=node,
            start=start,
            end=end,
            name=attrs.get("name") or None,
            group=attrs.get("group", ""),
            content=content,
            content_start=c_start,
            content_end=c_end,
            in_template=enclosing,
            list_defined=any(s <= start and end <= e for s, e in list_defined_ranges),
        )

    def _protected_ranges(self) -> list[tuple[int, int]]:
        ranges = [self.span(node) for node in self.nodes_of(Comment)]
        ranges += [
            self.span(node)
            for node in self.nodes_of(Tag)
            if not node.wiki_markup and tag_name(node.tag) in PROTECTED_TAGS
        ]
        # MediaWiki hides an unclosed "<!--" to the end of the page; the parser keeps it as text.
        for match in _UNCLOSED_COMMENT.finditer(self.text):
            at = match.start()
            if not _inside(ranges, at):
                close = self.text.find("-->", at + 4)
                ranges.append((at, len(self.text) if close < 0 else close + 3))
        return _merge(ranges)

    def is_protected(self, start: int, end: int | None = None) -> bool:
        """Whether ``[start, end)`` touches a protected region (an insertion: lies inside one)."""
        end = start if end is None else end
        i = bisect.bisect_right(self._protected_starts, end if end > start else start) - 1
        while i >= 0:
            p_start, p_end = self.protected[i]
            if end > start and start < p_end and p_start < end:
                return True
            if end == start and p_start < start < p_end:
                return True
            if p_end <= start:
                break
            i -= 1
        return False

    def in_protected(self, offset: int) -> bool:
        """Whether the character at ``offset`` belongs to a protected region."""
        i = bisect.bisect_right(self._protected_starts, offset) - 1
        return i >= 0 and offset < self.protected[i][1]

    def _sections(self) -> list[Section]:
        headings: list[tuple[int, int, int, str]] = []
        for node in self.nodes_of(Heading):
            if any(type(a) is not Tag or tag_name(a.tag) in _NON_SECTION_TAGS
                   for a in self.ancestors(node)):
                continue
            start, end = self.span(node)
            if self.is_protected(start, end):
                continue
            title = node.title.strip_code().strip()
            headings.append((start, end, node.level, title))
        sections = []
        for i, (start, end, level, title) in enumerate(headings):
            stop = len(self.text)
            for later in headings[i + 1 :]:
                if later[2] <= level:
                    stop = later[0]
                    break
            sections.append(Section(i + 1, level, title, start, end, start, stop))
        return sections

    def find_section(self, wanted: str | int) -> Section:
        """A section by 1-based number (an int, or a string of digits) or by title (exact,
        then case-insensitive). A string of digits that is no section number is tried as a
        title, so a section called "1919" can still be found by name."""
        if isinstance(wanted, int):
            for section in self.sections:
                if section.number == wanted:
                    return section
            raise SectionNotFound(wanted, self.sections)
        title = " ".join(wanted.split())
        candidates = []
        if title.isdigit():
            candidates.append(lambda s: s.number == int(title))
        candidates += [
            lambda s: s.title == title,
            lambda s: s.title.casefold() == title.casefold(),
        ]
        for match in candidates:
            for section in self.sections:
                if match(section):
                    return section
        raise SectionNotFound(wanted, self.sections)

    def section_at(self, offset: int) -> Section | None:
        """The innermost section containing an offset."""
        best = None
        for section in self.sections:
            inside = section.start <= offset < section.end
            if inside and (best is None or section.level >= best.level):
                best = section
        return best


# Headings inside these are not page sections (MediaWiki does not number them).
_NON_SECTION_TAGS = (
    frozenset({"ref", "references", "gallery", "poem", "blockquote"}) | PROTECTED_TAGS
)


def _inside(ranges: list[tuple[int, int]], at: int) -> bool:
    return any(s <= at < e for s, e in ranges)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
