"""A change laid out like MediaWiki's own diff view: side by side, one row per changed
paragraph, the changed words marked, long unchanged stretches cut.

Built from the change's edits on the original text (the change core's edit list), never from
diffing the whole texts, so it costs time in proportion to the edited places. Words are only
compared inside each edit (to mark just the words it changes).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import NamedTuple

from wikilint.bot.change.diff import tokenize
from wikilint.rules.model import Edit

CONTEXT_CHARS = 160  # unchanged characters kept on each side of a change within a paragraph
ELISION = "…"


class Segment(NamedTuple):
    text: str
    changed: bool


class Row(NamedTuple):
    """One changed paragraph (or several lines an edit spans): its 1-based line numbers on
    each side and its text as segments."""

    old_line: int
    new_line: int
    old: tuple[Segment, ...]
    new: tuple[Segment, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "old_line": self.old_line,
            "new_line": self.new_line,
            "old": [[s.text, s.changed] for s in self.old],
            "new": [[s.text, s.changed] for s in self.new],
        }


def rows(original: str, edits: Sequence[Edit]) -> list[Row]:
    """The side-by-side rows of ``edits`` (sorted, non-overlapping, on ``original``)."""
    starts = [0] + [i + 1 for i, ch in enumerate(original) if ch == "\n"]
    out: list[Row] = []
    growth = 0  # lines the edits before the current row added (new line numbers)
    for group in _by_paragraph(starts, sorted(edits, key=lambda e: (e.start, e.end))):
        first = bisect_right(starts, group[0].start) - 1
        # an edit that removes a line break joins the next line into its row
        last = max(bisect_right(starts, e.end) - 1 for e in group)
        block_start = starts[first]
        block_end = starts[last + 1] - 1 if last + 1 < len(starts) else len(original)
        old, new = _segments(original, block_start, block_end, group)
        out.append(Row(first + 1, first + 1 + growth, _elide(old), _elide(new)))
        growth += sum(
            e.replacement.count("\n") - original.count("\n", e.start, e.end) for e in group
        )
    return out


def _by_paragraph(starts: list[int], edits: list[Edit]) -> list[list[Edit]]:
    """Edits grouped by the lines they touch: edits on one line, or on lines an edit spans,
    form one row."""
    groups: list[list[Edit]] = []
    last_line = -1
    for edit in edits:
        first = bisect_right(starts, edit.start) - 1
        end_line = bisect_right(starts, edit.end) - 1
        if groups and first <= last_line:
            groups[-1].append(edit)
            last_line = max(last_line, end_line)
        else:
            groups.append([edit])
            last_line = end_line
    return groups


def _segments(
    original: str, start: int, end: int, edits: list[Edit]
) -> tuple[list[Segment], list[Segment]]:
    old: list[Segment] = []
    new: list[Segment] = []
    pos = start
    for edit in edits:
        context = original[pos : edit.start]
        old.append(Segment(context, False))
        new.append(Segment(context, False))
        removed, added = _word_changes(original[edit.start : edit.end], edit.replacement)
        old.extend(removed)
        new.extend(added)
        pos = edit.end
    tail = original[pos:end]
    old.append(Segment(tail, False))
    new.append(Segment(tail, False))
    return _merge(old), _merge(new)


def _word_changes(before: str, after: str) -> tuple[list[Segment], list[Segment]]:
    """The two sides of one edit, with only the words that differ marked."""
    a, b = tokenize(before), tokenize(after)
    old: list[Segment] = []
    new: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        same = tag == "equal"
        old.append(Segment("".join(a[i1:i2]), not same))
        new.append(Segment("".join(b[j1:j2]), not same))
    return old, new


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if merged and merged[-1].changed == segment.changed:
            merged[-1] = Segment(merged[-1].text + segment.text, segment.changed)
        else:
            merged.append(segment)
    return merged


def _elide(segments: list[Segment]) -> tuple[Segment, ...]:
    """Unchanged stretches cut to :data:`CONTEXT_CHARS` next to each change."""
    out = []
    for i, segment in enumerate(segments):
        text = segment.text
        if not segment.changed and len(text) > 2 * CONTEXT_CHARS:
            first, last = i == 0, i == len(segments) - 1
            if first and last:
                text = text[: 2 * CONTEXT_CHARS] + ELISION
            elif first:
                text = ELISION + text[-CONTEXT_CHARS:]
            elif last:
                text = text[:CONTEXT_CHARS] + ELISION
            else:
                text = text[:CONTEXT_CHARS] + f" {ELISION} " + text[-CONTEXT_CHARS:]
        out.append(Segment(text, segment.changed))
    return tuple(out)
