"""mwparserfromhell's parse, with a faster tree builder: the same node tree from the same tokens.

A parse is mwparserfromhell's C tokenizer (fast) followed by its Python ``Builder`` (slow): the
Builder hands every child list to a public node setter, and each setter runs ``parse_anything``,
which does four imports per call. On an article that is about 80% of the parse. This builder
fills the nodes' fields directly instead. ``tests/rules/test_builder.py`` compares every tree,
field by field, with mwparserfromhell's own Builder on the corpus, the sample and generated text.

The fields are those of mwparserfromhell 0.7 (the version pyproject pins). On any other version
:func:`parse` falls back to mwparserfromhell's own Builder.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
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
from mwparserfromhell.nodes.extras import Attribute, Parameter
from mwparserfromhell.parser import ParserError, tokens
from mwparserfromhell.parser.builder import Builder
from mwparserfromhell.smart_list import SmartList
from mwparserfromhell.wikicode import Wikicode

try:
    from mwparserfromhell.parser._tokenizer import (  # type: ignore[import-not-found]
        CTokenizer as _Tokenizer,
    )
except ImportError:  # pragma: no cover - a pure-Python install of mwparserfromhell
    from mwparserfromhell.parser.tokenizer import Tokenizer as _Tokenizer

FIELDS_VERIFIED = mwparserfromhell.__version__.startswith("0.7.")

_new = object.__new__
_new_list = list.__new__
_extend = list.extend
_TextToken = tokens.Text


def parse(text: str, skip_style_tags: bool = False) -> Wikicode:
    """``mwparserfromhell.parse(text)``, built faster."""
    with collector_paused():
        return tree(tokenize(text, skip_style_tags))


def tokenize(text: str, skip_style_tags: bool = False) -> list[Any]:
    """mwparserfromhell's tokens of ``text``: every parse starts here (tests count parses
    by it)."""
    with collector_paused():
        return _Tokenizer().tokenize(text, 0, skip_style_tags)


def tree(token_list: list[Any]) -> Wikicode:
    """The tree of ``token_list`` (consumed)."""
    with collector_paused():
        if not FIELDS_VERIFIED:  # pragma: no cover - guarded by the version pin
            return Builder().build(token_list)
        return build(token_list)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold CPython's cyclic garbage collector while a tree is built (and, in the engine, for
    a whole lint).

    A page's tree is one object per node and node list (about 200,000 for a 700 KiB page),
    all alive until the lint ends. While they are being allocated the collector rescans them
    again and again: a third of the lint time on such a page. Building and linting make little
    cyclic garbage, and the collector resumes (and catches up) as soon as they return.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def build(token_list: list[Any]) -> Wikicode:
    """The tree of ``token_list`` (consumed), as mwparserfromhell's ``Builder.build`` makes it."""
    token_list.reverse()
    builder = _FastBuilder(token_list)
    nodes, _ = builder.children(())
    return _code(nodes)


def _code(nodes: list[Node]) -> Wikicode:
    # Wikicode(SmartList(nodes)) without the two Python-level constructors (a parse makes one
    # node list per parameter name and value: tens of thousands on an article).
    node_list = _new_list(SmartList)
    node_list._children = {}  # type: ignore[attr-defined]
    _extend(node_list, nodes)
    code = _new(Wikicode)
    code._nodes = node_list
    return code


def _text(value: str) -> Text:
    node = _new(Text)
    node._value = value
    return node


class _FastBuilder:
    def __init__(self, token_list: list[Any]) -> None:
        self._tokens = token_list
        self._handlers = {
            tokens.TemplateOpen: self._template,
            tokens.ArgumentOpen: self._argument,
            tokens.WikilinkOpen: self._wikilink,
            tokens.ExternalLinkOpen: self._external_link,
            tokens.HTMLEntityStart: self._entity,
            tokens.HeadingStart: self._heading,
            tokens.CommentStart: self._comment,
            tokens.TagOpenOpen: self._tag,
        }

    def children(self, stops: tuple[type, ...]) -> tuple[list[Node], Any]:
        """Nodes up to the first token whose type is in ``stops``; returns that token too
        (``None`` at the end of the tokens, which only the top level may reach)."""
        nodes: list[Node] = []
        append = nodes.append
        pop = self._tokens.pop
        handlers = self._handlers
        while self._tokens:
            token = pop()
            kind = type(token)
            if kind is _TextToken:  # most tokens: _text() inlined
                node = _new(Text)
                node._value = token["text"]
                append(node)
            elif kind in stops:
                return nodes, token
            else:
                handler = handlers.get(kind)
                if handler is None:
                    raise ParserError(f"_handle_token() got unexpected {kind.__name__}")
                append(handler(token))
        if stops:
            raise ParserError("missed a close token")
        return nodes, None

    def _template(self, _: Any) -> Template:
        nodes, token = self.children(_TEMPLATE_STOPS)
        name = _code(nodes)
        params: list[Parameter] = []
        default = 1
        while type(token) is tokens.TemplateParamSeparator:
            key = None
            nodes, token = self.children(_PARAM_STOPS)
            while type(token) is tokens.TemplateParamEquals:
                key = _code(nodes)
                nodes, token = self.children(_PARAM_STOPS)
            param = _new(Parameter)
            param._value = _code(nodes)
            if key is None:
                param._name = _code([_text(str(default))])
                param._showkey = False
                default += 1
            else:
                param._name = key
                param._showkey = True
            params.append(param)
        template = _new(Template)
        template._name = name
        template._params = params
        return template

    def _split(
        self, stops: tuple[type, ...], separator: type
    ) -> tuple[Wikicode, Wikicode | None, Any]:
        """``(before, after, separator token)`` around the last separator up to a stop token
        (as mwparserfromhell's Builder splits them), or ``(everything, None, None)``."""
        head = last = None
        nodes, token = self.children(stops)
        while type(token) is separator:
            head, last = _code(nodes), token
            nodes, token = self.children(stops)
        if head is None:
            return _code(nodes), None, None
        return head, _code(nodes), last

    def _argument(self, _: Any) -> Argument:
        argument = _new(Argument)
        argument._name, argument._default, _ = self._split(
            _ARGUMENT_STOPS, tokens.ArgumentSeparator
        )
        return argument

    def _wikilink(self, _: Any) -> Wikilink:
        link = _new(Wikilink)
        link._title, link._text, _ = self._split(_WIKILINK_STOPS, tokens.WikilinkSeparator)
        return link

    def _external_link(self, opening: Any) -> ExternalLink:
        link = _new(ExternalLink)
        link._url, link._title, separator = self._split(
            _EXTERNAL_LINK_STOPS, tokens.ExternalLinkSeparator
        )
        link._brackets = bool(opening.get("brackets"))
        suppress_space = separator.get("suppress_space") if separator is not None else None
        link.suppress_space = suppress_space is True  # a plain attribute, no setter
        return link

    def _entity(self, _: Any) -> HTMLEntity:
        pop = self._tokens.pop
        token = pop()
        if type(token) is tokens.HTMLEntityNumeric:
            token = pop()
            if type(token) is tokens.HTMLEntityHex:
                text = pop()
                pop()  # HTMLEntityEnd
                return HTMLEntity(
                    text.get("text"), named=False, hexadecimal=True, hex_char=token.get("char")
                )
            pop()
            return HTMLEntity(token.get("text"), named=False, hexadecimal=False)
        pop()
        return HTMLEntity(token.get("text"), named=True, hexadecimal=False)

    def _heading(self, opening: Any) -> Heading:
        nodes, _ = self.children(_HEADING_STOPS)
        heading = _new(Heading)
        heading._title = _code(nodes)
        heading._level = int(opening.get("level"))
        return heading

    def _comment(self, _: Any) -> Comment:
        nodes, _ = self.children(_COMMENT_STOPS)
        comment = _new(Comment)
        comment._contents = "".join([str(node) for node in nodes])
        return comment

    def _attribute(self, start: Any) -> Attribute:
        name = quotes = None
        nodes: list[Node] = []
        while True:
            nodes_here, token = self.children(_ATTRIBUTE_STOPS)
            nodes.extend(nodes_here)
            kind = type(token)
            if kind is tokens.TagAttrEquals:
                name, nodes = _code(nodes), []
            elif kind is tokens.TagAttrQuote:
                quotes = token.get("char")
            else:
                self._tokens.append(token)
                break
        if name:
            value: Wikicode | None = _code(nodes)
        else:
            name, value = _code(nodes), None
        # Rare; the public constructor keeps its quoting checks.
        return Attribute(
            name,
            value,
            quotes,
            start.get("pad_first"),
            start.get("pad_before_eq"),
            start.get("pad_after_eq"),
        )

    def _tag(self, opening: Any) -> Tag:
        wiki_markup = opening.get("wiki_markup")
        invalid = opening.get("invalid") or False
        closing_wiki_markup = wiki_markup
        wiki_style_separator = padding = tag = contents = closing_tag = None
        implicit = self_closing = False
        attrs: list[Attribute] = []
        nodes: list[Node] = []
        while True:
            nodes_here, token = self.children(_TAG_STOPS)
            nodes.extend(nodes_here)
            kind = type(token)
            if kind is tokens.TagAttrStart:
                attrs.append(self._attribute(token))
            elif kind is tokens.TagCloseOpen:
                wiki_style_separator = token.get("wiki_markup")
                padding = token.get("padding") or ""
                tag, nodes = _code(nodes), []
            elif kind is tokens.TagOpenClose:
                closing_wiki_markup = token.get("wiki_markup")
                contents, nodes = _code(nodes), []
            elif kind is tokens.TagCloseSelfclose:
                closing_wiki_markup = token.get("wiki_markup")
                tag = _code(nodes)
                self_closing = True
                padding = token.get("padding") or ""
                implicit = token.get("implicit") or False
                break
            else:  # TagCloseClose
                closing_tag = _code(nodes)
                break
        if tag is None or padding is None:
            raise ParserError("_handle_tag() got a tag without a name")
        node = _new(Tag)
        # The same fields, in the same way, as Tag.__init__ and its setters.
        node._tag = node._closing_tag = tag
        node._contents = contents if contents is not None else _code([])
        node._attrs = attrs
        node._wiki_markup = str(wiki_markup) if wiki_markup else None
        node._closing_wiki_markup = node._wiki_markup
        node._self_closing = self_closing
        node._invalid = bool(invalid)
        node._implicit = bool(implicit)
        node._padding = str(padding) if padding else ""
        if closing_tag is not None:
            node._closing_tag = closing_tag
        node._wiki_style_separator = str(wiki_style_separator) if wiki_style_separator else None
        if closing_wiki_markup is not None:
            node._closing_wiki_markup = str(closing_wiki_markup) if closing_wiki_markup else None
        return node


_TEMPLATE_STOPS = (tokens.TemplateParamSeparator, tokens.TemplateClose)
_PARAM_STOPS = (tokens.TemplateParamEquals, tokens.TemplateParamSeparator, tokens.TemplateClose)
_ARGUMENT_STOPS = (tokens.ArgumentSeparator, tokens.ArgumentClose)
_WIKILINK_STOPS = (tokens.WikilinkSeparator, tokens.WikilinkClose)
_EXTERNAL_LINK_STOPS = (tokens.ExternalLinkSeparator, tokens.ExternalLinkClose)
_HEADING_STOPS = (tokens.HeadingEnd,)
_COMMENT_STOPS = (tokens.CommentEnd,)
_ATTRIBUTE_STOPS = (
    tokens.TagAttrEquals,
    tokens.TagAttrQuote,
    tokens.TagAttrStart,
    tokens.TagCloseOpen,
    tokens.TagCloseSelfclose,
)
_TAG_STOPS = (
    tokens.TagAttrStart,
    tokens.TagCloseOpen,
    tokens.TagOpenClose,
    tokens.TagCloseSelfclose,
    tokens.TagCloseClose,
)
