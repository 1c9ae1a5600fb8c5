"""Parse once, index everything: the one view of a text that every rule reads.

mwparserfromhell nodes carry no offsets, so :class:`Document` walks the tree once and
computes each node's exact ``[start, end)`` from its markup (children come in source order).
The walk never calls ``str(node)`` on containers, so it stays linear in the text size.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.nodes.extras import Attribute, Parameter
from mwparserfromhell.parser import ParserError
from mwparserfromhell.wikicode import Wikicode
from wikilint.rules import quotes
from wikilint.rules.parsecost import too_slow_to_parse
from wikilint.rules.sections import headings as mediawiki_headings
from wikilint.rules.wikitext import (
    PROTECTED_TAGS,
    protected_ranges,
    strip_comments,
    tag_name,
    template_key,
)

# The C tokenizer stops at NUL; a same-length stand-in keeps every offset valid.
_NUL_STANDIN = "\ufffd"


class ParseError(Exception):
    """The text could not be parsed (e.g. nesting too deep for the parser)."""


class SectionNotFound(LookupError):
    """The message stays short on any page: a count and the first few titles, each cut."""

    SHOWN = 6  # titles listed
    TITLE_CHARS = 40  # characters of each title listed

    def __init__(self, wanted: str | int, available: list[Section]) -> None:
        self.wanted = wanted
        self.available = available
        shown = wanted if isinstance(wanted, int) else _cut(wanted, self.TITLE_CHARS)
        super().__init__(f"no section {shown!r} ({self._listing(available)})")

    def __reduce__(self) -> tuple[type[SectionNotFound], tuple[str | int, list[Section]]]:
        # Rebuilt from its own arguments (it crosses from the lint worker process).
        return type(self), (self.wanted, self.available)

    @classmethod
    def _listing(cls, available: list[Section]) -> str:
        if not available:
            return "the page has no sections"
        names = ", ".join(
            f"{s.number}: {_cut(s.title, cls.TITLE_CHARS)!r}" for s in available[: cls.SHOWN]
        )
        more = len(available) - cls.SHOWN
        count = f"{len(available)} section{'' if len(available) == 1 else 's'}"
        return f"{count}: {names}" + (f", … {more} more" if more > 0 else "")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Section(NamedTuple):
    """A heading and everything up to the next heading of the same or a higher level."""

    number: int  # MediaWiki's section number: 1 is the first heading (0 is the lead)
    level: int
    title: str
    heading_start: int
    heading_end: int
    start: int  # == heading_start
    end: int


class RefTag(NamedTuple):
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


class TemplateUse(NamedTuple):
    node: Template
    key: str  # lower-cased normalized name, see rules.wikitext.template_key
    start: int
    end: int


class Document:
    """A parsed text with offsets, lines, protected ranges, sections and shared indexes."""

    def __init__(self, text: str, code: Wikicode, hidden: Sequence[tuple[int, int]] = ()) -> None:
        """``code`` is the parse of ``text``, or of ``text`` with the apostrophe runs
        ``hidden`` behind stand-ins (see rules.quotes): those are put back into the tree here."""
        self.text = text
        self.code = code
        # What the parser saw (NUL replaced): ``_source[span]`` is exactly ``str(node)``.
        self._source = text.replace("\0", _NUL_STANDIN) if "\0" in text else text
        self.nodes: list[Node] = []  # pre-order, i.e. source order
        self._node_spans: dict[int, tuple[int, int]] = {}
        self._code_spans: dict[int, tuple[int, int]] = {}
        self._parents: dict[int, Node | None] = {}
        self._by_type: dict[type, list[Node]] = {}  # every kind but Text (see nodes_of)
        end = self._walk_code(code, 0, None)
        if end != len(text):
            raise ParseError(f"span index covers {end} of {len(text)} characters")
        if hidden:
            quotes.put_back(self, list(hidden))
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.templates: list[TemplateUse] = []
        self.templates_by_key: dict[str, list[TemplateUse]] = defaultdict(list)
        self._uses: dict[int, TemplateUse] = {}
        self._named_params: dict[int, list[tuple[str, Parameter]]] = {}
        self._params: dict[int, dict[str, Parameter]] = {}
        self._template_starts: list[int] | None = None
        self._starts_of: dict[type, list[int]] = {}
        self._index_templates()
        self.protected: list[tuple[int, int]] = self._protected_ranges()
        self._protected_starts = [s for s, _ in self.protected]

    # -- construction -------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, verify: bool = False) -> Document:
        """Parse ``text``. The span walk always checks that the parse covers the whole text;
        ``verify`` also compares the parse's string form to the text (do it before a save)."""
        source = text.replace("\0", _NUL_STANDIN) if "\0" in text else text
        slow = too_slow_to_parse(source)
        if slow is not None:  # refuse at once rather than spend minutes in the tokenizer
            raise ParseError(slow)
        try:
            doc = quotes.parse_by_lines(text, source, cls)
            if verify:
                doc.verify_round_trip()
        except RecursionError as exc:
            raise ParseError("nesting too deep to parse") from exc
        except ParserError as exc:
            raise ParseError(f"the parser failed: {exc}") from exc
        return doc

    def verify_round_trip(self) -> None:
        """Raise :class:`ParseError` unless the parse's string form is the text (before a
        save: spans of a parse that does not round-trip would lie)."""
        if str(self.code) != self._source:
            raise ParseError("the parse does not round-trip")

    # The span walk is the hottest loop of a lint pass (one step per node of the page), hence
    # the local names, Text handled inline (most nodes are Text), and the fields of the most
    # common nodes read directly instead of through their properties (the fields
    # rules/builder.py fills, checked against mwparserfromhell's own by its tests).
    def _walk_code(self, code: Wikicode, pos: int, parent: Node | None) -> int:
        start = pos
        spans = self._node_spans
        parents = self._parents
        add = self.nodes.append
        for node in code._nodes:
            add(node)
            key = id(node)
            parents[key] = parent
            end = pos + len(node._value) if type(node) is Text else self._walk_node(node, pos)
            spans[key] = (pos, end)
            pos = end
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

    def _walk_node(self, node: Any, pos: int) -> int:  # a Node; read by its exact type
        """The end of a non-Text ``node`` starting at ``pos``; walks its children."""
        kind = type(node)
        by_type = self._by_type.get(kind)
        if by_type is None:
            by_type = self._by_type[kind] = []
        by_type.append(node)
        walk = self._walk_code
        if kind is Template:
            pos = walk(node._name, pos + 2, node)
            for param in node._params:
                pos += 1
                if param._showkey:
                    pos = walk(param._name, pos, node) + 1
                pos = walk(param._value, pos, node)
            return pos + 2
        if kind is Tag:
            return self._walk_tag(node, pos)
        if kind is Wikilink:
            pos = walk(node._title, pos + 2, node)
            if node._text is not None:
                pos = walk(node._text, pos + 1, node)
            return pos + 2
        if kind is ExternalLink:
            if node.brackets:
                pos = walk(node.url, pos + 1, node)
                if node.title is not None:
                    pos += 0 if node.suppress_space is True else 1
                    pos = walk(node.title, pos, node)
                return pos + 1
            return walk(node.url, pos, node)
        if kind is Comment:
            return pos + len(node.contents) + 7
        if kind is Heading:
            return walk(node.title, pos + node.level, node) + node.level
        if kind is Argument:
            pos = walk(node.name, pos + 3, node)
            if node.default is not None:
                pos = walk(node.default, pos + 1, node)
            return pos + 3
        # HTMLEntity, and any unknown node type (treated as opaque)
        return pos + len(str(node))

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
        if kind is Text and Text not in self._by_type:  # the walk skips Text: listed on demand
            self._by_type[Text] = [n for n in self.nodes if type(n) is Text]
        return self._by_type.get(kind, [])

    def node_text(self, node: Node) -> str:
        """``str(node)``, read from the text instead of rebuilt from the tree."""
        start, end = self._node_spans[id(node)]
        return self._source[start:end]

    def code_text(self, code: Wikicode) -> str:
        """``str(code)`` of a node list (a parameter's name or value, a tag's contents, …),
        read from the text instead of rebuilt from the tree."""
        start, end = self._code_spans[id(code)]
        return self._source[start:end]

    # -- templates and their parameters -------------------------------------------------

    def templates_within(self, start: int, end: int) -> list[TemplateUse]:
        """The templates starting in ``[start, end)``, in source order (for a span that is a
        node list's, e.g. a ref's content: the templates inside it, nested ones included)."""
        if self._template_starts is None:
            self._template_starts = [use.start for use in self.templates]
        lo = bisect.bisect_left(self._template_starts, start)
        hi = bisect.bisect_left(self._template_starts, end, lo)
        return self.templates[lo:hi]

    def nodes_within(self, kind: type[Any], start: int, end: int) -> list[Any]:
        """The nodes of exactly this type starting in ``[start, end)``, in source order."""
        nodes = self.nodes_of(kind)
        starts = self._starts_of.get(kind)
        if starts is None:
            spans = self._node_spans
            starts = self._starts_of[kind] = [spans[id(n)][0] for n in nodes]
        lo = bisect.bisect_left(starts, start)
        return nodes[lo : bisect.bisect_left(starts, end, lo)]

    def template_use(self, node: Template) -> TemplateUse:
        """The :class:`TemplateUse` (key, span) of a template node of this document."""
        return self._uses[id(node)]

    def named_params(self, template: Template) -> list[tuple[str, Parameter]]:
        """Every parameter of a template with its stripped name (positional ones as ``"1"``,
        ``"2"``, …), in order. Built once per template and shared, so that no rule needs to
        stringify parameter names itself."""
        found = self._named_params.get(id(template))
        if found is None:
            # Positional names are not in the text (so not walked); they are short strings.
            found = [
                (self.code_text(p.name).strip() if p.showkey else str(p.name), p)
                for p in template.params
            ]
            self._named_params[id(template)] = found
        return found

    def params(self, template: Template) -> dict[str, Parameter]:
        """A template's parameters by stripped name; a repeated name maps to its last
        occurrence, as MediaWiki reads it."""
        found = self._params.get(id(template))
        if found is None:
            found = self._params[id(template)] = dict(self.named_params(template))
        return found

    def param(self, template: Template, *names: str) -> Parameter | None:
        """The last parameter with one of these names (MediaWiki: the last one wins)."""
        by_name = self.params(template)
        if len(names) == 1:
            return by_name.get(names[0])
        found = [p for p in (by_name.get(n) for n in names) if p is not None]
        if len(found) < 2:
            return found[0] if found else None
        return max(found, key=lambda p: self._code_spans[id(p.value)][0])

    def param_value(self, template: Template, *names: str) -> str:
        """The stripped text of a parameter (:meth:`param`), or ``""`` when absent."""
        param = self.param(template, *names)
        return self.code_text(param.value).strip() if param is not None else ""

    def value_span(self, param: Parameter) -> tuple[int, int]:
        """``[start, end)`` of a parameter's value without its surrounding whitespace."""
        start, end = self.code_span(param.value)
        raw = self.text[start:end]
        lead = len(raw) - len(raw.lstrip())
        trail = len(raw) - len(raw.rstrip())
        return start + lead, max(start + lead, end - trail)

    # -- indexes ------------------------------------------------------------------------

    def _index_templates(self) -> None:
        source = self._source
        spans = self._node_spans
        code_spans = self._code_spans
        for node in self.nodes_of(Template):
            start, end = spans[id(node)]
            n_start, n_end = code_spans[id(node.name)]
            use = TemplateUse(node, template_key(source[n_start:n_end]), start, end)
            self.templates.append(use)
            self.templates_by_key[use.key].append(use)
            self._uses[id(node)] = use

    @functools.cached_property
    def refs(self) -> list[RefTag]:
        """Every ``<ref>`` tag, in source order (built on first use)."""
        list_defined_ranges: list[tuple[int, int]] = []
        for use in self.templates:
            if use.key in {"reflist", "references"} and use.node.has("refs"):
                list_defined_ranges.append(self.code_span(use.node.get("refs").value))
        ref_tags = []
        for node in self.nodes_of(Tag):
            if node.wiki_markup:
                continue
            name = tag_name(node.tag)
            if name == "ref":
                ref_tags.append(node)
            elif name == "references" and not node.self_closing:
                list_defined_ranges.append(self.code_span(node.contents))
        return [self._ref_tag(node, list_defined_ranges) for node in ref_tags]

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
        return protected_ranges(self.text, ranges)

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

    @functools.cached_property
    def sections(self) -> list[Section]:
        """The page's sections, in source order, numbered as MediaWiki numbers them for
        ``section=N`` edits (see rules.sections; built on first use)."""
        nodes = {self._node_spans[id(node)][0]: node for node in self.nodes_of(Heading)}
        lines = mediawiki_headings(self.text)
        # A section ends at the next heading of its level or a higher one: the headings still
        # open form a stack of rising levels, closed as such a heading comes (linear).
        stops = [len(self.text)] * len(lines)
        open_sections: list[int] = []
        for i, line in enumerate(lines):
            while open_sections and lines[open_sections[-1]].level >= line.level:
                stops[open_sections.pop()] = line.start
            open_sections.append(i)
        sections = []
        for line, stop in zip(lines, stops, strict=True):
            node = nodes.get(line.start)
            if node is not None and node.level == line.level:
                title = _heading_title(node)
            else:  # a heading mwparserfromhell reads otherwise (e.g. "=====")
                title = strip_comments(self.text[line.title_start : line.title_end]).strip()
            sections.append(
                Section(line.index, line.level, title, line.start, line.end, line.start, stop)
            )
        return sections

    @functools.cached_property
    def _section_starts(self) -> list[int]:
        return [section.start for section in self.sections]

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
        """The innermost section containing an offset: the last heading at or before it (a
        section holds every later heading up to its end, and each of those is deeper)."""
        i = bisect.bisect_right(self._section_starts, offset) - 1
        if i < 0 or offset >= self.sections[i].end:
            return None
        return self.sections[i]


def _heading_title(heading: Heading) -> str:
    """A heading's text without markup, comments or footnotes (as its anchor reads)."""
    parts = []
    for node in heading.title.nodes:
        if type(node) is Tag and tag_name(node.tag) == "ref":
            continue
        stripped = node.__strip__(normalize=True, collapse=True, keep_template_params=False)
        if stripped:
            parts.append(str(stripped))
    return " ".join("".join(parts).split())
