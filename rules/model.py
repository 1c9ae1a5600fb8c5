"""The data model shared by every rule: findings, edits, fixes.

Offsets are ``str`` indices into the linted text (``[start, end)``); line and column are
computed only when findings are printed.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field


class Applicability(enum.IntEnum):
    """How safe a fix is to apply without a person looking at it (ordered)."""

    DISPLAY_ONLY = 0
    UNSAFE = 1
    SAFE = 2


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Fixability(enum.StrEnum):
    """What the rule table says about a rule's fixes."""

    NONE = "no"
    SAFE = "safe"
    UNSAFE = "unsafe"
    SOMETIMES = "sometimes"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement`` (an insertion when start == end)."""

    start: int
    end: int
    replacement: str

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad edit span [{self.start}, {self.end})")

    def overlaps(self, other: Edit) -> bool:
        if self.start == self.end == other.start == other.end:
            return True  # two insertions at one point: their order would be arbitrary
        return self.start < other.end and other.start < self.end

    @classmethod
    def insert(cls, at: int, text: str) -> Edit:
        return cls(at, at, text)

    @classmethod
    def delete(cls, start: int, end: int) -> Edit:
        return cls(start, end, "")


@dataclass(frozen=True, slots=True)
class Fix:
    """One or more edits that must be applied together."""

    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.edits, key=lambda e: (e.start, e.end)))
        if not ordered:
            raise ValueError("a fix needs at least one edit")
        for a, b in itertools.pairwise(ordered):
            if a.overlaps(b):
                raise ValueError(f"overlapping edits in one fix: {a} {b}")
        object.__setattr__(self, "edits", ordered)

    @classmethod
    def safe(cls, *edits: Edit) -> Fix:
        return cls(tuple(edits), Applicability.SAFE)

    @classmethod
    def unsafe(cls, *edits: Edit) -> Fix:
        return cls(tuple(edits), Applicability.UNSAFE)

    @property
    def start(self) -> int:
        return self.edits[0].start

    @property
    def end(self) -> int:
        return max(e.end for e in self.edits)

    def overlaps(self, other: Fix) -> bool:
        return any(a.overlaps(b) for a in self.edits for b in other.edits)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    message: str
    start: int
    end: int
    severity: Severity
    fix: Fix | None = field(default=None, compare=False)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits to ``text`` (their order does not matter)."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    out: list[str] = []
    pos = 0
    for edit in ordered:
        if edit.start < pos or edit.end > len(text):
            raise ValueError(f"edit {edit} overlaps another or is out of bounds")
        out.append(text[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)
