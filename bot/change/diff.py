"""A word-level diff that stays readable on wiki text.

Wiki paragraphs are often one line of thousands of characters, so a line diff would show a
72,000-character line replaced by another. This diff works on words and wiki punctuation
(``|date=2 Feb 2024`` → ``|``, ``date``, ``=``, ``2``, ``Feb``, …), prints one hunk per
group of nearby changes with its ``line:col`` and a few words of context, and marks changes
with ``[-old-]{+new+}`` or, on a terminal, with colour.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

import click
from wikilint.bot.files.output import LineIndex

# Whitespace runs, single wiki (and sentence) punctuation characters, and the words between.
_TOKEN = re.compile(r"""\s+|[|{}\[\]=<>/"().,;:!?#&]|[^\s|{}\[\]=<>/"().,;:!?#&]+""")
_WORDLIKE = re.compile(r"\w")
NEWLINE_MARK = "⏎"
MAX_JOINED_GAP = 12  # an unchanged gap this short between two changes is shown inside one
MAX_SEGMENT = 240  # characters of one changed or context segment before it is elided


def tokenize(text: str) -> list[str]:
    """Split into tokens that join back to ``text`` exactly."""
    return _TOKEN.findall(text)


@dataclass(frozen=True)
class _Change:
    """Tokens ``old[a1:a2]`` became ``new[b1:b2]``."""

    a1: int
    a2: int
    b1: int
    b2: int


def word_diff(old: str, new: str, color: bool, context_words: int = 5) -> str:
    """Hunks of word changes from ``old`` to ``new``; empty when they are equal.

    Each hunk is one line: ``@@ line:col @@ …context [-old-]{+new+} context…`` where the
    position is in ``old`` (1-based), newlines show as ``⏎`` and long segments are elided.
    """
    if old == new:
        return ""
    a, b = tokenize(old), tokenize(new)
    changes = _coalesce(a, list(_changes(a, b)))
    a_offsets = _offsets(a)
    lines = LineIndex(old)
    out = []
    for hunk in _hunks(a, changes, context_words):
        first = hunk[0]
        line, col = lines.line_col(a_offsets[first.a1])
        body = _render_hunk(a, b, hunk, context_words, color)
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
            yield _Change(i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix)


def _coalesce(a: list[str], changes: list[_Change]) -> list[_Change]:
    """Join changes split by one short unchanged word, so ``2019 February 20`` →
    ``20 February 2019`` reads as one replacement rather than three scattered edits."""
    merged: list[_Change] = []
    for change in changes:
        if merged:
            last = merged[-1]
            gap = a[last.a2 : change.a1]
            if _count_words(gap) <= 1 and len("".join(gap)) <= MAX_JOINED_GAP:
                merged[-1] = _Change(last.a1, change.a2, last.b1, change.b2)
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


def _render_hunk(
    a: list[str], b: list[str], hunk: list[_Change], context_words: int, color: bool
) -> str:
    before, more_before = _context_before(a, hunk[0].a1, context_words)
    parts = ["…" if more_before else "", _show(before)]
    for i, change in enumerate(hunk):
        if i:
            parts.append(_show("".join(a[hunk[i - 1].a2 : change.a1])))
        removed, added = "".join(a[change.a1 : change.a2]), "".join(b[change.b1 : change.b2])
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
    text = text.replace("\n", NEWLINE_MARK)
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
