"""The one diff of a change: the edits it makes, shown word by word, and compared.

A change is a list of edits on the original text (:func:`compose` folds the fix passes' own
edits into one such list). Everything else comes from that list, never from diffing whole
texts again:

- :func:`change_diff` shows it to a reviewer. Wiki paragraphs are often one line of thousands
  of characters, so a line diff would show a 72,000-character line replaced by another. This
  diff works on words and wiki punctuation (``|date=2 Feb 2024`` → ``|``, ``date``, ``=``,
  ``2``, ``Feb``, …), prints one hunk per group of nearby changes with its ``line:col`` and a
  few words of context, and marks changes with ``[-old-]{+new+}`` or, on a terminal, with
  colour;
- :func:`same_edits` tells whether two changes replace the same pieces (a reviewed change
  re-applied to a newer revision), in time proportional to the edits.

:func:`word_diff` shows two texts for a caller that has no edit list (it finds the edits
with a token diff, then shows them the same way).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import groupby

import click
from wikilint.bot.files.output import LineIndex
from wikilint.rules.engine import AppliedFix
from wikilint.rules.model import Edit, apply_edits

# Whitespace runs, single wiki (and sentence) punctuation characters, and the words between.
_TOKEN = re.compile(r"""\s+|[|{}\[\]=<>/"().,;:!?#&]|[^\s|{}\[\]=<>/"().,;:!?#&]+""")
_WORDLIKE = re.compile(r"\w")
NEWLINE_MARK = "⏎"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
MAX_JOINED_GAP = 12  # an unchanged gap this short between two changes is shown inside one
MAX_SEGMENT = 240  # characters of one changed or context segment before it is elided


def tokenize(text: str) -> list[str]:
    """Split into tokens that join back to ``text`` exactly."""
    return _TOKEN.findall(text)


# -- the edits of a change ----------------------------------------------------------------------


def compose(applied: Sequence[AppliedFix]) -> list[Edit]:
    """The edits of all fix passes as one sorted list of edits on the first pass's text.

    Each pass's edits point into that pass's text (``AppliedFix.text``); an edit of a later
    pass that touches an earlier one merges with it. Applying the result to the original
    gives the fixed text.
    """
    net: list[Edit] = []
    for _, group in groupby(applied, key=lambda a: a.pass_number):
        fixes = list(group)
        edits = [e for a in fixes if a.finding.fix for e in a.finding.fix.edits]
        net = _compose_pass(net, fixes[0].text, edits)
    return net


def _compose_pass(net: list[Edit], text: str, edits: list[Edit]) -> list[Edit]:
    """``net`` (original → ``text``) followed by ``edits`` (on ``text``)."""
    # Every earlier edit and every new one as an interval of ``text``; intervals that overlap
    # or touch form one cluster, which becomes one edit of the original.
    items: list[tuple[int, int, Edit | None, Edit | None]] = []  # (start, end, earlier, new)
    shift = 0
    for edit in net:
        start = edit.start + shift
        items.append((start, start + len(edit.replacement), edit, None))
        shift += len(edit.replacement) - (edit.end - edit.start)
    items += [(e.start, e.end, None, e) for e in edits]
    items.sort(key=lambda item: (item[0], item[1]))
    out: list[Edit] = []
    shift = 0  # earlier edits' length change before the current cluster
    i = 0
    while i < len(items):
        start, end = items[i][0], items[i][1]
        j = i + 1
        while j < len(items) and items[j][0] <= end:
            end = max(end, items[j][1])
            j += 1
        cluster = items[i:j]
        earlier = [item[2] for item in cluster if item[2] is not None]
        new = [item[3] for item in cluster if item[3] is not None]
        growth = sum(len(e.replacement) - (e.end - e.start) for e in earlier)
        if not new:
            out += earlier
        else:
            replaced = apply_edits(
                text[start:end], (Edit(e.start - start, e.end - start, e.replacement) for e in new)
            )
            out.append(Edit(start - shift, end - shift - growth, replaced))
        shift += growth
        i = j
    return out


def same_edits(
    original_a: str, edits_a: Iterable[Edit], original_b: str, edits_b: Iterable[Edit]
) -> bool:
    """Do the two changes replace the same pieces of text with the same new text, wherever
    those pieces are? (A reviewed change re-applied to a newer revision must.)"""
    return _pieces(original_a, edits_a) == _pieces(original_b, edits_b)


def _pieces(original: str, edits: Iterable[Edit]) -> Counter[tuple[str, str]]:
    return Counter((original[e.start : e.end], e.replacement) for e in edits)


# -- showing a change ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    """Tokens ``old[a1:a2]`` became the text ``added``."""

    a1: int
    a2: int
    added: str


def change_diff(original: str, edits: Sequence[Edit], color: bool, context_words: int = 5) -> str:
    """Hunks of word changes that ``edits`` make to ``original``; empty when there are none.

    Each hunk is one line: ``@@ line:col @@ …context [-old-]{+new+} context…`` where the
    position is in ``original`` (1-based), newlines show as ``⏎`` and long segments are
    elided. Only the edited places are compared word by word, however long the text.
    """
    if not edits:
        return ""
    a = tokenize(original)
    offsets = _offsets(a)
    changes: list[_Change] = []
    for i1, i2, new in _token_aligned(original, offsets, edits):
        old_tokens, new_tokens = a[i1:i2], tokenize(new)
        changes += (
            _Change(c.a1 + i1, c.a2 + i1, c.added) for c in _changes(old_tokens, new_tokens)
        )
    return _render(original, a, offsets, changes, color, context_words)


def word_diff(old: str, new: str, color: bool, context_words: int = 5) -> str:
    """:func:`change_diff` for two texts, the edits found with a token diff."""
    if old == new:
        return ""
    a = tokenize(old)
    return _render(old, a, _offsets(a), list(_changes(a, tokenize(new))), color, context_words)


def _token_aligned(
    original: str, offsets: list[int], edits: Sequence[Edit]
) -> Iterator[tuple[int, int, str]]:
    """Each edit grown to whole tokens of ``original`` (touching ones joined): the token
    range it replaces and its new text."""
    group: list[Edit] = []
    bounds = (0, 0)
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        i1 = max(0, bisect_right(offsets, edit.start) - 1)
        i2 = max(i1, bisect_left(offsets, edit.end))
        if group and i1 <= bounds[1]:
            bounds = (bounds[0], max(bounds[1], i2))
        else:
            if group:
                yield _aligned(original, offsets, bounds, group)
            group, bounds = [], (i1, i2)
        group.append(edit)
    if group:
        yield _aligned(original, offsets, bounds, group)


def _aligned(
    original: str, offsets: list[int], bounds: tuple[int, int], group: list[Edit]
) -> tuple[int, int, str]:
    start, end = offsets[bounds[0]], offsets[bounds[1]]
    new = apply_edits(
        original[start:end], (Edit(e.start - start, e.end - start, e.replacement) for e in group)
    )
    return bounds[0], bounds[1], new


def _render(
    old: str,
    a: list[str],
    a_offsets: list[int],
    changes: list[_Change],
    color: bool,
    context_words: int,
) -> str:
    if not changes:
        return ""
    changes = _coalesce(a, changes)
    lines = LineIndex(old)
    out = []
    for hunk in _hunks(a, changes, context_words):
        line, col = lines.line_col(a_offsets[hunk[0].a1])
        body = _render_hunk(a, hunk, context_words, color)
        header = f"@@ {line}:{col} @@"
        out.append(f"{click.style(header, fg='cyan') if color else header} {body}")
    return "\n".join(out) + "\n"


def _changes(a: list[str], b: list[str]) -> Iterator[_Change]:
    # Trim the common ends first: most fixes touch a few places in a long text.
    prefix = 0
    limit = min(len(a), len(b))
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    a_mid, b_mid = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    # autojunk keeps this fast on long texts: popular tokens (spaces, "|") do not anchor matches.
    matcher = SequenceMatcher(None, a_mid, b_mid, autojunk=True)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            yield _Change(i1 + prefix, i2 + prefix, "".join(b_mid[j1:j2]))


def _coalesce(a: list[str], changes: list[_Change]) -> list[_Change]:
    """Join changes split by one short unchanged word, so ``2019 February 20`` →
    ``20 February 2019`` reads as one replacement rather than three scattered edits."""
    merged: list[_Change] = []
    for change in changes:
        if merged:
            last = merged[-1]
            gap = a[last.a2 : change.a1]
            if _count_words(gap) <= 1 and len("".join(gap)) <= MAX_JOINED_GAP:
                merged[-1] = _Change(last.a1, change.a2, last.added + "".join(gap) + change.added)
                continue
        merged.append(change)
    return merged


def _hunks(a: list[str], changes: list[_Change], context_words: int) -> Iterator[list[_Change]]:
    """Group changes whose gap is short enough that their contexts would overlap."""
    group: list[_Change] = []
    for change in changes:
        if group and _count_words(a[group[-1].a2 : change.a1]) > 2 * context_words:
            yield group
            group = []
        group.append(change)
    if group:
        yield group


def _count_words(tokens: list[str]) -> int:
    return sum(1 for t in tokens if _WORDLIKE.search(t))


def _context_before(a: list[str], end: int, words: int) -> tuple[str, bool]:
    """Tokens before ``end`` holding ``words`` words; and whether the text goes on before."""
    start, seen = end, 0
    while start > 0 and seen < words:
        start -= 1
        if _WORDLIKE.search(a[start]):
            seen += 1
    return "".join(a[start:end]), start > 0


def _context_after(a: list[str], start: int, words: int) -> tuple[str, bool]:
    end, seen = start, 0
    while end < len(a) and seen < words:
        if _WORDLIKE.search(a[end]):
            seen += 1
        end += 1
    return "".join(a[start:end]), end < len(a)


def _render_hunk(a: list[str], hunk: list[_Change], context_words: int, color: bool) -> str:
    before, more_before = _context_before(a, hunk[0].a1, context_words)
    parts = ["…" if more_before else "", _show(before)]
    for i, change in enumerate(hunk):
        if i:
            parts.append(_show("".join(a[hunk[i - 1].a2 : change.a1])))
        removed, added = "".join(a[change.a1 : change.a2]), change.added
        if removed:
            parts.append(_mark(_show(removed), "-", color))
        if added:
            parts.append(_mark(_show(added), "+", color))
    after, more_after = _context_after(a, hunk[-1].a2, context_words)
    parts.extend([_show(after), "…" if more_after else ""])
    return "".join(parts)


def _mark(text: str, sign: str, color: bool) -> str:
    if color:
        if sign == "-":
            return click.style(text, fg="red", strikethrough=True)
        return click.style(text, fg="green", bold=True)
    return f"[-{text}-]" if sign == "-" else f"{{+{text}+}}"


def _show(text: str) -> str:
    """One display line: newlines made visible, long segments elided in the middle."""
    text = _LINE_BREAK.sub(NEWLINE_MARK, text)  # a file as read may end lines with CR
    if len(text) <= MAX_SEGMENT:
        return text
    head, tail = MAX_SEGMENT * 2 // 3, MAX_SEGMENT // 4
    hidden = len(text) - head - tail
    return f"{text[:head]}…[{hidden:,} characters]…{text[-tail:]}"


def _offsets(tokens: list[str]) -> list[int]:
    """Start offset of each token, plus the end of the text."""
    offsets, pos = [], 0
    for token in tokens:
        offsets.append(pos)
        pos += len(token)
    offsets.append(pos)
    return offsets
