"""The text the rules analyse (a *view*) and the text as read (the *source*), kept apart.

An input is kept exactly as it was read: its BOM, its line endings (CRLF, LF, a lone CR, mixed),
its flattened lines. The rules analyse a view of it: line endings as ``\\n``, no BOM, only the
wikitext of an edit form, line breaks restored around headings and list items. A view is a way
of *reading* the source, never a change to it:

- positions the rules report in the view map back to the source (:meth:`TextView.to_source`);
- fixes, computed on the view, are applied to the source (:meth:`TextView.apply`) as edits that
  change only what the fix changes: a restored line break or a normalised line ending that a
  fix leaves alone is never written, and a line break a fix inserts takes the ending of the
  line it lands on.

A view is the source with a list of *substitutions* (``Edit`` on the source) applied, so every
offset in the view has a place in the source.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from wikilint.bot.files.output import LineIndex, Located
from wikilint.rules.model import Edit, Fix, apply_edits

_LINE_ENDING = re.compile(r"\r\n|\r|\n")


class TextView:
    """``text`` is ``source`` with ``substitutions`` (sorted, non-overlapping) applied."""

    def __init__(self, source: str, substitutions: Iterable[Edit] = ()) -> None:
        self.source = source
        self.substitutions = sorted(
            (s for s in substitutions if s.replacement != source[s.start : s.end]),
            key=lambda s: (s.start, s.end),
        )
        self.text = apply_edits(source, self.substitutions) if self.substitutions else source
        # Where each substitution lands in the view: [view_start, view_end).
        self._view_starts: list[int] = []
        self._view_ends: list[int] = []
        shift = 0
        for sub in self.substitutions:
            start = sub.start + shift
            self._view_starts.append(start)
            self._view_ends.append(start + len(sub.replacement))
            shift += len(sub.replacement) - (sub.end - sub.start)

    def then(self, substitutions: Iterable[Edit]) -> TextView:
        """This view with further ``substitutions`` (on :attr:`text`) applied."""
        later = sorted(substitutions, key=lambda s: (s.start, s.end))
        return TextView(self.source, compose(self.substitutions, later))

    @property
    def identical(self) -> bool:
        return not self.substitutions

    # -- positions ---------------------------------------------------------------------------

    def to_source(self, offset: int, *, end: bool = False) -> int:
        """The source offset of a view offset. At the edge of deleted text, a start
        (``end=False``) lands after it and an end before it; inside replaced text, the
        replaced text's edges in the source bound the result."""
        subs = self.substitutions
        if not subs:
            return offset
        # Substitutions [first, last) touch the offset: view_start <= offset <= view_end.
        first = bisect.bisect_left(self._view_ends, offset)
        last = bisect.bisect_right(self._view_starts, offset)
        if first >= last:  # in copied text
            if first == 0:
                return offset
            return subs[first - 1].end + offset - self._view_ends[first - 1]
        i = first if end else last - 1
        sub, view_start, view_end = subs[i], self._view_starts[i], self._view_ends[i]
        if view_start == view_end:  # deleted text
            return sub.start if end else sub.end
        if offset == view_start:
            return sub.start
        if offset == view_end:
            return sub.end
        return min(sub.start + offset - view_start, sub.end)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """A view span ``[start, end)`` in the source (never inverted)."""
        source_start = self.to_source(start)
        return source_start, max(source_start, self.to_source(end, end=True))

    # -- edits -------------------------------------------------------------------------------

    def source_edits(self, edits: Iterable[Edit]) -> list[Edit]:
        """Edits of the view, as edits of the source that change only what they change.

        Each edit is first trimmed to the characters it really changes. An edit that still
        covers a substitution is split around the characters it keeps, so a restored line
        break or a normalised line ending inside it stays as it was read. A ``\\n`` that an
        edit inserts is written with the ending of the source line it lands on."""
        mapped: list[Edit] = []
        for edit in edits:
            for part in self._changed_parts(edit):
                start, end = self.source_span(part.start, part.end)
                mapped.append(Edit(start, end, self._with_line_endings(part.replacement, start)))
        mapped.sort(key=lambda e: (e.start, e.end))
        merged: list[Edit] = []
        for edit in mapped:  # touching edits as one, so each sees its real neighbours
            if merged and merged[-1].end == edit.start and merged[-1].start < edit.start:
                last = merged.pop()
                edit = Edit(last.start, edit.end, last.replacement + edit.replacement)
            merged.append(edit)
        return [
            Edit(e.start, e.end, self._keep_lone_cr(e.start, e.end, e.replacement)) for e in merged
        ]

    def _keep_lone_cr(self, start: int, end: int, replacement: str) -> str:
        """A lone CR that the edit would put right before an LF (the two would read as one
        CRLF) gets an LF of its own: two line breaks stay two."""
        source = self.source
        if replacement.startswith("\n") and source[start - 1 : start] == "\r":
            replacement = "\n" + replacement
        before = replacement[-1:] if replacement else source[start - 1 : start]
        if before == "\r" and source[end : end + 1] == "\n" and (replacement or start < end):
            replacement += "\n"
        return replacement

    def apply(self, edits: Iterable[Edit]) -> str:
        """The source with view ``edits`` applied through :meth:`source_edits`."""
        return apply_edits(self.source, self.source_edits(edits))

    def _changed_parts(self, edit: Edit) -> list[Edit]:
        if not self._covers_substitution(edit.start, edit.end):
            return [edit] if edit.start != edit.end or edit.replacement else []
        old = self.text[edit.start : edit.end]
        new = edit.replacement
        prefix = _common_prefix(old, new)
        suffix = _common_suffix(old[prefix:], new[prefix:])
        trimmed = Edit(edit.start + prefix, edit.end - suffix, new[prefix : len(new) - suffix])
        if trimmed.start == trimmed.end and not trimmed.replacement:
            return []
        if not self._covers_substitution(trimmed.start, trimmed.end):
            return [trimmed]
        # The change spans line breaks the view substituted (normalised or restored). Keep
        # them as read: when it keeps their number, the i-th stays the i-th; otherwise the
        # lines it leaves alone at either end stay.
        old_lines = self.text[trimmed.start : trimmed.end].split("\n")
        new_lines = trimmed.replacement.split("\n")
        if len(old_lines) != len(new_lines):
            lead = 0
            while lead < min(len(old_lines), len(new_lines)) - 1 and (
                old_lines[lead] == new_lines[lead]
            ):
                lead += 1
            tail = 0
            while tail < min(len(old_lines), len(new_lines)) - 1 - lead and (
                old_lines[-1 - tail] == new_lines[-1 - tail]
            ):
                tail += 1
            start = trimmed.start + sum(len(line) + 1 for line in old_lines[:lead])
            old_middle = "\n".join(old_lines[lead : len(old_lines) - tail])
            new_middle = "\n".join(new_lines[lead : len(new_lines) - tail])
            if "\n" in new_middle:  # rare: new line breaks among the old ones
                return _split_by_diff(Edit(start, start + len(old_middle), new_middle), old_middle)
            return [Edit(start, start + len(old_middle), new_middle)]
        parts = []
        at = trimmed.start
        for was, now in zip(old_lines, new_lines, strict=True):
            if was != now:
                head = _common_prefix(was, now)
                tail = _common_suffix(was[head:], now[head:])
                parts.append(Edit(at + head, at + len(was) - tail, now[head : len(now) - tail]))
            at += len(was) + 1
        return parts

    def _covers_substitution(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._view_ends, start + 1)
        return i < len(self.substitutions) and self._view_starts[i] < end

    def _with_line_endings(self, replacement: str, at: int) -> str:
        if "\n" not in replacement:
            return replacement
        ending = line_ending_at(self.source, at)
        return replacement if ending == "\n" else replacement.replace("\n", ending)


def line_ending_at(text: str, offset: int) -> str:
    """The ending of the line holding ``offset``; on the last line, the ending of the line
    before it; ``\\n`` in a text without line breaks."""
    found = _LINE_ENDING.search(text, offset)
    if found is not None:
        return found.group()
    before = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset))
    if before < 0:
        return "\n"
    if text[before] == "\r":
        return "\r"
    return "\r\n" if before > 0 and text[before - 1] == "\r" else "\n"


def compose(first: Sequence[Edit], second: Sequence[Edit]) -> list[Edit]:
    """Edits of a text A equal to applying ``first`` (on A) and then ``second`` (on the
    result B). Both lists are sorted and non-overlapping; edits that touch are merged."""
    # Each first edit's span in B.
    spans: list[tuple[int, int, Edit]] = []
    shift = 0
    for edit in first:
        b_start = edit.start + shift
        spans.append((b_start, b_start + len(edit.replacement), edit))
        shift += len(edit.replacement) - (edit.end - edit.start)
    # Intervals in B, grouped where they overlap or touch.
    intervals = sorted(
        [(s, e, 0, i) for i, (s, e, _) in enumerate(spans)]
        + [(edit.start, edit.end, 1, j) for j, edit in enumerate(second)]
    )
    out: list[Edit] = []
    shift_before = 0  # B minus A, from the first edits before the current group
    k = 0
    while k < len(intervals):
        group_start, group_end = intervals[k][0], intervals[k][1]
        firsts: list[int] = []
        seconds: list[int] = []
        while k < len(intervals) and intervals[k][0] <= group_end:
            _, stop, kind, index = intervals[k]
            group_end = max(group_end, stop)
            (firsts if kind == 0 else seconds).append(index)
            k += 1
        delta = sum(
            len(spans[i][2].replacement) - (spans[i][2].end - spans[i][2].start) for i in firsts
        )
        a_start = group_start - shift_before
        a_end = group_end - shift_before - delta

        def b_text(lo: int, hi: int, firsts: list[int] = firsts) -> str:
            # Inside a group, text not under a second edit comes from first edits.
            pieces = []
            for i in firsts:
                s, e, edit = spans[i]
                if s < hi and lo < e:
                    pieces.append(edit.replacement[max(lo, s) - s : min(hi, e) - s])
            return "".join(pieces)

        replacement = []
        pos = group_start
        for j in seconds:
            edit = second[j]
            replacement.append(b_text(pos, edit.start))
            replacement.append(edit.replacement)
            pos = max(pos, edit.end)
        replacement.append(b_text(pos, group_end))
        out.append(Edit(a_start, a_end, "".join(replacement)))
        shift_before += delta
    return out


def _split_by_diff(edit: Edit, old: str) -> list[Edit]:
    """``edit`` (replacing ``old``) as the smaller edits a character diff finds."""
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, old, edit.replacement, autojunk=False)
    return [
        Edit(edit.start + i1, edit.start + i2, edit.replacement[j1:j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _common_suffix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[-1 - i] == b[-1 - i]:
        i += 1
    return i


# -- findings and fixes, from the view to the source ----------------------------------------


def located_in_source(view: TextView, located: list[Located]) -> list[Located]:
    """Findings located in the view, moved to the source: offsets, line and column, and the
    edits of their fixes (the section stays the view's, where headings were restored)."""
    if view.identical or not located:
        return located
    lines = LineIndex(view.source)
    moved = []
    for loc in located:
        finding = loc.finding
        start, end = view.source_span(finding.start, finding.end)
        fix = finding.fix
        if fix is not None:
            edits = view.source_edits(fix.edits) or [
                Edit(*view.source_span(e.start, e.end), e.replacement) for e in fix.edits
            ]
            fix = Fix(tuple(edits), fix.applicability)
        line, column = lines.line_col(start)
        end_line, end_column = lines.line_col(end)
        moved.append(
            loc._replace(
                finding=replace(finding, start=start, end=end, fix=fix),
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
            )
        )
    return moved
