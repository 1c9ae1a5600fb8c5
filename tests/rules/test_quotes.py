"""Bold and italics end with their line (rules.quotes), as MediaWiki's doQuotes reads them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mwparserfromhell.nodes import Tag
from wikilint.rules.document import Document
from wikilint.rules.quotes import crossing_runs


def styles(doc: Document) -> list[str]:
    return [doc.node_text(n) for n in doc.nodes_of(Tag) if n.wiki_markup in ("''", "'''")]


def test_an_unclosed_bold_ends_with_its_line() -> None:
    text = "A '''bold that is not closed\nIt opened on 3 February 2015.\nSee ''Nature''.\n"
    doc = Document.parse(text)
    assert styles(doc) == ["''Nature''"]
    assert str(doc.code) == text
    assert crossing_runs(doc) == []


def test_quotes_paired_within_lines_are_kept() -> None:
    text = "''a'' and '''b'''\n''c {{x|\n}} d''\n'''''e'''''"
    assert styles(Document.parse(text)) == [
        "''a''",
        "'''b'''",
        "''c {{x|\n}} d''",
        "'''''e'''''",
        "'''e'''",
    ]


def test_a_url_before_an_unclosed_italic_ends_where_the_quotes_start() -> None:
    doc = Document.parse("See http://x.org/a''b\nc'' d")
    links = [doc.node_text(n) for n in doc.nodes if type(n).__name__ == "ExternalLink"]
    assert links == ["http://x.org/a"]


QUOTE_ALPHABET = st.sampled_from(
    [
        *"'\n x|[]{}<>",
        "''",
        "'''",
        "{{a|",
        "}}",
        "[[",
        "]]",
        "<ref>",
        "</ref>",
        "http://a.b",
        "{|\n| ",
        "\n|}",
        "==",
        "* ",
    ]
)


@pytest.mark.slow  # many generated examples
@settings(max_examples=300, deadline=None)
@given(st.lists(QUOTE_ALPHABET, max_size=50).map("".join))
def test_no_bold_or_italic_crosses_a_line_and_text_round_trips(text: str) -> None:
    doc = Document.parse(text)
    assert str(doc.code) == text
    for node in doc.nodes:
        start, end = doc.span(node)
        assert text[start:end] == str(node)
    assert crossing_runs(doc) == []


def test_open_italics_run_from_an_unpaired_run_to_the_end_of_its_line() -> None:
    from wikilint.rules.quotes import open_italics

    text = "A ''b c\nd '''e\n[[f|g ''h]] x\n{{t''|i}} <ref name=''>j</ref>"
    doc = Document.parse(text)
    assert [text[s:e] for s, e in open_italics(doc)] == ["b c", "h]] x"]


def test_apostrophes_mediawiki_reads_as_text_do_not_unbalance_the_line() -> None:
    # ''Galileo'''s: an odd number of both italics and bold, so MediaWiki reads the bold after
    # a word as an apostrophe and italics; '''' is an apostrophe and bold.
    # (A page is read again only when some bold or italic crosses a line: the ''' below.)
    text = "The ''Galileo'''s antenna.\nA ''''Bold''' x.\nA '''bold\nNext ''line'' here."
    doc = Document.parse(text)
    assert styles(doc) == ["''Galileo'''", "'''Bold'''", "''line''"]  # Galileo' in italics
    assert crossing_runs(doc) == []


def test_a_line_break_inside_a_ref_or_template_does_not_end_the_line_around_it() -> None:
    text = "''Title<ref>{{cite web\n|title=''A''}}</ref> more'' after\n''b''"
    assert styles(Document.parse(text))[0] == "''Title<ref>{{cite web\n|title=''A''}}</ref> more''"
