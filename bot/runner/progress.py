"""Progress of ``wikilint run``: a bar on a terminal, a periodic log line otherwise.

The bar's total is the number of pages the sources will give when that is known before the
run (explicit titles and a titles file), capped by the page limit; else the page limit; else
a plain count (categories, searches and generators stream: their size is known only at the
end)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

import click
from wikilint.bot.wiki.sources import SourceSettings

log = logging.getLogger("wikilint.progress")

LOG_EVERY = 30.0  # seconds between progress log lines when stderr is not a terminal


def known_total(sources: SourceSettings) -> int | None:
    """How many pages the sources give, when that is known without asking the wiki."""
    if (
        sources.categories
        or sources.transcluding
        or sources.recent_changes
        or sources.search
        or sources.pages_from
    ):
        return None
    from wikilint.bot.wiki.sources import read_titles_file

    titles = list(sources.titles)
    if sources.titles_file is not None:
        try:
            titles += read_titles_file(sources.titles_file)
        except OSError:
            return None  # the run reports the file itself
    return len(dict.fromkeys(titles))


class RunProgress:
    """The Runner's progress callback: ``progress(title, action)`` after each page."""

    WIDTH = 20

    def __init__(
        self,
        interactive: bool,
        total: int | None = None,
        limit: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interactive = interactive
        known = [n for n in (total, limit or None) if n is not None]
        self.target = min(known) if known else None
        self.counts: Counter[str] = Counter()
        self.clock = clock
        self.logged_at = clock()

    def line(self, title: str = "") -> str:
        n = sum(self.counts.values())
        detail = " ".join(f"{a}={c}" for a, c in sorted(self.counts.items()))
        if self.target:
            filled = min(self.WIDTH, self.WIDTH * n // self.target)
            done = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {n}/{self.target} pages"
        else:
            done = f"{n} page" if n == 1 else f"{n} pages"
        return f"{done}  {detail}  {title[:40]:<40}".rstrip()

    def __call__(self, title: str, action: str) -> None:
        self.counts[action] += 1
        if self.interactive:
            click.echo("\r" + self.line(title).ljust(100), nl=False, err=True)
        elif self.clock() - self.logged_at >= LOG_EVERY:
            self.logged_at = self.clock()
            log.info("progress: %s", self.line())

    def close(self) -> None:
        if self.interactive and self.counts:
            click.echo("", err=True)
