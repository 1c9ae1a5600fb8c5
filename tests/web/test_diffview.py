"""The side-by-side diff rows: each side of every row is exactly the original's and the new
text's paragraph (up to the cut context), the changed words are marked, line numbers hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wikilint import rules
from wikilint.bot.web.diffview import ELISION, rows
from wikilint.rules.model import Edit, apply_edits

ROOT = Path(__file__).resolve().parents[2]


def joined(segments: tuple) -> str:  # type: ignore[type-arg]
    return "".join(s.text for s in segments)


def test_one_changed_word_in_a_long_paragraph() -> None:
    before = "word " * 200 + "http://example.org end " + "more " * 200
    start = before.index("http:")
    (row,) = rows(before + "\nnext line\n", [Edit(start, start + 4, "https")])
    assert (row.old_line, row.new_line) == (1, 1)
    assert [s.text for s in row.old if s.changed] == ["http"]
    assert [s.text for s in row.new if s.changed] == ["https"]
    assert joined(row.old).startswith(ELISION) and joined(row.old).endswith(ELISION)
    assert len(joined(row.old)) < 400


def test_rows_per_paragraph_and_shifted_line_numbers() -> None:
    text = "a b c\nd e f\ng h i\nj k l\n"
    edits = [Edit(2, 3, "B\nB2"), Edit(8, 9, "E"), Edit(20, 21, "K")]
    got = rows(text, edits)
    assert [(r.old_line, r.new_line) for r in got] == [(1, 1), (2, 3), (4, 5)]
    assert joined(got[0].new) == "a B\nB2 c"
    assert [s.text for s in got[1].old if s.changed] == ["e"]


def test_the_sample_fixes_show_as_rows_of_their_paragraphs() -> None:
    text = (ROOT / "examples" / "leon-trotsky-section.wiki").read_text(encoding="utf-8")
    result = rules.fix(text)
    edits = [
        e
        for a in result.applied
        if a.pass_number == 1 and a.finding.fix
        for e in a.finding.fix.edits
    ]
    got = rows(text, edits)
    assert got and len(got) <= len(edits)
    changed_old = [s.text for r in got for s in r.old if s.changed]
    changed_new = [s.text for r in got for s in r.new if s.changed]
    assert changed_old or changed_new
    for row in got:  # every segment of a row is a real piece of its side
        for segment in row.old:
            assert segment.changed is False or segment.text in text


@pytest.mark.slow  # many generated examples
@settings(max_examples=80, deadline=None)
@given(st.data())
def test_each_side_is_the_paragraph_when_nothing_is_cut(data: st.DataObject) -> None:
    text = data.draw(st.text(alphabet="ab \n|=.", min_size=1, max_size=60))
    points = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6, unique=True)))
    edits = [
        Edit(a, b, data.draw(st.text(alphabet="xy \n", max_size=4)))
        for a, b in zip(points[::2], points[1::2], strict=False)
    ]
    edits = [e for e in edits if e.start < e.end or e.replacement]
    got = rows(text, edits)
    new_text = apply_edits(text, edits)
    old_lines, new_lines = text.split("\n"), new_text.split("\n")
    for row in got:
        old_side, new_side = joined(row.old), joined(row.new)
        if ELISION in old_side + new_side:
            continue
        span = old_side.count("\n") + 1
        assert old_side == "\n".join(old_lines[row.old_line - 1 : row.old_line - 1 + span])
        span = new_side.count("\n") + 1
        assert new_side == "\n".join(new_lines[row.new_line - 1 : row.new_line - 1 + span])
