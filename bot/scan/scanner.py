"""``wikilint scan``: lint every page of a MediaWiki XML export or dump, on many cores or a cluster.

The dump is streamed with ``iterparse`` and every finished ``<page>`` is cleared, so memory stays
flat however large the dump is. Pages go to worker processes in chunks, with a bounded number of
chunks in flight (the reader never runs ahead of the workers). Output is one JSON line per page
with findings, in dump order whatever the number of jobs, so runs are comparable.

The per-page function :func:`lint_page` is the unit of work for both engines: a local process pool
(``--engine local``) and Dask (``--engine dask --scheduler ADDRESS``, the ``wikilint[dask]`` extra).
"""

from __future__ import annotations

import bisect
import bz2
import concurrent.futures as cf
import gzip
import json
import multiprocessing
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any, TextIO

import click
from wikilint.bot.files.configfile import discover_config, load_config
from wikilint.bot.wiki.sources import batched
from wikilint.rules.config import Config, ConfigError
from wikilint.rules.engine import PARSE_ERROR, PARSE_ERROR_CODE, lint
from wikilint.rules.registry import all_rules

INTERNAL_ERROR = "internal-error"
INTERNAL_ERROR_CODE = "WL002"
DEFAULT_CHUNK = 16
_WIKITEXT_MODELS = {None, "", "wikitext"}


class DumpError(Exception):
    """The dump cannot be read (not XML, truncated, bad compression): a usage error, exit 2."""


@dataclass(frozen=True, slots=True)
class Page:
    """The latest revision of one page, as read from the dump."""

    title: str
    ns: int
    pageid: int | None
    revid: int | None
    text: str


@dataclass
class Summary:
    pages_scanned: int = 0
    pages_with_findings: int = 0
    pages_with_errors: int = 0
    pages_skipped: int = 0  # other namespaces, non-wikitext content models
    findings: int = 0
    findings_per_rule: Counter[str] = field(default_factory=Counter)
    bytes_scanned: int = 0
    seconds: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages_scanned / self.seconds if self.seconds > 0 else 0.0

    def add(self, record: dict[str, Any], size: int) -> None:
        self.pages_scanned += 1
        self.bytes_scanned += size
        if record.get("error"):
            self.pages_with_errors += 1
        if record["findings"]:
            self.pages_with_findings += 1
            self.findings += len(record["findings"])
            self.findings_per_rule.update(f["rule"] for f in record["findings"])

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["findings_per_rule"] = dict(sorted(self.findings_per_rule.items()))
        data["seconds"] = round(self.seconds, 3)
        data["pages_per_second"] = round(self.pages_per_second, 1)
        return data

    def text(self) -> str:
        lines = [
            f"pages scanned: {self.pages_scanned} ({self.bytes_scanned / 1e6:.1f} MB of text), "
            f"skipped: {self.pages_skipped}",
            f"pages with findings: {self.pages_with_findings}, findings: {self.findings}, "
            f"pages with errors: {self.pages_with_errors}",
            f"throughput: {self.pages_per_second:.1f} pages/s ({self.seconds:.2f} s)",
        ]
        lines += [f"  {n:>7}  {rule}" for rule, n in self.findings_per_rule.most_common()]
        return "\n".join(lines)


# -- reading the dump ---------------------------------------------------------------------------


def open_dump(path: str | Path) -> IO[bytes]:
    """A binary stream of the XML, decompressing by magic bytes (the suffix can lie)."""
    path = Path(path)
    try:
        with path.open("rb") as probe:
            magic = probe.read(3)
        if magic.startswith(b"BZh"):
            return bz2.open(path, "rb")
        if magic.startswith(b"\x1f\x8b"):
            return gzip.open(path, "rb")
        return path.open("rb")
    except OSError as exc:
        raise DumpError(f"{path}: cannot open: {exc.strerror or exc}") from None


def _local(tag: str) -> str:
    # "{http://www.mediawiki.org/xml/export-0.11/}page" -> "page": works for every schema version.
    return tag.rpartition("}")[2]


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def iter_pages(
    stream: IO[bytes], namespaces: set[int] | None = None, skipped: Callable[[], None] | None = None
) -> Iterator[Page]:
    """The latest revision of each page (wikitext only) in ``namespaces`` (None: all).

    Elements are cleared as soon as they are read: a full-history dump of any size holds at most
    one page's latest revision text in memory.
    """
    root: ET.Element | None = None
    page_elem: ET.Element | None = None
    title: str | None = None
    ns = 0
    pageid: int | None = None
    best: tuple[int, int | None, str | None] | None = None  # (order, revid, text)
    order = 0
    in_revision = False
    try:
        for event, elem in ET.iterparse(stream, events=("start", "end")):
            name = _local(elem.tag)
            if event == "start":
                if root is None:
                    root = elem
                elif name == "page":
                    page_elem = elem
                    title, ns, pageid, best, order = None, 0, None, None, 0
                elif name == "revision":
                    in_revision = True
                continue
            if name == "revision":
                in_revision = False
                revid = _int(elem.findtext("{*}id"))
                model = elem.findtext("{*}model")
                text_elem = elem.find("{*}text")
                text = (text_elem.text or "") if text_elem is not None else ""
                order += 1
                # Dumps list revisions oldest first; the highest id is the latest when ids exist.
                key = revid if revid is not None else order
                if best is None or key >= best[0]:
                    best = (key, revid, text if model in _WIKITEXT_MODELS else None)
                elem.clear()
                if page_elem is not None:
                    page_elem.remove(elem)  # a page's history can be long: keep none of it
            elif in_revision:
                continue  # children of a revision are read at its end
            elif name == "title":
                title = elem.text or ""
            elif name == "ns":
                ns = _int(elem.text) or 0
            elif name == "id":
                pageid = _int(elem.text)
            elif name == "page":
                if root is not None:
                    root.clear()  # drop the page (and siteinfo) from the tree: constant memory
                if best is None or title is None:
                    continue
                if (namespaces is not None and ns not in namespaces) or best[2] is None:
                    if skipped:
                        skipped()
                    continue
                yield Page(title, ns, pageid, best[1], best[2])
    except ET.ParseError as exc:
        raise DumpError(f"malformed XML: {exc}") from None
    except (OSError, EOFError) as exc:  # bad or truncated bz2/gzip stream
        raise DumpError(f"cannot read the dump: {exc}") from None


# -- linting one page (the unit of work of every engine) ----------------------------------------


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
    global _CODES
    if _CODES is None:
        _CODES = _codes()
    record: dict[str, Any] = {
        "title": page.title,
        "ns": page.ns,
        "pageid": page.pageid,
        "revid": page.revid,
        "findings": [],
    }
    try:
        result = lint(page.text, config)
    except (Exception, RecursionError) as exc:  # one bad page must not stop a scan
        record["error"] = f"{type(exc).__name__}: {exc}"
        record["findings"] = [_finding_dict(INTERNAL_ERROR, "error", f"wikilint crashed: {exc}",
                                            (1, 1), (0, 0))]
        return record
    if result.parse_error is not None:
        record["error"] = result.parse_error.message
    if result.doc is not None:
        line_col: Callable[[int], tuple[int, int]] = result.doc.line_col
    else:
        starts = [0] + [m.end() for m in re.finditer("\n", page.text)]
        line_col = lambda offset: _line_col(starts, offset)  # noqa: E731
    record["findings"] = [
        _finding_dict(f.rule, str(f.severity), f.message, line_col(f.start), (f.start, f.end),
                      f.fix is not None)
        for f in result.findings
    ]
    return record


def _finding_dict(
    rule: str, severity: str, message: str, line_col: tuple[int, int], span: tuple[int, int],
    fixable: bool = False,
) -> dict[str, Any]:
    assert _CODES is not None
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


# Worker processes get the config once, at start, instead of with every chunk.
_WORKER_CONFIG: Config | None = None


def _init_worker(config: Config) -> None:
    global _WORKER_CONFIG
    _WORKER_CONFIG = config


def _lint_chunk_in_worker(pages: list[Page]) -> list[dict[str, Any]]:
    assert _WORKER_CONFIG is not None
    return lint_chunk(pages, _WORKER_CONFIG)


# -- engines ------------------------------------------------------------------------------------


Pair = tuple[Page, dict[str, Any]]


def run_serial(pages: Iterable[Page], config: Config) -> Iterator[Pair]:
    for page in pages:
        yield page, lint_page(page, config)


def run_local(pages: Iterable[Page], config: Config, jobs: int, chunk: int) -> Iterator[Pair]:
    """Chunks on a process pool; at most ``2 × jobs`` chunks in flight, results in dump order.

    ``ProcessPoolExecutor`` rather than ``Pool.imap``: imap's feeder thread drains the input
    iterator as fast as it can (memory grows with the dump), and a pool whose worker dies hangs
    imap forever, where the executor raises ``BrokenProcessPool``.
    """
    if jobs <= 1:
        yield from run_serial(pages, config)
        return
    context = _worker_context()

    def new_pool() -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                                      initargs=(config,))

    pool = new_pool()
    pending: deque[tuple[list[Page], cf.Future[list[dict[str, Any]]]]] = deque()
    source = batched(pages, chunk)
    error: DumpError | None = None
    try:
        while True:
            if error is None:
                error = _fill(source, pending, partial(pool.submit, _lint_chunk_in_worker),
                              2 * jobs)
            if not pending:
                break
            pages_chunk, future = pending.popleft()
            try:
                records = future.result()
            except cf.process.BrokenProcessPool:
                # A worker died (a page crashed the interpreter): redo the chunks in flight page by
                # page in a fresh pool, and report the pages that kill a worker again.
                pool.shutdown(wait=False, cancel_futures=True)
                retry = [pages_chunk, *(c for c, _ in pending)]
                pending.clear()
                pool = new_pool()
                for page in (p for c in retry for p in c):
                    record, broken = _isolated(pool, page)
                    yield page, record
                    if broken:
                        pool.shutdown(wait=False)
                        pool = new_pool()
                continue
            yield from zip(pages_chunk, records, strict=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if error is not None:
        raise error  # after the pages read before it were all reported


def _worker_context() -> multiprocessing.context.BaseContext:
    """forkserver: workers fork from a clean single-threaded server (safe when the caller runs
    threads, as Dask and the tests do) that has imported the rules once, so a worker starts in
    milliseconds instead of importing everything again as under spawn. spawn where there is no
    fork (Windows, and macOS where fork is unsafe)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["wikilint.bot.scan.scanner"])
    return context


def _fill(
    source: Iterator[list[Page]], pending: deque[tuple[list[Page], Any]],
    submit: Callable[[list[Page]], Any], window: int,
) -> DumpError | None:
    """Submit chunks until ``window`` are in flight. A dump error is returned, not raised, so
    the caller can still report the chunks already in flight before giving up."""
    try:
        for pages_chunk in source:
            pending.append((pages_chunk, submit(pages_chunk)))
            if len(pending) >= window:
                break
    except DumpError as exc:
        return exc
    return None


def _isolated(pool: cf.ProcessPoolExecutor, page: Page) -> tuple[dict[str, Any], bool]:
    """One page alone in the pool: its record, and whether it broke the pool."""
    try:
        return pool.submit(_lint_chunk_in_worker, [page]).result()[0], False
    except cf.process.BrokenProcessPool:
        global _CODES
        if _CODES is None:
            _CODES = _codes()
        message = "the worker process died while linting this page"
        return {"title": page.title, "ns": page.ns, "pageid": page.pageid, "revid": page.revid,
                "error": message,
                "findings": [_finding_dict(INTERNAL_ERROR, "error", message, (1, 1), (0, 0))]}, True


def run_dask(
    pages: Iterable[Page], config: Config, scheduler: str | None, jobs: int, chunk: int
) -> Iterator[Pair]:
    """The same per-chunk function on a Dask cluster, with the same bounded in-flight window."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise click.UsageError(
            "--engine dask needs Dask: pip install 'wikilint[dask]'"
        ) from None
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    try:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        window = 2 * max(workers, jobs)
        [remote_config] = client.scatter([config], broadcast=True)
        pending: deque[tuple[list[Page], Any]] = deque()
        source = batched(pages, chunk)
        error: DumpError | None = None
        while True:
            if error is None:
                error = _fill(source, pending, lambda c: client.submit(
                    lint_chunk, c, remote_config, pure=False), window)
            if not pending:
                break
            pages_chunk, future = pending.popleft()
            yield from zip(pages_chunk, future.result(), strict=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    if error is not None:
        raise error


# -- the scan -----------------------------------------------------------------------------------


class _Progress:
    """A one-line counter on a terminal; silent when stderr is a file or a pipe."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.last = 0.0

    def update(self, summary: Summary, started: float, force: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last < 0.25):
            return
        self.last = now
        rate = summary.pages_scanned / max(now - started, 1e-9)
        self.stream.write(
            f"\rscanned {summary.pages_scanned} pages, {summary.findings} findings, "
            f"{rate:.0f} pages/s"
        )
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def format_text(record: dict[str, Any]) -> str:
    return "\n".join(
        f"{record['title']}:{f['line']}:{f['column']}: {f['code']} {f['rule']} {f['message']}"
        for f in record["findings"]
    )


def run_scan(
    dump: str | Path,
    out: TextIO,
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
) -> Summary:
    """Lint every page of ``dump``, writing one line per page with findings to ``out``.

    Raises :class:`DumpError` when the dump is unreadable (pages before the error are reported).
    """
    config = config or Config()
    summary = Summary()
    started = time.monotonic()
    meter = _Progress(progress) if progress is not None else None

    def count_skip() -> None:
        summary.pages_skipped += 1

    with open_dump(dump) as stream:
        pages = iter_pages(stream, set(namespaces) if namespaces is not None else None,
                           count_skip)
        if engine == "dask":
            results = run_dask(pages, config, scheduler, jobs, chunk)
        else:
            results = run_local(pages, config, jobs, chunk)
        try:
            for page, record in results:
                summary.add(record, len(page.text))
                if record["findings"]:
                    if titles_only:
                        out.write(page.title + "\n")
                    elif output_format == "text":
                        out.write(format_text(record) + "\n")
                    else:
                        out.write(json.dumps(record, ensure_ascii=False) + "\n")
                if meter:
                    meter.update(summary, started)
        finally:
            summary.seconds = time.monotonic() - started
            if meter:
                meter.update(summary, started, force=True)
                meter.done()
    return summary


def _parse_namespaces(values: tuple[str, ...]) -> set[int] | None:
    if not values:
        return {0}
    if any(v.strip().lower() == "all" for v in values):
        return None
    try:
        return {int(n) for v in values for n in v.split(",") if n.strip()}
    except ValueError:
        raise click.BadParameter("namespace numbers, or 'all'", param_hint="--namespace") from None


@click.command("scan")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes (0: one per CPU).")
@click.option("--namespace", "namespaces", multiple=True, metavar="NS",
              help="Namespace numbers to lint (repeatable, comma-separated, or 'all'). Default 0.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Config file (default: wikilint.toml or pyproject.toml found from the dump).")
@click.option("--select", multiple=True, help="Only these rules (names or codes, comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rules (names or codes, comma-separated).")
@click.option("--format", "output_format", type=click.Choice(["json", "text"]), default="json",
              show_default=True, help="Findings as JSON lines (one per page) or text lines.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write findings here instead of stdout.")
@click.option("--report", type=click.Path(dir_okay=False, writable=True),
              help="Write the summary as JSON here.")
@click.option("--titles-only", is_flag=True,
              help="Print only the titles of pages with findings, one per line "
                   "(a titles file for `wikilint run`).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="Local process pool, or a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786); its workers need the same "
                   "wikilint installed. Default: a local Dask cluster of --jobs processes.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=DEFAULT_CHUNK,
              show_default=True, help="Pages per task sent to a worker.")
def scan_command(
    dump: Path, jobs: int, namespaces: tuple[str, ...], config_path: str | None,
    select: tuple[str, ...], ignore: tuple[str, ...], output_format: str, output: str | None,
    report: str | None, titles_only: bool, engine: str, scheduler: str | None, chunk_size: int,
) -> None:
    """Lint every page (latest revision) of a MediaWiki XML dump (.xml, .xml.bz2, .xml.gz)."""
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    try:
        config = load_config(config_path) if config_path else discover_config(dump)
        config = config.with_selection(select or None, ignore or None)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    jobs = jobs or os.cpu_count() or 1
    out: TextIO
    out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        summary = run_scan(
            dump, out, config, jobs=jobs, namespaces=_parse_namespaces(namespaces),
            output_format=output_format, titles_only=titles_only, engine=engine,
            scheduler=scheduler, chunk=chunk_size, progress=sys.stderr,
        )
    except DumpError as exc:
        out.flush()
        click.echo(f"wikilint scan: {dump}: {exc}", err=True)
        sys.exit(2)
    finally:
        if output:
            out.close()
    click.echo(summary.text(), err=True)
    if report:
        Path(report).write_text(json.dumps(summary.as_dict(), indent=2) + "\n", encoding="utf-8")


scan = scan_command  # the click command object bot/cli.py registers
