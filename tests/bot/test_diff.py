"""The word diff: minimal, positioned, bounded, and readable without colour."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from wikilint.bot.change.diff import MAX_SEGMENT, tokenize, word_diff

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_equal_texts_give_no_diff() -> None:
    assert word_diff("same", "same", color=False) == ""


def test_date_parameter_change_is_minimal() -> None:
    old = "{{cite web |url=https://example.org |date=2 Feb 2024 |title=T}}"
    new = old.replace("2 Feb 2024", "2 February 2024")
    out = word_diff(old, new, color=False)
    assert "[-Feb-]{+February+}" in out
    assert "[-date" not in out and "2024" in out


def test_hunk_header_gives_line_and_column_of_the_change() -> None:
    old = "first line\nsecond line with http://example.org here\n"
    new = old.replace("http://", "https://")
    out = word_diff(old, new, color=False)
    assert out.startswith("@@ 2:18 @@ ")
    assert "[-http-]{+https+}" in out


def test_reordered_date_reads_as_one_replacement() -> None:
    old = 'Wilde, Robert. 2019 February 20. "Title"'
    new = 'Wilde, Robert. 20 February 2019. "Title"'
    assert "[-2019 February 20-]{+20 February 2019+}" in word_diff(old, new, color=False)


def test_context_is_a_few_words_and_marks_the_cut() -> None:
    words = " ".join(f"w{i}" for i in range(100))
    out = word_diff(words, words.replace("w50", "CHANGED"), color=False, context_words=3)
    assert out.strip() == "@@ 1:191 @@ …w47 w48 w49 [-w50-]{+CHANGED+} w51 w52 w53…"


def test_far_apart_changes_make_separate_hunks() -> None:
    words = " ".join(f"w{i}" for i in range(200))
    new = words.replace("w10 ", "x10 ").replace("w150 ", "x150 ")
    hunks = word_diff(words, new, color=False).splitlines()
    assert len(hunks) == 2
    assert all(h.startswith("@@ 1:") for h in hunks)


def test_long_single_line_never_prints_whole() -> None:
    paragraph = " ".join(["Lorem ipsum dolor sit amet"] * 3000)  # ~80,000 characters, one line
    at = paragraph.index(" ", 40000)
    new = paragraph[:at] + " INSERTED" + paragraph[at:]
    out = word_diff(paragraph, new, color=False)
    assert len(out) < 300
    assert "{+ INSERTED+}" in out or "{+INSERTED +}" in out


def test_huge_replaced_segment_is_elided() -> None:
    old = "a <ref>" + "x " * 2000 + "</ref> b"
    new = 'a <ref name="n" /> b'
    out = word_diff(old, new, color=False)
    assert "characters]…" in out
    assert len(out) < 3 * MAX_SEGMENT


def test_newlines_are_shown_not_printed() -> None:
    out = word_diff("== H ==\nText one.\n", "== H ==\nText two.\n", color=False)
    assert out.count("\n") == 1  # one hunk, one line
    assert "⏎" in out


def test_color_uses_ansi_instead_of_markers() -> None:
    out = word_diff("a Feb b", "a February b", color=True)
    assert "\x1b[" in out
    assert "[-" not in out and "{+" not in out
    assert ANSI.sub("", out).endswith("a FebFebruary b\n")


@given(st.text(alphabet=st.sampled_from(list('ab |{}[]=<>/"\n.,é'))))
def test_tokens_join_back_to_the_text(text: str) -> None:
    assert "".join(tokenize(text)) == text


@given(st.text(max_size=80), st.text(max_size=80))
def test_diff_never_fails(old: str, new: str) -> None:
    out = word_diff(old, new, color=False)
    assert (out == "") == (old == new)
