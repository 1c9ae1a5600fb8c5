"""How a run stops, and the limits that stop it: the exit codes, :class:`Stop`, the save
:class:`Throttle` and the run's :class:`Budget` of time, pages and edits."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("wikilint.run")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_STOPPED, EXIT_RESUMABLE, EXIT_LOCKED = 0, 1, 2, 3, 4, 5
MAX_THROTTLE = 600.0


class Stop(Exception):
    """End the run now; every page so far is fully recorded."""

    def __init__(self, status: str, exit_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.exit_code = exit_code
        self.reason = reason


@dataclass
class Throttle:
    """At least ``interval`` seconds between saves; doubles on ``ratelimited``."""

    interval: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            delay = self._last + self.interval - self.clock()
            if delay > 0:
                self.sleep(delay)
        self._last = self.clock()

    def slow_down(self) -> None:
        self.interval = min(max(self.interval * 2, 1.0), MAX_THROTTLE)
        log.warning("the wiki rate-limited us: now at most one edit every %.0fs", self.interval)


@dataclass
class Budget:
    """Time budget and per-run page/edit limits: reaching one stops the run resumably."""

    time_budget: float
    max_pages: int
    max_edits: int
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)
    pages: int = 0
    edits: int = 0

    def __post_init__(self) -> None:
        self.started = self.clock()

    def deadline(self) -> float | None:
        """When the time budget runs out, as a ``time.monotonic()`` instant (``None``: no
        budget). For work that must stop inside a page, such as fetching titles."""
        if not self.time_budget:
            return None
        return time.monotonic() + max(0.0, self.time_budget - (self.clock() - self.started))

    def check_time(self) -> None:
        if self.time_budget and self.clock() - self.started >= self.time_budget:
            raise Stop("limit", EXIT_RESUMABLE, f"time budget of {self.time_budget:.0f}s used")

    def check_page(self) -> None:
        self.check_time()
        if self.max_pages and self.pages >= self.max_pages:
            raise Stop("limit", EXIT_RESUMABLE, f"page limit of {self.max_pages} reached")

    def check_edit(self) -> None:
        self.check_time()
        if self.max_edits and self.edits >= self.max_edits:
            raise Stop("limit", EXIT_RESUMABLE, f"edit limit of {self.max_edits} reached")
