"""Where the work runs: this process, a local process pool, or a Dask cluster.

Two kinds of work:

- pages the client reads and sends, in chunks (one plain dump file: the streaming path);
- partitions (:mod:`wikilint.bot.scan.partitions`) each worker reads itself: the client sends
  byte ranges and receives output lines and counts, never page text.

Either way results come back in dump order with a bounded number of tasks in flight (the
reader never runs ahead of the workers, memory stays flat).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any, Generic, TypeVar

import click
from wikilint.bot.change import timelimit
from wikilint.bot.scan.partitions import Partition
from wikilint.bot.scan.readers import DumpError, Page, iter_pages
from wikilint.bot.scan.worker import (
    WORKER_DIED,
    PartitionResult,
    ScanOptions,
    collect_partition,
    error_record,
    init_worker,
    lint_chunk,
    lint_chunk_in_worker,
    lint_page,
    open_partition,
    scan_partition,
    scan_partition_in_worker,
)
from wikilint.bot.wiki.sources import batched
from wikilint.rules.config import Config

Pair = tuple[Page, dict[str, Any]]


class EngineError(Exception):
    """The workers failed in a way the scan cannot recover from (a task that keeps killing its
    Dask workers, a lost scheduler): the scan stops, and ``--resume`` can continue it."""


T = TypeVar("T")
R = TypeVar("R")


# -- pages sent by the client (the streaming path) ----------------------------------------------


def run_serial(pages: Iterable[Page], options: ScanOptions) -> Iterator[Pair]:
    for page in pages:
        yield page, lint_page(page, options.config)


def run_local(pages: Iterable[Page], options: ScanOptions, jobs: int, chunk: int) -> Iterator[Pair]:
    """Chunks of pages on a process pool, results in dump order. One job with a lint time
    limit is a pool of one: the limit kills a worker, never this process."""
    if jobs <= 1 and not options.page_timeout:
        yield from run_serial(pages, options)
        return
    jobs = max(jobs, 1)
    tasks = batched(pages, chunk)
    for pages_chunk, records in _on_pool(
        tasks, lint_chunk_in_worker, options, jobs, partial(_redo_pages, options=options, jobs=jobs)
    ):
        yield from zip(pages_chunk, records, strict=True)


def _redo_pages(
    pages_chunk: list[Page], window: InOrder[list[Page]], options: ScanOptions, jobs: int
) -> Iterator[tuple[list[Page], list[dict[str, Any]]]]:
    """After a worker died (a page crashed the interpreter, or took longer than the lint time
    limit): the chunks in flight page by page, each alone in a worker process, reporting the
    pages that kill a worker again (with the reason: the time limit, or a crash)."""
    pages = (p for c in [pages_chunk, *window.take_pending()] for p in c)
    if options.page_timeout:
        with timelimit.LintWorker(options.page_timeout) as worker:
            for page in pages:
                yield [page], [_isolated_in(worker, page, options.config)]
        return
    pool = _new_pool(jobs, options)
    try:
        for page in pages:
            record, broken = _isolated(pool, page)
            yield [page], [record]
            if broken:
                pool.shutdown(wait=False)
                pool = _new_pool(jobs, options)
    finally:
        pool.shutdown(wait=True)


def _on_pool(
    tasks: Iterable[T],
    work: Callable[[T], R],
    options: ScanOptions,
    jobs: int,
    redo: Callable[[T, InOrder[T]], Iterator[tuple[T, R]]],
) -> Iterator[tuple[T, R]]:
    """(task, result) in task order from a process pool, ``2 × jobs`` tasks in flight.

    When a worker dies, the pool is lost with every task in it: ``redo`` handles the task at
    the front (and may take the others in flight); what is left is submitted to a fresh pool.
    ``ProcessPoolExecutor`` rather than ``Pool.imap``: imap's feeder thread drains the input as
    fast as it can (memory grows with the dump), and a dead worker hangs imap forever.
    """
    pool = _new_pool(jobs, options)
    window = InOrder(tasks, partial(_submit, pool, work), 2 * jobs)
    try:
        for task, future in window:
            try:
                result = future.result()
            except cf.process.BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                yield from redo(task, window)
                pool = _new_pool(jobs, options)
                window.submit = partial(_submit, pool, work)
                window.resubmit()
                continue
            yield task, result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if window.error is not None:
        raise window.error  # after the tasks read before it were all reported


class InOrder(Generic[T]):
    """Tasks submitted in order with at most ``size`` in flight; iterating gives (task, future)
    in task order. A :class:`DumpError` from reading the tasks is kept in ``error``, so the
    tasks already in flight are still reported before the caller raises it."""

    def __init__(self, tasks: Iterable[T], submit: Callable[[T], Any], size: int) -> None:
        self.tasks = iter(tasks)
        self.submit = submit
        self.size = size
        self.pending: deque[tuple[T, Any]] = deque()
        self.error: DumpError | None = None

    def __iter__(self) -> Iterator[tuple[T, Any]]:
        while True:
            self._fill()
            if not self.pending:
                return
            yield self.pending.popleft()

    def _fill(self) -> None:
        if self.error is not None:
            return
        try:
            while len(self.pending) < self.size and (task := next(self.tasks, None)) is not None:
                self.pending.append((task, self.submit(task)))
        except DumpError as exc:
            self.error = exc

    def take_pending(self) -> list[T]:
        """The tasks in flight, forgotten (the caller redoes them)."""
        tasks = [task for task, _ in self.pending]
        self.pending.clear()
        return tasks

    def resubmit(self) -> None:
        """Submit the tasks in flight again, with the current ``submit``."""
        self.pending.extend((task, self.submit(task)) for task in self.take_pending())


def _submit(pool: cf.ProcessPoolExecutor, func: Callable[[Any], Any], arg: Any) -> cf.Future[Any]:
    """``pool.submit``; a pool a worker's death already broke gives a future that raises
    ``BrokenProcessPool`` when read, like the tasks it was running, so that one path recovers."""
    try:
        return pool.submit(func, arg)
    except cf.process.BrokenProcessPool as exc:
        failed: cf.Future[Any] = cf.Future()
        failed.set_exception(exc)
        return failed


def _new_pool(jobs: int, options: ScanOptions) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(
        jobs, mp_context=worker_context(), initializer=init_worker, initargs=(options,)
    )


def worker_context() -> multiprocessing.context.BaseContext:
    """The lint workers' context (see ``bot.change.timelimit``), its server having imported
    the scan worker's module."""
    return timelimit.worker_context("wikilint.bot.scan.worker")


def _isolated_in(worker: timelimit.LintWorker, page: Page, config: Config) -> dict[str, Any]:
    """One page alone in a worker killed at the time limit: its record, or why there is none."""
    try:
        return worker.call(lint_page, page, config)
    except timelimit.PageTimeout as exc:
        return error_record(page, str(exc), f"wikilint stopped linting this page: {exc}")
    except timelimit.WorkerDied:
        return error_record(page, WORKER_DIED, WORKER_DIED)


def _isolated(pool: cf.ProcessPoolExecutor, page: Page) -> tuple[dict[str, Any], bool]:
    """One page alone in the pool: its record, and whether it broke the pool."""
    try:
        return _submit(pool, lint_chunk_in_worker, [page]).result()[0], False
    except cf.process.BrokenProcessPool:
        return error_record(page, WORKER_DIED, WORKER_DIED), True


def run_dask(
    pages: Iterable[Page], options: ScanOptions, scheduler: str | None, jobs: int, chunk: int
) -> Iterator[Pair]:
    """The same per-chunk function on a Dask cluster, with the same bounded in-flight window."""
    with dask_client(scheduler, jobs) as client:
        if options.page_timeout:
            click.echo(STREAM_HINT, err=True)
        size = 2 * max(_worker_count(client), jobs)
        [remote_config] = client.scatter([options.config], broadcast=True)
        window = InOrder(
            batched(pages, chunk),
            lambda c: client.submit(lint_chunk, c, remote_config, pure=False),
            size,
        )
        for pages_chunk, future in window:
            yield from zip(pages_chunk, future.result(), strict=True)
    if window.error is not None:
        raise window.error


@contextlib.contextmanager
def dask_client(scheduler: str | None, jobs: int) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a local cluster of ``jobs`` worker
    processes on 127.0.0.1 (closed afterwards)."""
    try:
        import dask
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise click.UsageError("--engine dask needs Dask: pip install 'wikilint[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        # The Nanny hands its config to the worker process it starts.
        with dask.config.set({**NO_PROFILER, **NOT_DAEMONIC}):
            cluster = LocalCluster(
                n_workers=max(jobs, 1),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
        client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# Dask's statistical profiler samples the stack of a running task every 10 ms: a few percent
# of a scan's time when the partitions are linted in the worker's own thread.
NO_PROFILER = {"distributed.worker.profile.enabled": False}


def _worker_count(client: Any) -> int:
    return max(len(client.scheduler_info().get("workers", {})), 1)


# -- partitions read by the workers -------------------------------------------------------------


def run_partitions_local(
    partitions: Iterable[Partition], options: ScanOptions, jobs: int, chunk: int
) -> Iterator[PartitionResult]:
    """Each partition read, linted and formatted by one worker; results in partition order.

    A worker that dies (a page that crashes the interpreter) costs the partition at the front:
    it is redone here page by page, through :func:`run_local`, which finds and reports the page
    that kills; the other partitions in flight go to a fresh pool again.
    """
    if jobs <= 1 and not options.page_timeout:
        for partition in partitions:
            yield scan_partition(partition, options)
        return
    jobs = max(jobs, 1)

    def redo(
        partition: Partition, _: InOrder[Partition]
    ) -> Iterator[tuple[Partition, PartitionResult]]:
        yield partition, scan_partition_by_pages(partition, options, jobs, chunk)

    for _, result in _on_pool(partitions, scan_partition_in_worker, options, jobs, redo):
        yield result


def scan_partition_by_pages(
    partition: Partition, options: ScanOptions, jobs: int, chunk: int
) -> PartitionResult:
    """A partition read here and linted chunk by chunk in a pool (the fallback after a crash)."""

    def pairs(count_skip: Callable[[], None]) -> Iterator[Pair]:
        stream, _ = open_partition(partition)
        with stream:
            yield from run_local(
                iter_pages(stream, options.namespaces, count_skip), options, max(jobs, 2), chunk
            )

    return collect_partition(partition, options, pairs)


def run_partitions_dask(
    partitions: Iterable[Partition],
    options: ScanOptions,
    scheduler: str | None,
    jobs: int,
    chunk: int = 16,
) -> Iterator[PartitionResult]:
    """Partitions on a Dask cluster: its workers read the dump files themselves (every worker
    needs them at the same path). A lost worker's tasks are rerun by Dask elsewhere."""
    with dask_client(scheduler, jobs) as client:
        if options.page_timeout:
            _hint_if_daemonic(client)
        [remote_options] = client.scatter([options], broadcast=True)
        run = uuid.uuid4().hex[:8]

        def submit(partition: Partition) -> Any:
            return client.submit(
                scan_partition_guarded,
                partition,
                remote_options,
                chunk,
                key=f"wikilint-scan-{run}-{partition.ordinal}",
            )

        for _, future in InOrder(partitions, submit, 2 * max(_worker_count(client), jobs)):
            try:
                result = future.result()
            except DumpError:
                raise
            except Exception as exc:  # KilledWorker, a lost scheduler, …
                raise EngineError(f"the Dask cluster failed: {type(exc).__name__}: {exc}") from exc
            yield result


class _LintProcesses:
    """The lint processes of one Dask worker, kept from task to task (a process per task would
    start cold every time: imports, compiled patterns, the rules' caches); one per thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool: cf.ProcessPoolExecutor | None = None
        self.options: ScanOptions | None = None

    def get(self, options: ScanOptions) -> cf.ProcessPoolExecutor:
        with self.lock:
            if self.pool is None or self.options != options:
                if self.pool is not None:
                    self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool, self.options = _new_pool(_threads_of_this_worker(), options), options
            return self.pool

    def lost(self, pool: cf.ProcessPoolExecutor) -> None:
        with self.lock:
            if self.pool is pool:
                pool.shutdown(wait=False, cancel_futures=True)
                self.pool = None


_LINT_PROCESSES = _LintProcesses()


def _threads_of_this_worker() -> int:
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def scan_partition_guarded(
    partition: Partition, options: ScanOptions, chunk: int
) -> PartitionResult:
    """A partition on a Dask worker, in a lint process of the worker's as the local engine
    runs it: a page over the time limit (or one that kills the interpreter) ends that process,
    not the Dask worker, and the partition is redone page by page to report it. Daemonic
    workers may not start processes: no limit there."""
    if not options.page_timeout or multiprocessing.current_process().daemon:
        return scan_partition(partition, options)
    pool = _LINT_PROCESSES.get(options)
    try:
        result: PartitionResult = _submit(pool, scan_partition_in_worker, partition).result()
    except cf.process.BrokenProcessPool:
        _LINT_PROCESSES.lost(pool)
        return scan_partition_by_pages(partition, options, 1, chunk)
    return result


NOT_DAEMONIC = {"distributed.worker.daemon": False}
STREAM_HINT = (
    "wikilint scan: note: the pages of one plain file sent to Dask workers are linted without "
    "a time limit; a multistream dump or several files have one"
)
DAEMONIC_HINT = (
    "wikilint scan: note: the cluster's workers are daemonic processes, which may not start "
    "the lint processes that enforce --lint-timeout: pages are linted without a time limit; "
    "start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False"
)


def _hint_if_daemonic(client: Any) -> None:
    """A note on stderr when the workers cannot enforce the lint time limit."""

    def daemonic() -> bool:
        return multiprocessing.current_process().daemon

    try:
        answers = client.run(daemonic)
    except Exception:  # a note is not worth failing the scan for
        return
    if any(answers.values()):
        click.echo(DAEMONIC_HINT, err=True)
