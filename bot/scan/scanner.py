"""``wikilint scan``: lint every page of MediaWiki XML dumps, on many cores or a Dask cluster.

Three input forms (:mod:`wikilint.bot.scan.partitions`): a multistream dump with its index, and
several files (or a glob), are split into partitions that each worker reads itself; one plain
dump file is streamed here and its pages are sent to the workers in chunks. Either way, memory
stays flat however large the dump is, and output is one line per page with findings, in dump
order whatever the engine and the number of jobs, so runs are comparable.

Modules: ``readers`` (XML, bz2 byte ranges), ``partitions`` (index, tasks), ``worker`` (the
per-page :func:`~wikilint.bot.scan.worker.lint_page` and the per-partition task), ``engines``
(local pool, Dask), ``checkpoint`` (``--resume``), ``progress``, ``summary``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import click
from wikilint.bot.change.timelimit import DEFAULT_PAGE_LINT_TIMEOUT
from wikilint.bot.files.configfile import discover_config, load_config
from wikilint.bot.scan.checkpoint import Checkpoint, state_path
from wikilint.bot.scan.engines import (
    EngineError,
    run_dask,
    run_local,
    run_partitions_dask,
    run_partitions_local,
)
from wikilint.bot.scan.partitions import (
    Partition,
    expand_inputs,
    index_for,
    plan,
)
from wikilint.bot.scan.progress import DEFAULT_LOG_INTERVAL, Progress
from wikilint.bot.scan.readers import DumpError, Page, iter_pages, open_dump_at
from wikilint.bot.scan.summary import Summary, format_record
from wikilint.bot.scan.worker import PartitionResult, ScanOptions
from wikilint.rules.config import Config, ConfigError

DEFAULT_CHUNK = 16
# One plain file has no partitions: its output is made resumable every so many pages read.
# A resumed scan reads the file again up to there (reading is ~10x faster than linting).
STREAM_CHECKPOINT_PAGES = 1000


class Interrupted(Exception):
    """SIGTERM (or SIGINT) arrived: stop, keep what is written, exit 128 + the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def run_scan(
    dumps: str | Path | Sequence[str | Path],
    out: TextIO | None,
    config: Config | None = None,
    *,
    jobs: int = 1,
    namespaces: Collection[int] | None = (0,),
    output_format: str = "json",
    titles_only: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress: TextIO | None = None,
    index: str | Path | None = None,
    streams_per_task: int | None = None,
    output: str | Path | None = None,
    resume: bool = False,
    log_interval: float = DEFAULT_LOG_INTERVAL,
    page_timeout: float = 0.0,
    checkpoint_pages: int = STREAM_CHECKPOINT_PAGES,
) -> Summary:
    """Lint every page of ``dumps``, writing one line per page with findings to ``out``, or to
    the file ``output`` with its resume state (:mod:`~wikilint.bot.scan.checkpoint`; a plain
    file's every ``checkpoint_pages`` pages read). ``page_timeout``: the seconds one page's lint
    may take in the local engine's worker processes (0: no limit; ``wikilint scan`` sets
    ``--lint-timeout``, 30 by default).

    Raises :class:`DumpError` when a dump is unreadable (pages before the error are reported).
    """
    if isinstance(dumps, str | Path):
        dumps = [dumps]
    inputs = expand_inputs([str(d) for d in dumps])
    partitions = plan(inputs, index, streams_per_task)
    options = ScanOptions(
        config or Config(),
        frozenset(namespaces) if namespaces is not None else None,
        "titles" if titles_only else output_format,
        page_timeout,
    )
    target = Path(output) if output is not None else None
    special = target is not None and target.exists() and not target.is_file()
    if special and resume:  # /dev/null, a pipe: nothing to resume into, no state next to it
        raise DumpError(f"{target}: --resume needs a regular output file")
    checkpoint = None
    if target is not None and not special:
        description = {
            "inputs": [[str(Path(p).resolve()), Path(p).stat().st_size] for p in inputs],
            "index": str(Path(index).resolve()) if index else None,
            "streams_per_task": streams_per_task,
            "namespaces": sorted(options.namespaces) if options.namespaces is not None else None,
            "format": options.output_format,
            "config": repr(options.config),
        }
        if partitions is None:
            description["pages_per_checkpoint"] = checkpoint_pages
        checkpoint = Checkpoint(target, description, resume)
    with contextlib.ExitStack() as stack:
        if checkpoint is not None:
            stack.callback(checkpoint.close)
        elif target is not None:  # a device: written to as it is, no state next to it
            out = stack.enter_context(target.open("w", encoding="utf-8"))
        if partitions is None:
            return _scan_stream(
                inputs[0], out, checkpoint, options, jobs, engine, scheduler, chunk, progress,
                log_interval, checkpoint_pages,
            )  # fmt: skip
        return _scan_partitions(
            partitions, out, checkpoint, options, jobs, engine, scheduler, chunk, progress,
            log_interval,
        )  # fmt: skip


def _scan_partitions(
    partitions: list[Partition],
    out: TextIO | None,
    checkpoint: Checkpoint | None,
    options: ScanOptions,
    jobs: int,
    engine: str,
    scheduler: str | None,
    chunk: int,
    progress: TextIO | None,
    log_interval: float,
) -> Summary:
    started = time.monotonic()
    summary = Summary()
    sizes = {p.ordinal: p.size() for p in partitions}
    todo = partitions
    parts_done = bytes_done = 0
    if checkpoint is not None:
        summary = checkpoint.previous()
        summary.pages_resumed = summary.pages_scanned
        todo = [p for p in partitions if p.key not in checkpoint.done]
        parts_done = len(partitions) - len(todo)
        bytes_done = sum(sizes[p.ordinal] for p in partitions if p.key in checkpoint.done)
    meter = (
        Progress(progress, sum(sizes.values()), len(partitions), log_interval)
        if progress is not None
        else None
    )
    if meter:
        meter.resumed(summary.pages_scanned, bytes_done)
    results: Iterator[PartitionResult]
    if engine == "dask":
        results = run_partitions_dask(todo, options, scheduler, jobs, chunk)
    else:
        results = run_partitions_local(todo, options, jobs, chunk)
    by_ordinal = {p.ordinal: p for p in todo}
    try:
        for result in results:
            partition = by_ordinal[result.ordinal]
            if checkpoint is not None:
                checkpoint.write(partition.key, result.lines, result.summary)
            elif out is not None:
                out.writelines(line + "\n" for line in result.lines)
            summary.merge(result.summary)
            parts_done += 1
            bytes_done += sizes[partition.ordinal]
            if meter:
                meter.update(summary.pages_scanned, summary.findings, bytes_done, parts_done)
    finally:
        summary.seconds = time.monotonic() - started
        if meter:
            meter.update(summary.pages_scanned, summary.findings, bytes_done, parts_done, True)
            meter.done()
    return summary


def _scan_stream(
    dump: str,
    out: TextIO | None,
    checkpoint: Checkpoint | None,
    options: ScanOptions,
    jobs: int,
    engine: str,
    scheduler: str | None,
    chunk: int,
    progress: TextIO | None,
    log_interval: float,
    checkpoint_pages: int,
) -> Summary:
    """One file read here, its pages linted by the engine. With a ``checkpoint``, output goes
    there in spans of ``checkpoint_pages`` pages read, each span's state line naming how many
    pages of the file (any namespace) it ends after; a resumed scan skips that many unlinted."""
    summary = checkpoint.previous() if checkpoint is not None else Summary()
    summary.pages_resumed = summary.pages_scanned
    resume_after = summary.pages_scanned + summary.pages_skipped
    started = time.monotonic()
    read = 0  # pages of the file read so far, skipped ones included
    read_at: deque[int] = deque()  # for each page sent to lint, ``read`` after it

    def count_skip() -> None:
        nonlocal read
        read += 1
        if read > resume_after:
            summary.pages_skipped += 1

    def fresh(pages: Iterator[Page]) -> Iterator[Page]:
        nonlocal read
        for page in pages:
            read += 1
            if read > resume_after:
                read_at.append(read)
                yield page

    stream, position = open_dump_at(dump)
    meter = (
        Progress(progress, Path(dump).stat().st_size, None, log_interval)
        if progress is not None
        else None
    )
    span = _Span(resume_after)
    with stream:
        pages = fresh(iter_pages(stream, options.namespaces, count_skip))
        if engine == "dask":
            results = run_dask(pages, options, scheduler, jobs, chunk)
        else:
            results = run_local(pages, options, jobs, chunk)
        try:
            for page, record in results:
                summary.add(record, len(page.text))
                line = format_record(record, options.output_format) if record["findings"] else None
                if checkpoint is None:
                    if line is not None:
                        assert out is not None
                        out.write(line + "\n")
                else:
                    span.add(record, len(page.text), line, read_at.popleft())
                    if span.pages >= checkpoint_pages:
                        span = span.write(checkpoint)
                if meter:
                    meter.update(summary.pages_scanned, summary.findings, position())
            if checkpoint is not None:
                span.end = read  # the pages skipped after the last page linted
                span.write(checkpoint)
        except DumpError as exc:
            raise DumpError(f"{dump}: {exc}") from None
        finally:
            summary.seconds = time.monotonic() - started
            if meter:
                meter.update(summary.pages_scanned, summary.findings, position(), force=True)
                meter.done()
    return summary


class _Span:
    """The output of consecutive pages of a plain file, written to the checkpoint together."""

    def __init__(self, start: int) -> None:
        self.start = self.end = start  # pages of the file read before it, and up to its end
        self.lines: list[str] = []
        self.summary = Summary()

    @property
    def pages(self) -> int:
        return self.end - self.start

    def add(self, record: dict[str, Any], size: int, line: str | None, read: int) -> None:
        self.summary.add(record, size)
        if line is not None:
            self.lines.append(line)
        self.end = read

    def write(self, checkpoint: Checkpoint) -> _Span:
        """Write this span (when it holds any page) and return the next, empty one."""
        if self.end > self.start:
            self.summary.pages_skipped = self.pages - self.summary.pages_scanned
            checkpoint.write(f"pages {self.start + 1}-{self.end}", self.lines, self.summary)
        return _Span(self.end)


def _parse_namespaces(values: tuple[str, ...]) -> set[int] | None:
    if not values:
        return {0}
    if any(v.strip().lower() == "all" for v in values):
        return None
    try:
        return {int(n) for v in values for n in v.split(",") if n.strip()}
    except ValueError:
        raise click.BadParameter("namespace numbers, or 'all'", param_hint="--namespace") from None


def _resume_hint(output: str | None) -> str:
    return "; continue with --resume" if output and state_path(output).exists() else ""


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


@click.command("scan")
@click.argument("dumps", nargs=-1, required=True, metavar="DUMP...")
@click.option(
    "--index",
    "index",
    type=click.Path(exists=True, dir_okay=False),
    help="The index of a multistream dump (offset:pageid:title lines). Default: "
    "X-multistream-index.txt.bz2 next to X-multistream.xml.bz2, if there.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per CPU); with --engine dask and no --scheduler, "
    "the local cluster's workers.",
)
@click.option(
    "--namespace",
    "namespaces",
    multiple=True,
    metavar="NS",
    help="Namespace numbers to lint (repeatable, comma-separated, or 'all'). Default 0.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Config file (default: wikilint.toml or pyproject.toml found from the dump).",
)
@click.option("--select", multiple=True, help="Only these rules (names or codes, comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rules (names or codes, comma-separated).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="Findings as JSON lines (one per page) or text lines.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write findings here instead of stdout (with FILE.scan-state next to it, for --resume).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted scan into the same --output: partitions already "
    "written are skipped (a plain file is read again up to the last page written).",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the summary as JSON here.",
)
@click.option(
    "--titles-only",
    is_flag=True,
    help="Print only the titles of pages with findings, one per line "
    "(a titles file for `wikilint run`).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Local process pool, or a Dask cluster.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Dask scheduler address (tcp://host:8786); its workers need the same "
    "wikilint installed and the dump files at the same path. Default: a local "
    "Dask cluster of --jobs processes.",
)
@click.option(
    "--streams-per-task",
    type=click.IntRange(min=1),
    help="bz2 streams (100 pages each in Wikimedia dumps) per partition of a "
    "multistream dump. Default: 10, fewer when a file would give fewer than 64 "
    "partitions.",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=DEFAULT_CHUNK,
    show_default=True,
    help="Pages per task sent to a worker (one plain dump file).",
)
@click.option(
    "--progress-interval",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_LOG_INTERVAL,
    show_default=True,
    help="Seconds between progress lines when stderr is not a terminal.",
)
@click.option(
    "--lint-timeout",
    type=click.FloatRange(0, 3600),
    metavar="SECONDS",
    default=DEFAULT_PAGE_LINT_TIMEOUT,
    show_default=True,
    help="Seconds one page's lint may take (in each worker's lint process; on Dask, for "
    "partitioned inputs and non-daemonic workers); a page over it gets an internal-error "
    "record saying so (0: no limit).",
)
def scan_command(
    dumps: tuple[str, ...],
    index: str | None,
    jobs: int,
    namespaces: tuple[str, ...],
    config_path: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    output: str | None,
    resume: bool,
    report: str | None,
    titles_only: bool,
    engine: str,
    scheduler: str | None,
    streams_per_task: int | None,
    chunk_size: int,
    progress_interval: float,
    lint_timeout: float,
) -> None:
    """Lint every page (latest revision) of MediaWiki XML dumps (.xml, .xml.bz2, .xml.gz).

    DUMP is one dump file; a multistream dump with its index (found by name, or --index);
    or several files or a quoted glob ('enwiki-*-pages-articles[0-9]*.bz2'), read in natural
    order. Partitioned inputs are read by the workers themselves.
    """
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    if resume and not output:
        raise click.UsageError("--resume needs --output (the file the interrupted scan wrote)")
    try:
        first = expand_inputs(dumps)[0]
        config = load_config(config_path) if config_path else discover_config(Path(first))
        config = config.with_selection(select or None, ignore or None)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    except DumpError as exc:
        click.echo(f"wikilint scan: {exc}", err=True)
        sys.exit(2)
    if (
        index is None
        and len(dumps) == 1
        and first.endswith(".bz2")
        and "-multistream" in first
        and index_for(first) is None
    ):
        click.echo(
            f"wikilint scan: note: no index next to {first}; reading it as one stream", err=True
        )
    jobs = jobs or os.cpu_count() or 1
    previous = {s: signal.signal(s, _raise_interrupted) for s in (signal.SIGTERM,)}
    try:
        summary = run_scan(
            list(dumps),
            None if output else sys.stdout,
            config,
            jobs=jobs,
            namespaces=_parse_namespaces(namespaces),
            output_format=output_format,
            titles_only=titles_only,
            engine=engine,
            scheduler=scheduler,
            chunk=chunk_size,
            progress=sys.stderr,
            index=index,
            streams_per_task=streams_per_task,
            output=output,
            resume=resume,
            log_interval=progress_interval,
            page_timeout=lint_timeout,
        )
    except DumpError as exc:
        sys.stdout.flush()
        click.echo(f"wikilint scan: {exc}", err=True)
        sys.exit(2)
    except EngineError as exc:
        click.echo(f"wikilint scan: {exc}" + _resume_hint(output), err=True)
        sys.exit(1)
    except (KeyboardInterrupt, Interrupted) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        click.echo(
            f"wikilint scan: interrupted ({signal.Signals(signum).name})" + _resume_hint(output),
            err=True,
        )
        sys.exit(128 + signum)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    click.echo(summary.text(), err=True)
    if report:
        Path(report).write_text(json.dumps(summary.as_dict(), indent=2) + "\n", encoding="utf-8")


scan = scan_command  # the click command object bot/cli/main.py registers
