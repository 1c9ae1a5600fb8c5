"""rules.tokenspans reads from the tokens the same spans the Document of the tree gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mwparserfromhell.nodes import Comment, Tag, Template, Text
from mwparserfromhell.parser import tokens
from wikilint.rules import builder
from wikilint.rules.document import Document
from wikilint.rules.quotes import crossing_runs
from wikilint.rules.tokenspans import (
    Spans,
    TagSpans,
    TemplateSpans,
    has_crossing_style,
    read_spans,
)
from wikilint.rules.wikitext import tag_name

from tests.paths import CORPUS, EDIT_FORM, SAMPLE
from tests.rules.test_builder import TRICKY_MARKUP
from tests.rules.test_document import WIKI_ALPHABET
from tests.rules.test_quotes import CROSSING_CASES, QUOTE_ALPHABET


def document_spans(doc: Document) -> Spans:
    """The spans as the first parse's Document gives them (what rules.quotes read before)."""
    tags = []
    for node in doc.nodes_of(Tag):
        start, end = doc.span(node)
        contents = None if node.self_closing else doc.code_span(node.contents)
        tags.append(
            TagSpans(
                "" if node.wiki_markup else tag_name(node.tag),
                node.wiki_markup,
                start,
                end,
                None if contents is None else contents[0],
                None if contents is None else contents[1],
                not node.self_closing
                and any(type(n) is Text and "\n" in n.value for n in node.contents.nodes),
            )
        )
    return Spans(
        [doc.span(node) for node in doc.nodes_of(Comment)],
        [
            TemplateSpans(*doc.span(t), [doc.code_span(p.value) for p in t.params])
            for t in doc.nodes_of(Template)
        ],
        tags,
    )


def check(text: str) -> None:
    source = text.replace("\0", "\ufffd")
    doc = Document(text, builder.parse(source))
    token_list = builder.tokenize(source)
    assert has_crossing_style(token_list) == bool(crossing_runs(doc))
    assert read_spans(token_list, source) == document_spans(doc)


TRICKY = [
    *TRICKY_MARKUP,
    "[http://x.org''t''] == e =",
    '{| class="wikitable"\n|- style="x"\n| style="y" | a\n! scope=col | b\n|}',
    "<nowiki/> <span title=''>b</span> <span =x>y</span> <span a= b>c</span>",
    "a\0 ''b\nc''",
]


@pytest.mark.parametrize("text", TRICKY + CROSSING_CASES)
def test_the_tokens_give_the_documents_spans(text: str) -> None:
    check(text)


@pytest.mark.corpus
@pytest.mark.parametrize("path", [SAMPLE, EDIT_FORM, *CORPUS], ids=lambda p: p.name)
def test_the_tokens_give_the_documents_spans_on_real_articles(path: Path) -> None:
    check(path.read_text(encoding="utf-8"))


@pytest.mark.slow  # many generated examples
@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WIKI_ALPHABET, QUOTE_ALPHABET), max_size=60).map("".join))
def test_the_tokens_give_the_documents_spans_on_generated_markup(text: str) -> None:
    check(text)


def test_tokens_that_do_not_lay_out_the_text_give_no_spans() -> None:
    text = "a {{b}} c"
    assert read_spans(builder.tokenize(text), text) is not None
    assert read_spans(builder.tokenize(text), "a {{x}} c") is None  # text not where it reads
    assert read_spans(builder.tokenize(text), text + " d") is None  # the text goes on
    assert read_spans([tokens.TemplateClose()], "}}") is None  # closes nothing open
    assert read_spans([tokens.TemplateOpen(), tokens.Text(text="a")], "{{a") is None
