"""Reading inputs: wikitext files, stdin, saved edit pages, edit-form captures, flattened text."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mwparserfromhell.parser import ParserError
from wikilint import rules
from wikilint.bot.files.inputs import (
    InputError,
    InputKind,
    is_flattened,
    line_break_edits,
    parse_source,
    read_input,
    restore_line_breaks,
)
from wikilint.rules import builder

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECTION_FILE = EXAMPLES / "leon-trotsky-section.wiki"
FORM_FILE = EXAMPLES / "leon-trotsky-edit-form.txt"

EDIT_PAGE = """<!DOCTYPE html>
<html><head><title>Editing Leon Trotsky (section) - Wikipedia</title></head>
<body><form id="editform">
<input type="hidden" value="3" name="wpSection" />
<textarea tabindex="1" accesskey="," id="wpTextbox1" cols="80" rows="25" name="wpTextbox1">
== Kronstadt ==
Text.&lt;ref&gt;{{cite web |url=https://example.org/a |title=A &amp;amp; B}}&lt;/ref&gt;
</textarea>
<input type="hidden" name="wpSummary" value="" />
</form></body></html>
"""


def _sections(text: str) -> list[str]:
    return [s.title for s in rules.Document.parse(text).sections]


# -- plain files and errors -----------------------------------------------------------------


def test_plain_file_is_read_without_bom_and_with_lf_and_kept_as_read(tmp_path: Path) -> None:
    path = tmp_path / "page.wiki"
    raw = "\ufeff== A ==\r\nText\rMore\n"
    path.write_bytes(raw.encode())
    source = read_input(str(path))
    assert source.text == "== A ==\nText\nMore\n"
    assert source.view.source == raw
    assert source.kind is InputKind.WIKITEXT and source.writable
    assert source.fixed([]) == raw


def test_stdin_is_read_and_not_writable() -> None:
    source = read_input("-", io.BytesIO(b"Some text"))
    assert source.label == "<stdin>"
    assert source.text == "Some text"
    assert not source.writable


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p / "missing.wiki", "no such file"),
        (lambda p: p, "is a directory"),
    ],
)
def test_unreadable_paths_name_the_file(tmp_path: Path, make, expected: str) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError) as err:
        read_input(str(path))
    message = str(err.value)
    assert message.startswith(str(path)) and expected in message
    assert "\n" not in message


def test_non_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.wiki"
    path.write_bytes("Caf\xe9 == x ==".encode("latin-1"))
    expected = r"latin1\.wiki: not valid UTF-8 \(byte 0xe9 at offset 3\)"
    with pytest.raises(InputError, match=expected):
        read_input(str(path))


# -- edit-form captures ---------------------------------------------------------------------


def test_edit_form_capture_yields_the_section_wikitext() -> None:
    form = read_input(str(FORM_FILE))
    plain = read_input(str(SECTION_FILE))
    assert form.kind is InputKind.EDIT_FORM_CAPTURE
    assert form.page_title == "Leon Trotsky"
    assert form.section == "Russian Revolution and aftermath"
    assert not form.writable
    # Both captures are flattened; restoring them gives the same text.
    assert form.text == plain.text
    raw = SECTION_FILE.read_text(encoding="utf-8")
    assert parse_source(FORM_FILE.read_bytes(), "x", None, restore=False).text == raw


def test_edit_form_on_one_editing_line_without_antispam() -> None:
    capture = "\n".join(
        [
            "Main menu",
            "Editing Some page (section)",
            "Tools",
            "hide",
            "== Early life ==",
            "Born in 1900.",
            "Summary:",
            "Cancel",
        ]
    )
    source = parse_source(capture.encode(), "cap.txt", None)
    assert source.kind is InputKind.EDIT_FORM_CAPTURE
    assert source.text == "== Early life ==\nBorn in 1900."
    assert source.page_title == "Some page"
    assert source.section == "Early life"


def test_empty_edit_form_is_an_error() -> None:
    capture = "Editing\nPage\n(section)\nAnti-spam check. Do\nnot\nfill this in!\n\nSummary:\n"
    with pytest.raises(InputError, match=r"^cap\.txt: the edit form capture holds no wikitext"):
        parse_source(capture.encode(), "cap.txt", None)


def test_wikitext_mentioning_summary_is_not_a_form() -> None:
    text = "== Summary ==\nSummary:\nThe plot.\n"
    assert parse_source(text.encode(), "p.wiki", None).kind is InputKind.WIKITEXT


# -- saved edit pages -----------------------------------------------------------------------


def test_html_edit_page_textarea_is_unescaped(tmp_path: Path) -> None:
    path = tmp_path / "edit.html"
    path.write_text(EDIT_PAGE, encoding="utf-8")
    source = read_input(str(path))
    assert source.kind is InputKind.HTML_EDIT_PAGE
    assert source.section == "3"
    assert source.page_title == "Leon Trotsky"
    assert source.text == (
        "== Kronstadt ==\n"
        "Text.<ref>{{cite web |url=https://example.org/a |title=A &amp; B}}</ref>\n"
    )
    assert not source.writable


def test_html_textarea_with_raw_markup_is_kept_as_text() -> None:
    page = '<html><body><textarea name="wpTextbox1">A<ref>x</ref> <b>y</b></textarea></body></html>'
    source = parse_source(page.encode(), "e.html", None)
    assert source.text == "A<ref>x</ref> <b>y</b>"


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("<html><body><p>hello</p></body></html>", "no wpTextbox1 edit box found"),
        (
            '<html><textarea name="wpTextbox1">\n  </textarea></html>',
            "the edit box (wpTextbox1) is empty",
        ),
    ],
)
def test_html_without_wikitext_is_an_error(page: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(f"e.html: {message}")):
        parse_source(page.encode(), "e.html", Path("e.html"))


# -- restoring flattened text ---------------------------------------------------------------


def test_flattened_sample_gets_its_sections_back() -> None:
    raw = SECTION_FILE.read_text(encoding="utf-8")
    assert is_flattened(raw)
    restored, restoration = restore_line_breaks(raw)
    assert restoration is not None and restoration.headings == 20
    assert restoration.list_items == 3
    assert len(restored) == len(raw)  # single spaces became newlines: offsets are kept
    titles = _sections(restored)
    assert titles[0] == "Russian Revolution and aftermath"
    assert "Kronstadt rebellion" in titles and "Red Terror" in titles
    assert len(titles) == 20
    assert "\n* Trotsky's alleged distortion" in restored


def test_equals_inside_templates_math_and_comments_stay() -> None:
    text = (
        "Intro {{x|a == b == c}} and <math>a == b == c</math> and <!-- == no == --> "
        "the end. == Real heading == more text {{cite web |title== odd =}} end of the text."
    )
    restored, restoration = restore_line_breaks(text)
    assert restoration is not None and restoration.headings == 1
    assert restored == text.replace(" == Real heading == ", "\n== Real heading ==\n")
    assert _sections(restored) == ["Real heading"]


def test_unbalanced_equals_are_not_headings() -> None:
    text = "Some prose that has == unbalanced === markers in it, and more words here to be long."
    assert restore_line_breaks(text) == (text, None)


@pytest.mark.parametrize("error", [RecursionError("deep"), ParserError("missed a close token")])
def test_text_the_parser_gives_up_on_is_left_as_it_is(
    monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(builder, "parse", explode)
    text = "Prose long enough to have had line breaks. == A heading == and then more prose here."
    assert restore_line_breaks(text) == (text, None)


def test_text_with_newlines_is_left_alone() -> None:
    text = "Line one == Not a heading ==\nline two, which is long enough to count as a text."
    source = parse_source(text.encode(), "p.wiki", None)
    assert source.text == text and source.restoration is None and not source.notes


@pytest.mark.slow  # many generated examples
@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "== A ==",
                "=== B ===",
                "word",
                "{{t|x==y}}",
                "<math>a==b</math>",
                "* item.",
                ".",
                "[[L]]",
                "<ref>r</ref>",
                "=",
                "====",
                "# n",
                "  ",
                "\t",
            ]
        ),
        max_size=40,
    ).map(" ".join)
)
def test_restoration_only_turns_whitespace_into_newlines(text: str) -> None:
    restored, restoration = restore_line_breaks(text)
    squash = re.compile(r"\s+")
    assert squash.sub(" ", restored) == squash.sub(" ", text)
    if restoration is None:
        assert restored == text


# Prose: sentences that start with a word, with "=", "==", "*" and "#" anywhere after it.
_WORDS = st.sampled_from(["a", "b", "x", "y", "then", "one", "Two", "It", "1", "2", "42"])
_SYMBOLS = st.sampled_from(["=", "==", "===", "*", "**", "#", "##", "#*", "+", "-", ","])
_SENTENCE = st.tuples(
    _WORDS,
    st.lists(st.one_of(_WORDS, _SYMBOLS), min_size=1, max_size=12),
    st.sampled_from(["", ".", "!", "?", ":", ";"]),
).map(lambda parts: " ".join([parts[0], *parts[1]]) + parts[2])
_PROSE = st.lists(_SENTENCE, min_size=1, max_size=8).map(" ".join)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(_PROSE)
def test_prose_with_equals_stars_and_hashes_gains_no_heading_or_list_item(prose: str) -> None:
    # Issue 11 #5: `a == b == c` and `1 + 1 == 2 == 2` became headings `== b ==`, `== 2 ==`.
    text = (prose + " ") * (1 + 80 // (len(prose) + 1))  # long enough to count as flattened
    assert is_flattened(text)
    assert line_break_edits(text) == ([], None)
    source = parse_source(text.encode(), "p.wiki", None)
    assert source.text == text and source.restoration is None
    assert not rules.Document.parse(source.text).sections


@pytest.mark.parametrize("prose", ["a == b == c", "1 + 1 == 2 == 2", "x = y", "* not a list"])
def test_the_reported_prose_is_not_restored(prose: str) -> None:
    text = f"Before it, {prose} and after it there are enough words to count as flattened text."
    assert line_break_edits(text) == ([], None)
    text = f"A sentence ends. {prose} and after it there are enough words to count as text."
    edits, _ = line_break_edits(text)
    assert all(text[e.start : e.end].isspace() for e in edits)
    assert not rules.Document.parse(restore_line_breaks(text)[0]).sections
