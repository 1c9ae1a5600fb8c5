"""The shared index of references and notes, built once per pass for every reference rule.

``references(ctx)`` returns a :class:`References` index of everything that defines or reuses a
footnote in the page (MediaWiki's Cite extension semantics):

- ``<ref>`` tags (definitions and reuses, ``<ref Name=…>`` attribute names are
  case-insensitive, ``name=foo`` is ``name="foo"``, values are trimmed as MediaWiki does);
- ``{{#tag:ref|content|name=…|group=…}}``;
- footnote templates: the efn family (fixed groups: ``efn-ua`` is ``upper-alpha``, …) and
  ``{{refn|group=…}}``, a definition when they hold note text, a reuse otherwise;
- ``{{r|name|name2}}`` reuses (a definition with ``r=``/``reference=``);
- list-defined refs (``{{reflist|refs=…}}``, ``{{notelist|refs=…}}``,
  ``<references>…</references>``), which take the list's group when they have none.

Rules never re-walk the tree for references: they read this index, and the helpers here
(content normalization, ibid detection, the canonical reuse forms, name generation) so that
duplicate-ref, duplicate-efn, ref-name-conflict, undefined-ref, ref-punctuation and
repeated-source agree on what a reference is.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from mwparserfromhell.nodes import ExternalLink, Node, Tag, Template
from mwparserfromhell.nodes.extras import Attribute, Parameter
from mwparserfromhell.wikicode import Wikicode
from wikilint.rules.context import Context
from wikilint.rules.document import Document
from wikilint.rules.model import Edit, Fix
from wikilint.rules.naming import base_name, unique_name
from wikilint.rules.urls import is_archive_url, normalize_url, split_url
from wikilint.rules.wikitext import (
    EFN_TEMPLATES,
    is_footnote_template,
    normalize_content,
)

SHARED_KEY = "references"

# Kinds of entries.
TAG = "tag"  # <ref>
TAG_FN = "tag-fn"  # {{#tag:ref|…}}
NOTE = "note"  # {{efn}} family, {{refn}}
R = "r"  # {{r|name}}

# The group each efn-family template puts its notes in (``{{efn}}`` accepts ``group=`` too).
EFN_GROUPS = {
    "efn": "lower-alpha",
    "efn-la": "lower-alpha",
    "efn-ua": "upper-alpha",
    "efn-lr": "lower-roman",
    "efn-ur": "upper-roman",
    "efn-lg": "lower-greek",
    "efn-ll": "lower-latin",
    "efn-lu": "upper-latin",
}
_EFN_GROUP_VALUES = frozenset(
    {"note", "upper-alpha", "upper-roman", "lower-alpha", "lower-greek", "lower-roman"}
)
NOTE_TEXT_PARAMS = ("1", "reference", "content", "text")

# Templates that list references (list-defined refs inside them), with their default group.
LIST_TEMPLATES = {
    "reflist": "",
    "references": "",
    "refs": "",
    "reference list": "",
    "notelist": "lower-alpha",
    "notes": "lower-alpha",
    "notelist-la": "lower-alpha",
    "notelist-ua": "upper-alpha",
    "notelist-lr": "lower-roman",
    "notelist-ur": "upper-roman",
    "notelist-lg": "lower-greek",
}
REUSE_TEMPLATES = frozenset({"r"})
SFN_TEMPLATES = frozenset({"sfn", "sfnp", "sfnm", "sfnmp"})
_TAG_FN = re.compile(r"#tag:\s*ref", re.I)

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
# Whether a ref is an ibid-style back-reference (only found or not, never the match, counts):
#   (?<![\w.])(?:ibid|ibidem|id\.|op\.?\s*cit|loc\.?\s*cit)\b|\{\{\s*ibid\s*[|}]   (re.I)
# spelled without re.I (i also matches İ and ı) and starting with one character class, so that
# the regex engine skips to candidate letters instead of trying every position.
_I = "[iI\u0130\u0131]"
_IBID = re.compile(
    rf"[iI\u0130\u0131oOlL{{]"
    rf"(?:(?<=[iI\u0130\u0131])(?<![\w.].)(?:[bB]{_I}[dD]|[bB]{_I}[dD][eE][mM]|[dD]\.)\b"
    rf"|(?<=[oO])(?<![\w.].)[pP]\.?\s*[cC]{_I}[tT]\b"
    rf"|(?<=[lL])(?<![\w.].)[oO][cC]\.?\s*[cC]{_I}[tT]\b"
    rf"|(?<=\{{)\{{\s*{_I}[bB]{_I}[dD]\s*[|}}])"
)
# ``\bname`` case-insensitively, spelled so that the regex engine can skip ahead to an "n"
# (no letter of "name" has another case-insensitive match in Unicode).
_ANY_NAME = re.compile(
    r"""[nN](?<!\w[nN])[aA][mM][eE]\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)'|([^\s"'/<>|}]+))"""
)
_QUOTE_SAFE_NAME = re.compile(r"[^\s\"'/<>=]+")


def is_tag_fn(key: str) -> bool:
    return bool(_TAG_FN.fullmatch(key))


class NameSpan(NamedTuple):
    """Where a name is written: ``[start, end)`` of its value, and whether it is quoted."""

    start: int
    end: int
    quoted: bool
    param: bool  # a template parameter (``name=``/positional), not a tag attribute


@dataclass(frozen=True)  # no slots: the derived texts below are cached per instance
class Ref:
    """One definition or reuse of a footnote, of any kind."""

    kind: str  # TAG, TAG_FN, NOTE, R
    node: Node
    start: int
    end: int
    name: str | None  # trimmed; None when absent or empty
    group: str
    content: str | None  # as written; None for a reuse
    content_start: int
    content_end: int
    code: Wikicode | None  # the parsed content (None for a reuse)
    template_key: str  # NOTE/TAG_FN/R: the template key; TAG: ""
    list_defined: bool
    in_template: bool  # enclosed by a template other than a footnote template
    in_parser_function: bool  # inside {{#if:…}} and friends: may render zero or two times
    follow: bool  # <ref follow=…>: a continuation, not a definition of its own
    name_span: NameSpan | None

    @property
    def is_definition(self) -> bool:
        return self.content is not None and not self.follow

    @property
    def is_reuse(self) -> bool:
        return self.content is None and self.name is not None

    @functools.cached_property
    def norm(self) -> str:
        """Normalized content (whitespace runs collapsed, stripped)."""
        return normalize_content(self.content or "")

    @functools.cached_property
    def compare_key(self) -> str:
        """What MediaWiki compares: the normalized content without comments."""
        return normalize_content(_COMMENT.sub("", self.content or ""))

    @property
    def key(self) -> tuple[str, str]:
        return (self.group, self.name or "")

    @functools.cached_property
    def is_ibid(self) -> bool:
        return bool(_IBID.search(self.content or ""))


@dataclass
class References:
    """Every reference and note of the page, in source order, with lookups."""

    doc: Document
    refs: list[Ref]
    names: set[str]  # every ref/note name in the page, all groups
    definitions: dict[tuple[str, str], list[Ref]] = field(default_factory=dict)
    reuses: dict[tuple[str, str], list[Ref]] = field(default_factory=dict)
    _generated: dict[int, str] = field(default_factory=dict)
    _reserved: set[str] = field(default_factory=set)
    _note_groups: list[list[Ref]] | None = None

    def __post_init__(self) -> None:
        definitions: dict[tuple[str, str], list[Ref]] = defaultdict(list)
        reuses: dict[tuple[str, str], list[Ref]] = defaultdict(list)
        for ref in self.refs:
            if ref.name is None:
                continue
            if ref.is_definition:
                definitions[ref.key].append(ref)
            elif ref.is_reuse:
                reuses[ref.key].append(ref)
        self.definitions = dict(definitions)
        self.reuses = dict(reuses)

    # -- lookups -------------------------------------------------------------------------

    def of_kind(self, *kinds: str) -> Iterator[Ref]:
        return (r for r in self.refs if r.kind in kinds)

    def is_defined(self, group: str, name: str) -> bool:
        return (group, name) in self.definitions

    def has_conflict(self, group: str, name: str) -> bool:
        """Whether ``name`` is defined with more than one content (reuses are ambiguous)."""
        defs = self.definitions.get((group, name), [])
        return len({d.compare_key for d in defs}) > 1

    def where(self, offset: int) -> str:
        line, col = self.doc.line_col(offset)
        return f"{line}:{col}"

    # -- duplicate notes (shared by duplicate-efn and duplicate-ref) -----------------------

    def duplicate_note_groups(self) -> list[list[Ref]]:
        """Groups (≥ 2, source order) of footnote-template notes with the same template,
        group and normalized text."""
        if self._note_groups is not None:
            return self._note_groups
        buckets: dict[tuple[str, str, str], list[Ref]] = defaultdict(list)
        for ref in self.refs:
            if ref.kind != NOTE or not ref.is_definition or ref.list_defined:
                continue
            if ref.in_parser_function or not ref.norm:
                continue
            buckets[(ref.template_key, ref.group, ref.norm)].append(ref)
        self._note_groups = [group for group in buckets.values() if len(group) > 1]
        return self._note_groups

    def redundant_note_spans(self) -> list[tuple[int, int]]:
        return [(r.start, r.end) for group in self.duplicate_note_groups() for r in group[1:]]

    # -- names ----------------------------------------------------------------------------

    def generated_name(self, ref: Ref) -> str:
        """A readable name for ``ref``, unique in the page and among the names generated for
        other references in this pass (every rule asking for the same ref gets the same one)."""
        if ref.start not in self._generated:
            taken = self.names | self._reserved
            name = unique_name(base_name(ref.code, ref.content or ""), taken)
            self._reserved.add(name)
            self._generated[ref.start] = name
        return self._generated[ref.start]

    def rename_edits(self, group: str, old: str, new: str) -> list[Edit]:
        """Edits renaming every reuse of ``old`` (in ``group``) to ``new``."""
        return [
            name_edit(r.name_span, new)
            for r in self.reuses.get((group, old), [])
            if r.name_span is not None
        ]


# -- building ------------------------------------------------------------------------------


def references(ctx: Context) -> References:
    """The page's reference index, built once per pass."""
    return ctx.shared(SHARED_KEY, build)


def build(doc: Document) -> References:
    lists = _list_ranges(doc)
    refs: list[Ref] = []
    names: set[str] = set()
    for node in doc.nodes_of(Tag):
        if node.wiki_markup or _tag_name(doc, node) != "ref":
            continue
        ref = _from_tag(doc, node, lists)
        if ref.name:
            names.add(ref.name)
        if not doc.in_protected(ref.start):
            refs.append(ref)
    for use in doc.templates:
        made = list(_from_template(doc, use.node, use.key, lists))
        for ref in made:
            if ref.name:
                names.add(ref.name)
        refs.extend(r for r in made if not doc.in_protected(r.start))
    # Source order (tags and templates were collected apart; no two refs share this key).
    refs.sort(key=lambda r: (r.start, r.name_span.start if r.name_span else 0))
    # Names written anywhere (comments and nowiki too) are taken: a generated name must not
    # clash with one that a later edit uncomments.
    names.update(v.strip() for m in _ANY_NAME.finditer(doc.text) for v in m.groups() if v)
    return References(doc, refs, names)


def _list_ranges(doc: Document) -> list[tuple[int, int, str]]:
    """``[start, end)`` and default group of each list that defines references."""
    ranges = []
    for use in doc.templates:
        default = LIST_TEMPLATES.get(use.key)
        if default is None:
            continue
        param = doc.param(use.node, "refs")
        if param is None:
            continue
        group = doc.param_value(use.node, "group") or default
        start, end = doc.code_span(param.value)
        ranges.append((start, end, group))
    for node in doc.nodes_of(Tag):
        if not node.wiki_markup and _tag_name(doc, node) == "references":
            if node.self_closing:
                continue
            group = ""
            for attr in node.attributes:
                if _attr_name(doc, attr) == "group":
                    group = _attr_value(doc, attr)
            start, end = doc.code_span(node.contents)
            ranges.append((start, end, group))
    return ranges


def _enclosing(doc: Document, node: Node) -> tuple[bool, bool]:
    """(inside a non-footnote template, inside a parser function)."""
    in_template = in_pf = False
    for anc in doc.ancestors(node):
        if type(anc) is not Template:
            continue
        key = doc.template_use(anc).key
        if key.startswith("#"):
            if is_tag_fn(key):
                continue
            if not key.startswith("#invoke"):
                in_pf = True
                continue
        if not (is_footnote_template(key) or key in REUSE_TEMPLATES):
            in_template = True
    return in_template, in_pf


def _list_group(lists: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    for l_start, l_end, group in lists:
        if l_start <= start and end <= l_end:
            return group
    return None


def _from_tag(doc: Document, node: Tag, lists: list[tuple[int, int, str]]) -> Ref:
    start, end = doc.span(node)
    attrs: dict[str, str] = {}
    name_span = None
    for attr in node.attributes:
        key = _attr_name(doc, attr)
        value = _attr_value(doc, attr)
        attrs[key] = value
        if key == "name":
            if attr.value is not None:
                v_start, v_end = doc.code_span(attr.value)
                raw = doc.text[v_start:v_end]
                lead = len(raw) - len(raw.lstrip())
                trail = len(raw) - len(raw.rstrip())
                name_span = NameSpan(
                    v_start + lead, max(v_start + lead, v_end - trail), bool(attr.quotes), False
                )
            else:
                name_span = None
    list_group = _list_group(lists, start, end)
    group = attrs.get("group", list_group or "")
    if node.self_closing:
        content, c_start, c_end, code = None, end, end, None
    else:
        c_start, c_end = doc.code_span(node.contents)
        content, code = doc.text[c_start:c_end], node.contents
        if not normalize_content(_COMMENT.sub("", content)):
            content, code = None, None  # <ref name="x"></ref> is a reuse
    in_template, in_pf = _enclosing(doc, node)
    return Ref(
        kind=TAG,
        node=node,
        start=start,
        end=end,
        name=attrs.get("name") or None,
        group=group,
        content=content,
        content_start=c_start,
        content_end=c_end,
        code=code,
        template_key="",
        list_defined=list_group is not None,
        in_template=in_template,
        in_parser_function=in_pf,
        follow=bool(attrs.get("follow")) or bool(attrs.get("extends")),
        name_span=name_span,
    )


def _tag_name(doc: Document, node: Tag) -> str:
    """``tag_name(node.tag)`` of an HTML-style tag, from the text."""
    return doc.code_text(node.tag).strip().lower()


def _attr_name(doc: Document, attr: Attribute) -> str:
    return doc.code_text(attr.name).strip().lower()


def _attr_value(doc: Document, attr: Attribute) -> str:
    return doc.code_text(attr.value).strip() if attr.value is not None else ""


def _template_param(template: Template, name: str) -> str:
    # mwparserfromhell's get() returns the last parameter of that name, as MediaWiki reads it.
    return str(template.get(name).value).strip() if template.has(name) else ""


def _unquote(value: str) -> str:
    """A name given as a template parameter: ``{{#tag:ref}}`` drops matching quotes."""
    value = _COMMENT.sub("", value).strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value


def _param_span(doc: Document, param) -> NameSpan:
    start, end = doc.code_span(param.value)
    raw = doc.text[start:end]
    lead = len(raw) - len(raw.lstrip())
    trail = len(raw) - len(raw.rstrip())
    return NameSpan(start + lead, max(start + lead, end - trail), False, True)


def note_group(doc: Document, template: Template, key: str) -> str:
    if key == "refn":
        return doc.param_value(template, "group")
    if key == "efn":
        group = doc.param_value(template, "group")
        return group if group in _EFN_GROUP_VALUES else "lower-alpha"
    return EFN_GROUPS.get(key, key)


def _from_template(
    doc: Document, node: Template, key: str, lists: list[tuple[int, int, str]]
) -> Iterator[Ref]:
    is_note = is_footnote_template(key)
    tag_fn = not is_note and key.startswith("#") and is_tag_fn(key)
    if not (is_note or tag_fn or key in REUSE_TEMPLATES):
        return
    start, end = doc.span(node)
    in_template, in_pf = _enclosing(doc, node)
    list_group = _list_group(lists, start, end)
    common: dict[str, Any] = {
        "node": node,
        "start": start,
        "end": end,
        "template_key": key,
        "list_defined": list_group is not None,
        "in_template": in_template,
        "in_parser_function": in_pf,
        "follow": False,
    }
    if key in REUSE_TEMPLATES:
        yield from _from_r(doc, node, common)
        return
    if is_note:
        group = note_group(doc, node, key)
        text_param = doc.param(node, *NOTE_TEXT_PARAMS)
    else:
        group = doc.param_value(node, "group") or (list_group or "")
        text_param = doc.param(node, "1")
    name_param = doc.param(node, "name")
    name = _unquote(doc.code_text(name_param.value)) if name_param is not None else ""
    content = code = None
    c_start = c_end = end
    if text_param is not None:
        c_start, c_end = doc.code_span(text_param.value)
        raw = doc.text[c_start:c_end]
        if normalize_content(_COMMENT.sub("", raw)):
            content, code = raw, text_param.value
    yield Ref(
        kind=NOTE if is_note else TAG_FN,
        name=name or None,
        group=group,
        content=content,
        content_start=c_start,
        content_end=c_end,
        code=code,
        name_span=_param_span(doc, name_param) if name_param is not None else None,
        **common,
    )


def _from_r(doc: Document, node: Template, common: dict[str, Any]) -> Iterator[Ref]:
    group = doc.param_value(node, "group", "g")
    content_param = doc.param(node, "r", "reference", "refn")
    first = True
    for pname, param in doc.named_params(node):
        if param.showkey and pname not in {"name", "n"}:
            continue
        value = _unquote(doc.code_text(param.value))
        if not value:
            continue
        content = code = None
        c_start = c_end = common["end"]
        if first and content_param is not None and doc.code_text(content_param.value).strip():
            c_start, c_end = doc.code_span(content_param.value)
            content, code = doc.text[c_start:c_end], content_param.value
        first = False
        yield Ref(
            kind=R,
            name=value,
            group=group,
            content=content,
            content_start=c_start,
            content_end=c_end,
            code=code,
            name_span=_param_span(doc, param),
            **common,
        )


# -- writing ---------------------------------------------------------------------------------


def quote_name(name: str) -> str:
    return f'"{name}"'


def name_edit(span: NameSpan, new: str) -> Edit:
    """Rewrite a written name as ``new``, adding quotes to a tag attribute when needed."""
    if span.param or span.quoted or _QUOTE_SAFE_NAME.fullmatch(new):
        return Edit(span.start, span.end, new)
    return Edit(span.start, span.end, quote_name(new))


def writable_name(name: str) -> bool:
    """Whether a name can be written in the canonical forms (no quote, no markup)."""
    return bool(name) and not any(c in name for c in '"<>|{}[]\n')


def ref_reuse_form(name: str, group: str) -> str:
    """``<ref name="NAME" />`` (with ``group="G"`` when the ref has a group)."""
    group_attr = f" group={quote_name(group)}" if group else ""
    return f"<ref name={quote_name(name)}{group_attr} />"


def add_name_to_tag(doc: Document, ref: Ref, name: str) -> Edit:
    """The edit giving a ``<ref>`` (or ``{{#tag:ref}}``, a note) the name ``name``."""
    if ref.name_span is not None:  # an empty name="" is there: fill it in
        return name_edit(ref.name_span, name)
    node = ref.node
    if ref.kind == TAG:
        assert isinstance(node, Tag)
        _, tag_end = doc.code_span(node.tag)
        return Edit.insert(tag_end, f" name={quote_name(name)}")
    assert isinstance(node, Template)
    _, name_end = doc.code_span(node.name)
    return Edit.insert(name_end, f"|name={name}")


def note_reuse_form(ref: Ref, name: str) -> str:
    """``{{efn|name=NAME}}``, keeping the template's own name (and group, if written)."""
    node = ref.node
    assert isinstance(node, Template)
    written = _COMMENT.sub("", str(node.name)).strip()
    group = _template_param(node, "group")
    extra = f"|group={group}" if group and ref.template_key in {"refn", "efn"} else ""
    return f"{{{{{written}|name={name}{extra}}}}}"


def is_efn(key: str) -> bool:
    return key in EFN_TEMPLATES


# -- sources (repeated-source) -----------------------------------------------------------------

ARCHIVE_PARAMS = frozenset({"archive-url", "archiveurl", "archive_url", "archive url"})
_ISBN_TEXT = re.compile(r"\bISBN(?:-1[03])?[\s:]+((?:97[89][\s-]?)?(?:[0-9][\s-]?){9}[0-9Xx])\b")
_DOI_URL = re.compile(r"^(?:https?:)?//(?:dx\.)?doi\.org/(10\..+)$", re.I)


@functools.lru_cache(maxsize=4096)  # pure; a page cites many URLs more than once
def normalize_source_url(url: str) -> str | None:
    """A comparison key ignoring scheme, ``www.``, host case and a trailing slash
    (:func:`rules.urls.normalize_url`); None for archive URLs and non-web URLs."""
    _scheme, host, _rest = split_url(url)
    if not host or "." not in host or is_archive_url(url):
        return None
    return normalize_url(url)


def normalize_isbn(raw: str) -> str | None:
    digits = re.sub(r"[^0-9Xx]", "", raw).upper()
    if len(digits) == 10 and digits[:9].isdigit():
        core = "978" + digits[:9]
        total = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core))
        return core + str((10 - total % 10) % 10)
    if len(digits) == 13 and digits.isdigit():
        return digits
    return None


def normalize_doi(raw: str) -> str | None:
    raw = raw.strip()
    match = _DOI_URL.match(raw)
    if match:
        raw = match.group(1)
    raw = raw.strip().rstrip(".").lower()
    return raw if raw.startswith("10.") and "/" in raw else None


def source_keys(doc: Document, ref: Ref) -> list[str]:
    """``URL:…``, ``ISBN:…`` and ``DOI:…`` keys of the sources a definition cites."""
    code = ref.code
    if code is None:
        return []
    keys: list[str] = []
    archive_values: list[str] = []

    def add(kind: str, value: str | None) -> None:
        if value and f"{kind}:{value}" not in keys:
            keys.append(f"{kind}:{value}")

    # The templates and links inside the content, nested ones included, in source order
    # (what ``code.filter_templates(recursive=True)`` finds), from the document's indexes.
    start, end = doc.code_span(code)
    for use in doc.templates_within(start, end):
        for name, param in doc.named_params(use.node):
            pname = name.lower()
            if pname in ARCHIVE_PARAMS:
                archive_values.append(_param_text(doc, param))
            elif pname in {"isbn", "isbn13"} or (use.key == "isbn" and not param.showkey):
                add("ISBN", _part_of(doc, use.node, normalize_isbn(_param_text(doc, param))))
            elif pname == "doi" or (use.key == "doi" and not param.showkey):
                add("DOI", normalize_doi(_param_text(doc, param)))
    for link in doc.nodes_within(ExternalLink, start, end):
        url = doc.code_text(link.url).strip()
        if url in archive_values:
            continue
        doi = _DOI_URL.match(url)
        if doi:
            add("DOI", normalize_doi(url))
            continue
        add("URL", normalize_source_url(url))
    if "ISBN" in (ref.content or ""):  # the pattern needs the word: skip the scan without it
        for match in _ISBN_TEXT.finditer(_COMMENT.sub("", ref.content or "")):
            add("ISBN", normalize_isbn(match.group(1)))
    return keys


# A chapter of an edited volume, an entry of an encyclopedia or an article of a periodical is a
# work of its own: it shares the volume's ISBN with the other parts but is not the same source.
_PART_PARAMS = (
    "chapter",
    "contribution",
    "entry",
    "article",
    "section",
    "script-chapter",
    "trans-chapter",
)
# In these, title= names the entry and encyclopedia= (dictionary=) the volume.
_ENTRY_TEMPLATES = frozenset(
    {"cite encyclopedia", "cite encyclopaedia", "cite dictionary", "encyclopedia"}
)
# With one of these, title= names a part and the parameter the volume that holds it.
_CONTAINER_PARAMS = (
    "encyclopedia",
    "encyclopaedia",
    "dictionary",
    "journal",
    "magazine",
    "periodical",
    "newspaper",
    "work",
    "website",
)


def _part_of(doc: Document, template: Template, isbn: str | None) -> str | None:
    """The ISBN key of a citation, narrowed to the chapter, entry or article it cites, if any."""
    part = doc.param_value(template, *_PART_PARAMS)
    if not part and (
        doc.template_use(template).key in _ENTRY_TEMPLATES
        or doc.param_value(template, *_CONTAINER_PARAMS)
    ):
        part = doc.param_value(template, "title")
    if not isbn or not part:
        return isbn
    return f"{isbn}#{normalize_title(part)}"


def normalize_title(title: str) -> str:
    """A title as a comparison key: comments, markup quotes and case dropped, spaces collapsed."""
    return " ".join(_COMMENT.sub("", title).replace("''", "").casefold().split())


def isbn_titles(doc: Document, ref: Ref, isbn: str) -> list[str]:
    """The ``title=`` (comments dropped) of each citation template in ``ref`` whose ISBN is
    ``isbn`` (an ISBN key's value, without a part)."""
    code = ref.code
    if code is None:
        return []
    start, end = doc.code_span(code)
    titles = []
    for use in doc.templates_within(start, end):
        for name, param in doc.named_params(use.node):
            if (
                name.lower() in {"isbn", "isbn13"}
                and normalize_isbn(_param_text(doc, param)) == isbn
            ):
                title = _COMMENT.sub("", doc.param_value(use.node, "title")).strip()
                if title:
                    titles.append(title)
    return titles


def _param_text(doc: Document, param: Parameter) -> str:
    return _COMMENT.sub("", doc.code_text(param.value)).strip()


# -- merging copies (duplicate-ref, duplicate-efn) ------------------------------------------------


def merge_name(index: References, group: list[Ref]) -> str | None:
    """The name the first of several identical copies keeps: its own, else a later copy's,
    else a generated one (None when the first's own name cannot be written back)."""
    first = group[0]
    if first.name:
        return first.name if writable_name(first.name) else None
    for later in group[1:]:
        if later.name and writable_name(later.name) and not index.has_conflict(*later.key):
            return later.name
    return index.generated_name(first)


def merge_fix(
    index: References, first: Ref, dup: Ref, name: str | None, reuse_form: Callable[[Ref, str], str]
) -> Fix | None:
    """Name the first copy, turn ``dup`` into ``reuse_form(dup, name)`` and point every reuse of a
    name merged away at ``name``. None when that cannot be done safely."""
    if name is None:
        return None
    edits = []
    if first.name != name:
        edits.append(add_name_to_tag(index.doc, first, name))
    edits.append(Edit(dup.start, dup.end, reuse_form(dup, name)))
    if dup.name and dup.name != name:
        if index.has_conflict(*dup.key):
            return None
        edits.extend(
            e
            for e in index.rename_edits(dup.group, dup.name, name)
            if not (dup.start <= e.start < dup.end)  # the copy itself is replaced whole
        )
    try:
        return Fix.safe(*edits)
    except ValueError:  # overlapping edits: leave it to a person
        return None
