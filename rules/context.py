"""What a rule sees during one pass: the document, the environment and the linted region."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from wikilint.rules.document import Document

T = TypeVar("T")


@dataclass(frozen=True)
class Environment:
    """Facts from outside the text, prepared by the caller (rules/ never does I/O).

    ``titles`` maps a URL to the page title the caller fetched for it (``bot.fetch``); rules
    with fetch-based fixes offer no fix for a URL missing from it.
    """

    today: dt.date = field(default_factory=dt.date.today)
    titles: Mapping[str, str] = field(default_factory=dict)
    page_title: str | None = None


@dataclass
class Context:
    doc: Document
    env: Environment
    region: tuple[int, int] | None = None  # the linted section; None = the whole page
    _memo: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.doc.text

    def in_region(self, start: int, end: int) -> bool:
        if self.region is None:
            return True
        r_start, r_end = self.region
        return r_start <= start and end <= r_end

    def shared(self, key: str, build: Callable[[Document], T]) -> T:
        """An index computed once per pass and shared by every rule that asks for it."""
        if key not in self._memo:
            self._memo[key] = build(self.doc)
        return self._memo[key]
