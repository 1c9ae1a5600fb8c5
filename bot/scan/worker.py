"""The work a scan worker does: lint one page (:func:`lint_page`, the unit of every engine), a
chunk of pages the client sent, or a whole partition the worker reads itself."""

from __future__ import annotations

import bisect
import re
import signal
from collections.abc import Callable, Iterator
from typing import IO, Any, NamedTuple

from wikilint.bot.change.timelimit import exit_with_parent, killed_at_deadline
from wikilint.bot.scan.partitions import Partition
from wikilint.bot.scan.readers import (
    DumpError,
    Page,
    Position,
    iter_pages,
    open_byte_range,
    open_dump_at,
)
from wikilint.bot.scan.summary import Summary, format_record
from wikilint.rules.config import Config
from wikilint.rules.engine import PARSE_ERROR, PARSE_ERROR_CODE, lint
from wikilint.rules.registry import all_rules

INTERNAL_ERROR = "internal-error"
INTERNAL_ERROR_CODE = "WL002"
WORKER_DIED = "the worker process died while linting this page"


class ScanOptions(NamedTuple):
    """What every task of a scan shares; sent to each worker once."""

    config: Config
    namespaces: frozenset[int] | None = frozenset({0})
    output_format: str = "json"
    page_timeout: float = 0.0  # seconds one page's lint may take in local workers; 0: no limit


class PartitionResult(NamedTuple):
    """A partition's output lines (pages with findings, in dump order) and its counts."""

    ordinal: int
    lines: list[str]
    summary: Summary


# -- linting one page ---------------------------------------------------------------------------


def _codes() -> dict[str, str]:
    codes = {r.name: r.code for r in all_rules()}
    codes[PARSE_ERROR] = PARSE_ERROR_CODE
    codes[INTERNAL_ERROR] = INTERNAL_ERROR_CODE
    return codes


_CODES: dict[str, str] | None = None


def _line_col(line_starts: list[int], offset: int) -> tuple[int, int]:
    line = bisect.bisect_right(line_starts, offset) - 1
    return line + 1, offset - line_starts[line] + 1


def lint_page(page: Page, config: Config) -> dict[str, Any]:
    """One JSON-ready record for a page. Never raises: a crash becomes an ``error`` record."""
    try:
        with killed_at_deadline(_PAGE_TIMEOUT):
            result = lint(page.text, config)
    except (Exception, RecursionError) as exc:  # one bad page must not stop a scan
        return error_record(page, f"{type(exc).__name__}: {exc}", f"wikilint crashed: {exc}")
    record = _record(page)
    if result.parse_error is not None:
        record["error"] = result.parse_error.message
    if result.doc is not None:
        line_col: Callable[[int], tuple[int, int]] = result.doc.line_col
    else:
        starts = [0] + [m.end() for m in re.finditer("\n", page.text)]
        line_col = lambda offset: _line_col(starts, offset)  # noqa: E731
    record["findings"] = [
        _finding_dict(
            f.rule,
            str(f.severity),
            f.message,
            line_col(f.start),
            (f.start, f.end),
            f.fix is not None,
        )
        for f in result.findings
    ]
    return record


def error_record(page: Page, error: str, message: str) -> dict[str, Any]:
    """The record of a page wikilint could not lint: one ``internal-error`` finding."""
    record = _record(page)
    record["error"] = error
    record["findings"] = [_finding_dict(INTERNAL_ERROR, "error", message, (1, 1), (0, 0))]
    return record


def _record(page: Page) -> dict[str, Any]:
    return {
        "title": page.title,
        "ns": page.ns,
        "pageid": page.pageid,
        "revid": page.revid,
        "findings": [],
    }


def _finding_dict(
    rule: str,
    severity: str,
    message: str,
    line_col: tuple[int, int],
    span: tuple[int, int],
    fixable: bool = False,
) -> dict[str, Any]:
    global _CODES
    if _CODES is None:
        _CODES = _codes()
    return {
        "rule": rule,
        "code": _CODES.get(rule, ""),
        "severity": severity,
        "message": message,
        "line": line_col[0],
        "column": line_col[1],
        "start": span[0],
        "end": span[1],
        "fixable": fixable,
    }


def lint_chunk(pages: list[Page], config: Config) -> list[dict[str, Any]]:
    return [lint_page(page, config) for page in pages]


# -- a partition the worker reads itself --------------------------------------------------------


def open_partition(partition: Partition) -> tuple[IO[bytes], Position]:
    """The XML of a partition, and the compressed bytes of it read so far."""
    if partition.multistream:
        return open_byte_range(partition.path, partition.start, partition.end)
    return open_dump_at(partition.path)


def scan_partition(partition: Partition, options: ScanOptions) -> PartitionResult:
    """Read, lint and format one partition, in the worker."""

    def pairs(count_skip: Callable[[], None]) -> Iterator[tuple[Page, dict[str, Any]]]:
        stream, _ = open_partition(partition)
        with stream:
            for page in iter_pages(stream, options.namespaces, count_skip):
                yield page, lint_page(page, options.config)

    return collect_partition(partition, options, pairs)


def collect_partition(
    partition: Partition,
    options: ScanOptions,
    pairs: Callable[[Callable[[], None]], Iterator[tuple[Page, dict[str, Any]]]],
) -> PartitionResult:
    """The output lines and counts of a partition's (page, record) pairs.

    Raises :class:`DumpError` naming the range when its bytes are not whole pages, or hold
    another number of pages than the index lists (an index of another dump).
    """
    summary = Summary()

    def count_skip() -> None:
        summary.pages_skipped += 1

    lines = []
    try:
        for page, record in pairs(count_skip):
            summary.add(record, len(page.text))
            if record["findings"]:
                lines.append(format_record(record, options.output_format))
    except DumpError as exc:
        raise DumpError(f"{_where(partition)}: {exc}") from None
    seen = summary.pages_scanned + summary.pages_skipped
    if partition.pages is not None and seen != partition.pages:
        raise DumpError(
            f"{_where(partition)}: the index lists {partition.pages} pages in this "
            f"range, the dump holds {seen}: does the index belong to this dump?"
        )
    return PartitionResult(partition.ordinal, lines, summary)


def _where(partition: Partition) -> str:
    if not partition.multistream:
        return partition.path
    end = "end" if partition.end is None else partition.end
    return f"{partition.path} (bytes {partition.start}-{end})"


# Worker processes get the options once, at start, instead of with every task.
_WORKER_OPTIONS: ScanOptions | None = None
# Set in the local pool's workers only: the kernel ends the worker when one page's lint takes
# longer (the pool then redoes the pages in flight one by one, saying which page took too long).
_PAGE_TIMEOUT = 0.0


def init_worker(options: ScanOptions) -> None:
    global _WORKER_OPTIONS, _PAGE_TIMEOUT
    _WORKER_OPTIONS = options
    _PAGE_TIMEOUT = options.page_timeout
    # Ctrl-C reaches the whole process group: the client stops the workers and says how to
    # resume; a traceback from every worker would only bury that.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent()


def lint_chunk_in_worker(pages: list[Page]) -> list[dict[str, Any]]:
    assert _WORKER_OPTIONS is not None
    return lint_chunk(pages, _WORKER_OPTIONS.config)


def scan_partition_in_worker(partition: Partition) -> PartitionResult:
    assert _WORKER_OPTIONS is not None
    return scan_partition(partition, _WORKER_OPTIONS)
