"""What rules.quotes needs of a first parse, read from mwparserfromhell's tokens (no tree).

A page whose bold or italic crosses a line is parsed a second time (see rules.quotes); its first
parse only serves to find the runs to hide. Building that parse's tree and :class:`Document`
costs about three times the tokenizing, so the first reading is done on the token list itself:
:func:`has_crossing_style` tells whether a page needs the second parse at all (on every page,
before its tree is built), and :func:`read_spans` gives, for those that do, the spans the runs
are read from. A token's length in the text follows from the token, as the tree builder
(rules.builder) and the span walk (rules.document) read it; every text token is checked against
the text at its offset, and any disagreement gives ``None`` (the caller then builds the tree).
``tests/rules/test_tokenspans.py`` compares both with the :class:`Document` of the same text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

from mwparserfromhell.parser import tokens
from wikilint.rules.wikitext import PROTECTED_TAGS, tag_name

STYLE_MARKUP = frozenset({"''", "'''"})
_TagOpenOpen = tokens.TagOpenOpen
_TextToken = tokens.Text
# Tokens that open a node holding other tokens, and those that close one (an entity holds text
# only, so it needs neither).
_OPENS = frozenset(
    {
        tokens.TemplateOpen,
        tokens.ArgumentOpen,
        tokens.WikilinkOpen,
        tokens.ExternalLinkOpen,
        tokens.HeadingStart,
        tokens.CommentStart,
        tokens.TagOpenOpen,
    }
)
_CLOSES = frozenset(
    {
        tokens.TemplateClose,
        tokens.ArgumentClose,
        tokens.WikilinkClose,
        tokens.ExternalLinkClose,
        tokens.HeadingEnd,
        tokens.CommentEnd,
        tokens.TagCloseClose,
        tokens.TagCloseSelfclose,
    }
)


def has_crossing_style(token_list: list[Any]) -> bool:
    """Whether a bold or italic tag holds a line break in its own text (not in a template,
    link or tag inside it): what rules.quotes.crossing_runs finds in the tree."""
    kinds = list(map(type, token_list))
    at = -1
    while True:
        try:
            at = kinds.index(_TagOpenOpen, at + 1)
        except ValueError:
            return False
        if token_list[at].get("wiki_markup") in STYLE_MARKUP and _breaks_line(
            token_list, kinds, at
        ):
            return True


def _breaks_line(token_list: list[Any], kinds: list[type], at: int) -> bool:
    """Whether the style tag opened at ``at`` holds a line break in its own text."""
    depth = 0
    for i in range(at + 1, len(kinds)):
        kind = kinds[i]
        if kind is _TextToken:
            if depth == 0 and "\n" in token_list[i]["text"]:
                return True
        elif kind in _OPENS:
            depth += 1
        elif kind in _CLOSES:
            if depth == 0:
                return False
            depth -= 1
    return False


class TemplateSpans(NamedTuple):
    start: int
    end: int
    values: list[tuple[int, int]]  # each parameter's value, in order


class TagSpans(NamedTuple):
    name: str  # as rules.wikitext.tag_name reads it ("" for wiki markup)
    markup: str | None  # the wiki markup ("''", "{|", "*", …), None for an HTML-style tag
    start: int
    end: int
    contents_start: int | None  # None for a self-closing tag
    contents_end: int | None
    breaks_line: bool  # a line break in its own text (not in a node inside it)


class Spans(NamedTuple):
    """Spans of a text's nodes read from its tokens, each list in source order."""

    comments: list[tuple[int, int]]
    templates: list[TemplateSpans]
    tags: list[TagSpans]


class _Open:
    """A node whose closing token is still to come, as the tokens are read."""

    __slots__ = ("brackets", "index", "kind", "level", "start", "value_start")

    def __init__(self, kind: type, start: int, index: int = -1) -> None:
        self.kind = kind  # its opening token's type
        self.start = start
        self.index = index  # its entry in Spans.templates or Spans.tags
        self.value_start: int | None = None  # a template: where the value being read starts
        self.brackets = False  # an external link
        self.level = 0  # a heading


class _OpenTag(_Open):
    __slots__ = (
        "attribute",
        "breaks_line",
        "contents_end",
        "contents_start",
        "markup",
        "name",
        "name_start",
        "part",
    )

    def __init__(self, start: int, index: int, markup: str | None, name_start: int) -> None:
        super().__init__(_TagOpenOpen, start, index)
        self.markup = markup  # None: an HTML-style tag
        self.part = _NAME
        self.name_start = name_start
        self.name = ""
        self.contents_start: int | None = None
        self.contents_end: int | None = None
        self.attribute: _Attribute | None = None  # the attribute being read
        self.breaks_line = False


class _Attribute:
    __slots__ = ("has_value", "name_start", "pad_after_eq", "pad_before_eq", "quote")

    def __init__(self, token: Any, name_start: int) -> None:
        self.pad_before_eq = len(token.get("pad_before_eq") or "")
        self.pad_after_eq = len(token.get("pad_after_eq") or "")
        self.name_start = name_start
        self.quote = 0  # the length of its quote character
        self.has_value = False


# The part of a tag being read.
_NAME, _ATTRIBUTES, _CONTENTS, _CLOSING = range(4)
# Markup tokens of a fixed length in the text that open or close nothing this reading keeps.
_LENGTHS = {
    tokens.ArgumentSeparator: 1,
    tokens.WikilinkSeparator: 1,
    tokens.HTMLEntityStart: 1,
    tokens.HTMLEntityNumeric: 1,
    tokens.HTMLEntityEnd: 1,
}
# Simple nodes: their opening token and its length, their closing token and its length.
_SIMPLE = (
    (tokens.ArgumentOpen, 3, tokens.ArgumentClose, 3),
    (tokens.WikilinkOpen, 2, tokens.WikilinkClose, 2),
    (tokens.CommentStart, 4, tokens.CommentEnd, 3),
)


class _Unreadable(Exception):
    """The tokens do not lay out the text as this reading expects."""


def read_spans(token_list: list[Any], source: str) -> Spans | None:
    """The spans of the comments, templates (with their values) and tags of ``source`` from
    its tokens, or ``None`` when the tokens do not lay out the text exactly."""
    reader = _Reader(source)
    handlers, stack, startswith = reader.handlers, reader.stack, source.startswith
    try:
        for token in token_list:
            kind = type(token)
            if kind is not _TextToken:
                handlers[kind](token)
                continue
            text = token["text"]  # most tokens: read here
            if stack and type(stack[-1]) is _OpenTag and not reader.in_text(stack[-1], text):
                continue
            if not startswith(text, reader.pos):
                return None
            reader.pos += len(text)
    except (_Unreadable, KeyError):  # (KeyError: a token this reading does not know)
        return None
    if reader.stack or reader.pos != len(source):
        return None
    return reader.spans


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.stack: list[_Open] = []
        self.spans = Spans([], [], [])
        self.handlers: dict[type, Callable[[Any], None]] = {
            tokens.TemplateOpen: self._template_open,
            tokens.TemplateParamEquals: self._template_param,
            tokens.TemplateParamSeparator: self._template_param,
            tokens.TemplateClose: self._template_close,
            tokens.ExternalLinkOpen: self._external_open,
            tokens.ExternalLinkSeparator: self._external_separator,
            tokens.ExternalLinkClose: self._external_close,
            tokens.HTMLEntityHex: self._entity_hex,
            tokens.HeadingStart: self._heading_start,
            tokens.HeadingEnd: self._heading_end,
            _TagOpenOpen: self._tag_open,
            tokens.TagAttrStart: self._attribute_start,
            tokens.TagAttrEquals: self._attribute_equals,
            tokens.TagAttrQuote: self._attribute_quote,
            tokens.TagCloseOpen: self._tag_close_open,
            tokens.TagCloseSelfclose: self._tag_self_close,
            tokens.TagOpenClose: self._tag_open_close,
            tokens.TagCloseClose: self._tag_close,
        }
        for kind, length in _LENGTHS.items():
            self.handlers[kind] = functools.partial(self._markup, length)
        for opener, open_length, closer, close_length in _SIMPLE:
            self.handlers[opener] = functools.partial(self._open, opener, open_length)
            self.handlers[closer] = functools.partial(self._close_simple, opener, close_length)

    def _markup(self, length: int, _: Any) -> None:
        self.pos += length

    def _open(self, kind: type, length: int, _: Any) -> None:
        self.stack.append(_Open(kind, self.pos))
        self.pos += length

    def _close_simple(self, kind: type, length: int, _: Any) -> None:
        node = self._close(kind)
        self.pos += length
        if kind is tokens.CommentStart:
            self.spans.comments.append((node.start, self.pos))

    def _top(self, kind: type) -> _Open:
        if not self.stack or self.stack[-1].kind is not kind:
            raise _Unreadable
        return self.stack[-1]

    def _close(self, kind: type) -> _Open:
        self._top(kind)
        return self.stack.pop()

    @staticmethod
    def in_text(tag: _OpenTag, text: str) -> bool:
        """Whether a text token right inside ``tag`` is in the text (a wiki-markup tag's name,
        "i", "table", …, is not); notes a line break in the tag's own text."""
        if tag.markup is not None and tag.part in (_NAME, _CLOSING):
            return False
        if tag.part == _CONTENTS and "\n" in text:
            tag.breaks_line = True
        return True

    def _template_open(self, _: Any) -> None:
        self.spans.templates.append(TemplateSpans(self.pos, -1, []))
        self.stack.append(_Open(tokens.TemplateOpen, self.pos, len(self.spans.templates) - 1))
        self.pos += 2

    def _template_param(self, token: Any) -> None:
        """``|`` ends the value being read (if any) and starts one; ``=`` starts it again
        (what came before is the parameter's name)."""
        node = self._top(tokens.TemplateOpen)
        if node.value_start is not None and type(token) is tokens.TemplateParamSeparator:
            self.spans.templates[node.index].values.append((node.value_start, self.pos))
        self.pos += 1
        node.value_start = self.pos

    def _template_close(self, _: Any) -> None:
        node = self._close(tokens.TemplateOpen)
        used = self.spans.templates[node.index]
        if node.value_start is not None:
            used.values.append((node.value_start, self.pos))
        self.pos += 2
        self.spans.templates[node.index] = used._replace(end=self.pos)

    def _external_open(self, token: Any) -> None:
        node = _Open(tokens.ExternalLinkOpen, self.pos)
        node.brackets = bool(token.get("brackets"))
        self.stack.append(node)
        self.pos += 1 if node.brackets else 0

    def _external_separator(self, token: Any) -> None:
        self.pos += 0 if token.get("suppress_space") is True else 1

    def _external_close(self, _: Any) -> None:
        node = self._close(tokens.ExternalLinkOpen)
        self.pos += 1 if node.brackets else 0

    def _entity_hex(self, token: Any) -> None:
        self.pos += len(token.get("char") or "")

    def _heading_start(self, token: Any) -> None:
        node = _Open(tokens.HeadingStart, self.pos)
        node.level = int(token.get("level"))
        self.stack.append(node)
        self.pos += node.level

    def _heading_end(self, _: Any) -> None:
        self.pos += self._close(tokens.HeadingStart).level

    def _tag_open(self, token: Any) -> None:
        markup = token.get("wiki_markup")
        markup = str(markup) if markup else None
        self.spans.tags.append(TagSpans("", markup, self.pos, -1, None, None, False))
        length = len(markup) if markup is not None else 2 if token.get("invalid") else 1
        node = _OpenTag(self.pos, len(self.spans.tags) - 1, markup, self.pos + length)
        self.stack.append(node)
        self.pos += length

    def _open_tag(self) -> _OpenTag:
        top = self.stack[-1] if self.stack else None
        if type(top) is not _OpenTag:
            raise _Unreadable
        return top

    def _end_attribute(self, node: _OpenTag) -> None:
        """End the tag's name, or the attribute being read: its closing quote, or the padding
        of a ``=`` it does not have."""
        if node.part == _NAME:
            node.part = _ATTRIBUTES
            if node.markup is None:
                node.name = tag_name(self.source[node.name_start : self.pos])
        attribute, node.attribute = node.attribute, None
        if attribute is not None:
            self.pos += attribute.quote if attribute.has_value else attribute.pad_before_eq

    def _attribute_start(self, token: Any) -> None:
        node = self._open_tag()
        self._end_attribute(node)
        self.pos += len(token.get("pad_first") or "")
        node.attribute = _Attribute(token, self.pos)

    def _attribute_equals(self, _: Any) -> None:
        attribute = self._open_tag().attribute
        if attribute is None or self.pos == attribute.name_start:
            raise _Unreadable  # no name: the tree builder reads the value as the name
        self.pos += attribute.pad_before_eq + 1 + attribute.pad_after_eq
        attribute.has_value = True

    def _attribute_quote(self, token: Any) -> None:
        attribute = self._open_tag().attribute
        if attribute is None:
            raise _Unreadable
        attribute.quote = len(token.get("char") or "")
        self.pos += attribute.quote

    def _tag_close_open(self, token: Any) -> None:
        node = self._open_tag()
        self._end_attribute(node)
        self.pos += len(token.get("padding") or "")
        if node.markup is not None:
            self.pos += len(token.get("wiki_markup") or "")
        else:
            self.pos += 1
        node.part = _CONTENTS
        node.contents_start = self.pos

    def _tag_self_close(self, token: Any) -> None:
        node = self._open_tag()
        self._end_attribute(node)
        self.pos += len(token.get("padding") or "")
        if node.markup is None:
            self.pos += 1 if token.get("implicit") else 2
        self.stack.pop()
        tags = self.spans.tags
        tags[node.index] = tags[node.index]._replace(name=node.name, end=self.pos)

    def _tag_open_close(self, token: Any) -> None:
        node = self._open_tag()
        if node.part != _CONTENTS:
            raise _Unreadable
        node.contents_end = self.pos
        if node.markup is None:
            self.pos += 2
        else:  # the tree builder's closing markup: the token's, else the opening one
            closing = token.get("wiki_markup")
            self.pos += len(node.markup if closing is None else (str(closing) if closing else ""))
        node.part = _CLOSING

    def _tag_close(self, _: Any) -> None:
        node = self._open_tag()
        if node.part != _CLOSING:
            raise _Unreadable
        self.stack.pop()
        self.pos += 0 if node.markup is not None else 1
        tags = self.spans.tags
        tags[node.index] = tags[node.index]._replace(
            name=node.name,
            end=self.pos,
            contents_start=node.contents_start,
            contents_end=node.contents_end,
            breaks_line=node.breaks_line,
        )


def is_protected_tag(tag: TagSpans) -> bool:
    return tag.markup is None and tag.name in PROTECTED_TAGS
