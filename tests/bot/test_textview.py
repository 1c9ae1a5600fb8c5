"""The view the rules analyse and the text as read (issue 11 #5 and #7, issue 12 #4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wikilint.bot.files.textview import TextView, compose, line_ending_at
from wikilint.rules.model import Edit, apply_edits

ENDINGS = re.compile(r"\r\n|\r|\n")


@st.composite
def text_and_edits(draw: st.DrawFn, alphabet: str = "ab \n") -> tuple[str, list[Edit]]:
    """A text and sorted, non-overlapping edits on it."""
    text = draw(st.text(alphabet=alphabet, max_size=30))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    edits = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if edits and (start < edits[-1].end or start == end == edits[-1].end):
            continue
        edits.append(Edit(start, end, draw(st.text(alphabet="xy\n", max_size=3))))
    return text, edits


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(text_and_edits(), st.data())
def test_composed_edits_equal_applying_one_list_then_the_other(
    first_case: tuple[str, list[Edit]], data: st.DataObject
) -> None:
    text, first = first_case
    middle = apply_edits(text, first)
    _, second = data.draw(_edits_on(middle))
    assert apply_edits(text, compose(first, second)) == apply_edits(middle, second)


def _edits_on(text: str) -> st.SearchStrategy[tuple[str, list[Edit]]]:
    return st.just(text).flatmap(
        lambda t: st.lists(st.integers(0, len(t)), max_size=8).flatmap(
            lambda cuts: st.lists(st.text(alphabet="pq", max_size=3), min_size=8, max_size=8).map(
                lambda reps: (t, _non_overlapping(sorted(cuts), reps))
            )
        )
    )


def _non_overlapping(cuts: list[int], replacements: list[str]) -> list[Edit]:
    edits: list[Edit] = []
    for (start, end), replacement in zip(
        zip(cuts[::2], cuts[1::2], strict=False), replacements, strict=False
    ):
        if edits and (start < edits[-1].end or start == end == edits[-1].end):
            continue
        edits.append(Edit(start, end, replacement))
    return edits


def _normalised(source: str) -> TextView:
    edits = [Edit(0, 1, "")] if source.startswith("\ufeff") else []
    edits += [Edit(m.start(), m.end(), "\n") for m in re.finditer(r"\r\n?", source)]
    return TextView(source, edits)


sources = (
    st.lists(st.sampled_from(["ab", "c", " ", "\r\n", "\n", "\r", "d e"]), max_size=20)
    .map("".join)
    .flatmap(lambda text: st.sampled_from([text, "\ufeff" + text]))
)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(sources, st.data())
def test_view_edits_land_in_the_source_and_keep_every_line_ending(
    source: str, data: st.DataObject
) -> None:
    view = _normalised(source)
    assert "\r" not in view.text and not view.text.startswith("\ufeff")
    _, edits = data.draw(_edits_on(view.text))  # edits without line breaks
    fixed = view.apply(edits)
    # Read again, the fixed source is the fixed view; and its line endings are the source's.
    assert _normalised(fixed).text == apply_edits(view.text, edits)
    # The endings left are the source's, each as it was (a deleted one is simply gone), but
    # for a lone CR that a deletion brought right before an LF: it gets an LF of its own.
    remaining = iter(ENDINGS.findall(source))
    for ending in ENDINGS.findall(fixed):
        assert any(ending == was or (ending, was) == ("\r\n", "\r") for was in remaining)
    assert fixed.startswith("\ufeff") == source.startswith("\ufeff")


@pytest.mark.slow  # many generated examples
@settings(max_examples=200, deadline=None)
@given(sources)
def test_view_offsets_point_at_the_same_characters_in_the_source(source: str) -> None:
    view = _normalised(source)
    for offset, char in enumerate(view.text):
        start, end = view.source_span(offset, offset + 1)
        assert source[start:end].replace("\r\n", "\n").replace("\r", "\n") == char


def test_an_inserted_line_break_takes_the_ending_of_its_line() -> None:
    source = "one\r\ntwo\nthree\rfour"
    view = _normalised(source)
    at = view.text.index("two") + 1
    assert view.apply([Edit(at, at, "\n")]) == "one\r\nt\nwo\nthree\rfour"
    at = view.text.index("one") + 1
    assert view.apply([Edit(at, at, "X\nY")]) == "oX\r\nYne\r\ntwo\nthree\rfour"
    at = view.text.index("three") + 1
    assert view.apply([Edit(at, at, "\n")]) == "one\r\ntwo\nt\rhree\rfour"
    at = view.text.index("four") + 1  # the last line: the ending of the line before it
    assert view.apply([Edit(at, at, "\n")]) == "one\r\ntwo\nthree\rf\rour"
    assert line_ending_at("no breaks", 3) == "\n"


def test_an_edit_over_a_restored_line_break_keeps_the_break_as_read() -> None:
    source = "Intro. == A == Text here"
    # A view that reads the space after "==" as a line break.
    at = source.index(" Text")
    view = TextView(source, [Edit(at, at + 1, "\n")])
    assert view.text == "Intro. == A ==\nText here"
    start = view.text.index("A ==")
    edit = Edit(start, view.text.index(" here"), "B ==\nWords")  # rewrites around the break
    assert view.apply([edit]) == "Intro. == B == Words here"
    # Deleting across the break deletes what was read there: the space.
    assert view.apply([Edit(start, view.text.index("here"), "")]) == "Intro. == here"


CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.mark.parametrize("name", ["pet-door", "bodmin", "elizabeth-gilbert"])
def test_fixing_a_crlf_or_flattened_article_changes_only_what_the_fixes_change(name: str) -> None:
    from wikilint.bot.change.core import compute_change
    from wikilint.bot.files.inputs import parse_source

    raw = (CORPUS / f"{name}.wiki").read_text(encoding="utf-8")
    crlf = "\ufeff" + raw.replace("\n", "\r\n")
    source = parse_source(crlf.encode(), name, None)
    fixed = compute_change(source.text)
    assert fixed.proposed != fixed.original
    assert source.fixed(list(fixed.edits)) == "\ufeff" + fixed.proposed.replace("\n", "\r\n")
    flat = " ".join(raw.split("\n"))
    source = parse_source(flat.encode(), name, None)
    fixed = compute_change(source.text)
    written = source.fixed(list(fixed.edits))
    assert "\n" not in written
    assert parse_source(written.encode(), name, None).text == fixed.proposed


def test_an_edit_that_drops_or_adds_lines_keeps_the_lines_it_leaves_alone() -> None:
    source = "A\r\nB <ref>x\r\ny</ref>\nC\r\n"
    view = _normalised(source)
    start, end = view.text.index("<ref>"), view.text.index("</ref>") + 6
    assert view.apply([Edit(start, end, "<ref name=a />")]) == "A\r\nB <ref name=a />\nC\r\n"
    whole = view.text.index("B"), view.text.index("C") + 1
    # As many line breaks as before: the i-th keeps the i-th one's ending.
    assert view.apply([Edit(*whole, "B <ref name=a />\nC\nD")]) == (
        "A\r\nB <ref name=a />\r\nC\nD\r\n"
    )
    # Over a restored break, a line the fix adds is written; the restored break is not.
    flat = "Intro. == A == Text here"
    at = flat.index(" Text")
    restored = TextView(flat, [Edit(at, at + 1, "\n")])
    start = restored.text.index("A ==")
    fixed = restored.apply([Edit(start, restored.text.index(" here"), "A ==\nNew\nText")])
    assert fixed == "Intro. == A == New\nText here"
