"""The span index, lines, protected regions and sections of rules.document."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wikilint.rules.document import Document, ParseError, SectionNotFound

from tests.paths import SAMPLE
from tests.rules.heading_forms import FORMS, Form


def _sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def assert_spans_exact(text: str) -> Document:
    doc = Document.parse(text)
    assert doc.nodes or text == ""
    for node in doc.nodes:
        start, end = doc.span(node)
        assert text[start:end] == str(node), type(node).__name__
    return doc


def test_every_node_of_the_sample_has_its_exact_span() -> None:
    doc = assert_spans_exact(_sample())
    assert len(doc.nodes) > 1000
    assert len(doc.refs) > 50


@pytest.mark.parametrize(
    "text",
    [
        "{{a|b=c|d}}",
        "{{a|}}",
        "{{a||=|}}",
        '<ref name="x" group=n>hi</ref>',
        "<ref name=x/>",
        "<ref Name = 'a b' >c</ref>",
        "{|\n|a||b\n|-\n! h !! i\n|}",
        "''x'' '''y''' '''''z'''''",
        "* a\n# b\n; c : d",
        "[http://x.org y] [http://x.org] http://x.org",
        "[[a|b]] [[c]] [[File:x.jpg|thumb|cap [[d]]]]",
        "== H ==\ntext\n=== I ===",
        "{{{arg|default}}} {{{x}}}",
        "&amp; &#123; &#x1F;",
        '<br> <br/> </div> <div class="a">x</div>',
        "<!-- c --> <nowiki>{{x}}</nowiki> <pre>a</pre>",
        "{{a|{{b|{{c|d=e}}}}}}",
    ],
)
def test_spans_are_exact_on_tricky_markup(text: str) -> None:
    assert_spans_exact(text)


WIKI_ALPHABET = st.sampled_from(
    [
        *"{}[]|=<>/!'*#:;-\n x&",
        "ref",
        "<ref>",
        "</ref>",
        "{{",
        "}}",
        "[[",
        "]]",
        "<!--",
        "-->",
        "name=",
        "http://a.b",
        "==",
        "\x00",
    ]
)


@pytest.mark.slow  # many generated examples
@settings(max_examples=300, deadline=None)
@given(st.lists(WIKI_ALPHABET, max_size=60).map("".join))
def test_arbitrary_markup_round_trips_and_spans_are_exact(text: str) -> None:
    doc = Document.parse(text)
    source = text.replace("\0", "\ufffd")
    for node in doc.nodes:
        start, end = doc.span(node)
        assert source[start:end] == str(node)
    assert doc.line_col(len(text)) >= (1, 1)


def test_nul_characters_keep_offsets() -> None:
    doc = Document.parse("a\0b <ref>x</ref>")
    (ref,) = doc.refs
    assert (ref.start, ref.end) == (4, 16)


def test_deep_nesting_is_a_parse_error_not_a_crash() -> None:
    text = "[[" * 3000 + "x" + "]]" * 3000 + "{{" * 3000
    try:
        doc = Document.parse(text)
    except ParseError:
        return
    assert "".join(str(n) for n in doc.code.nodes) == text


def test_line_col_counts_characters() -> None:
    doc = Document.parse("ab\ncé\n\nd")
    assert doc.line_col(0) == (1, 1)
    assert doc.line_col(4) == (2, 2)
    assert doc.line_col(7) == (4, 1)


def test_protected_regions() -> None:
    text = "a <!-- c --> b <nowiki>{{x}}</nowiki> <math>x</math> <code>y</code> <!-- open"
    doc = Document.parse(text)
    for needle in ("<!-- c -->", "<nowiki>", "{{x}}", "<math>x", "<code>y", "<!-- open"):
        assert doc.in_protected(text.index(needle)), needle
    assert not doc.in_protected(0)
    assert not doc.in_protected(text.index(" b "))
    assert doc.is_protected(text.index("{{x}}"), text.index("{{x}}") + 2)
    assert not doc.is_protected(0, 1)


SECTIONED = "Lead\n== One ==\na\n=== Sub ===\nb\n== Two ==\nc\n<!--\n== Hidden ==\n-->\n"


def test_sections_by_number_and_title() -> None:
    doc = Document.parse(SECTIONED)
    assert [(s.number, s.level, s.title) for s in doc.sections] == [
        (1, 2, "One"),
        (2, 3, "Sub"),
        (3, 2, "Two"),
    ]
    one = doc.find_section("One")
    assert SECTIONED[one.start : one.end] == "== One ==\na\n=== Sub ===\nb\n"
    assert doc.find_section(2).title == "Sub"
    assert doc.find_section("two").number == 3
    assert doc.section_at(SECTIONED.index("b\n")).title == "Sub"
    with pytest.raises(SectionNotFound, match="Three"):
        doc.find_section("Three")
    with pytest.raises(SectionNotFound):
        doc.find_section(9)


def test_a_title_made_of_digits_is_found_when_no_section_has_that_number() -> None:
    doc = Document.parse("== 1919 ==\na\n== 1920 ==\nb\n")
    assert doc.find_section("1919").title == "1919"
    assert doc.find_section("2").title == "1920"
    with pytest.raises(SectionNotFound):
        doc.find_section(1919)


def test_section_not_found_lists_a_few_cut_titles_and_a_count() -> None:
    # Issue 10 bug 11: on a flattened page the message held every title, about 20 KB.
    text = "".join(f"== Heading number {i} {'long ' * 400}==\ntext\n" for i in range(30))
    with pytest.raises(SectionNotFound) as caught:
        Document.parse(text).find_section("Missing " * 100)
    message = str(caught.value)
    assert len(message) < 600
    assert "30 sections" in message and "24 more" in message
    assert "1: 'Heading number 0 long long" in message


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_sections_are_numbered_as_mediawiki_numbers_them(form: Form) -> None:
    doc = Document.parse(form.text)
    assert [(s.number, s.level, s.title) for s in doc.sections] == form.sections
    last = doc.sections[-1]
    assert form.text[last.start : last.end].startswith(
        form.text[last.heading_start : last.heading_end]
    )


def test_a_heading_with_code_does_not_shift_the_numbers_after_it() -> None:
    text = "== A <code>x</code> ==\na\n== B <!-- c --> ==\nb\n== C {{tl|x}} ==\nc\n== D ==\nd\n"
    doc = Document.parse(text)
    assert [s.title for s in doc.sections] == ["A x", "B", "C", "D"]
    assert text[doc.find_section(4).start :].startswith("== D ==")
    assert doc.find_section("A x").number == 1
    assert doc.section_at(text.index("c\n")).title == "C"
    assert doc.section_at(text.index("a\n")).number == 1


def test_section_at_picks_the_innermost_section() -> None:
    text = "lead\n== A ==\na\n=== A1 ===\nb\n== C ==\nc"
    doc = Document.parse(text)
    assert doc.section_at(0) is None
    assert [doc.section_at(text.index(f"\n{c}") + 1).title for c in "abc"] == ["A", "A1", "C"]
