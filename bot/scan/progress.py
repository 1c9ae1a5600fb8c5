"""Scan progress on stderr: a live line on a terminal, a log line every N seconds otherwise.

The ETA comes from compressed bytes: read so far (the streaming path), or in the partitions
finished (partitioned scans). Work done before a resumed scan
started counts as done, but not towards the rate.
"""

from __future__ import annotations

import time
from typing import TextIO

DEFAULT_LOG_INTERVAL = 30.0
_TERMINAL_INTERVAL = 0.25


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class Progress:
    def __init__(
        self,
        stream: TextIO,
        total_bytes: int | None = None,
        total_parts: int | None = None,
        log_interval: float = DEFAULT_LOG_INTERVAL,
        terminal: bool | None = None,
    ) -> None:
        self.stream = stream
        self.terminal = stream.isatty() if terminal is None else terminal
        self.interval = _TERMINAL_INTERVAL if self.terminal else log_interval
        self.total_bytes = total_bytes
        self.total_parts = total_parts
        self.started = time.monotonic()
        self.last = self.started
        self.base_pages = 0
        self.base_bytes = 0
        self.shown = False

    def resumed(self, pages: int, bytes_done: int) -> None:
        """Work a previous run did: counted as done, not in the rate."""
        self.base_pages, self.base_bytes = pages, bytes_done

    def line(self, pages: int, findings: int, bytes_done: int, parts_done: int | None) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = (pages - self.base_pages) / elapsed
        text = f"{pages:,} pages, {findings:,} findings, {rate:,.0f} pages/s"
        if parts_done is not None and self.total_parts:
            text += f", {parts_done:,}/{self.total_parts:,} partitions"
        if self.total_bytes:
            fraction = min(bytes_done / self.total_bytes, 1.0)
            text += f", {fraction:.1%}"
            rate_of_bytes = (bytes_done - self.base_bytes) / elapsed
            if rate_of_bytes > 0 and fraction < 1:
                text += f", ETA {_duration((self.total_bytes - bytes_done) / rate_of_bytes)}"
        return text

    def update(
        self,
        pages: int,
        findings: int,
        bytes_done: int,
        parts_done: int | None = None,
        force: bool = False,
    ) -> None:
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        text = self.line(pages, findings, bytes_done, parts_done)
        if self.terminal:
            self.stream.write(f"\r\x1b[K{text}")
            self.shown = True
        else:
            self.stream.write(f"wikilint scan: {text}\n")
        self.stream.flush()

    def done(self) -> None:
        if self.terminal and self.shown:
            self.stream.write("\n")
            self.stream.flush()
