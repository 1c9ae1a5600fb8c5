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
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

import click
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

Pair = tuple[Page, dict[str, Any]]


# -- pages sent by the client (the streaming path) ----------------------------------------------


def run_serial(pages: Iterable[Page], options: ScanOptions) -> Iterator[Pair]:
    for page in pages:
        yield page, lint_page(page, options.config)


def run_local(pages: Iterable[Page], options: ScanOptions, jobs: int, chunk: int) -> Iterator[Pair]:
    """Chunks on a process pool; at most ``2 × jobs`` chunks in flight, results in dump order.

    ``ProcessPoolExecutor`` rather than ``Pool.imap``: imap's feeder thread drains the input
    iterator as fast as it can (memory grows with the dump), and a pool whose worker dies hangs
    imap forever, where the executor raises ``BrokenProcessPool``.
    """
    if jobs <= 1:
        yield from run_serial(pages, options)
        return
    pool = _new_pool(jobs, options)
    pending: deque[tuple[list[Page], cf.Future[list[dict[str, Any]]]]] = deque()
    source = batched(pages, chunk)
    error: DumpError | None = None
    try:
        while True:
            if error is None:
                error = _fill(source, pending, partial(_submit, pool, lint_chunk_in_worker),
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
                pool = _new_pool(jobs, options)
                for page in (p for c in retry for p in c):
                    record, broken = _isolated(pool, page)
                    yield page, record
                    if broken:
                        pool.shutdown(wait=False)
                        pool = _new_pool(jobs, options)
                continue
            yield from zip(pages_chunk, records, strict=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if error is not None:
        raise error  # after the pages read before it were all reported


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
    return cf.ProcessPoolExecutor(jobs, mp_context=worker_context(), initializer=init_worker,
                                  initargs=(options,))


def worker_context() -> multiprocessing.context.BaseContext:
    """forkserver: workers fork from a clean single-threaded server (safe when the caller runs
    threads, as Dask and the tests do) that has imported the rules once, so a worker starts in
    milliseconds instead of importing everything again as under spawn. spawn where there is no
    fork (Windows, and macOS where fork is unsafe)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["wikilint.bot.scan.worker"])
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
        return _submit(pool, lint_chunk_in_worker, [page]).result()[0], False
    except cf.process.BrokenProcessPool:
        return error_record(page, WORKER_DIED, WORKER_DIED), True


def run_dask(
    pages: Iterable[Page], options: ScanOptions, scheduler: str | None, jobs: int, chunk: int
) -> Iterator[Pair]:
    """The same per-chunk function on a Dask cluster, with the same bounded in-flight window."""
    with dask_client(scheduler, jobs) as client:
        window = 2 * max(_worker_count(client), jobs)
        [remote_config] = client.scatter([options.config], broadcast=True)
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
    if error is not None:
        raise error


@contextlib.contextmanager
def dask_client(scheduler: str | None, jobs: int) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a local cluster of ``jobs`` worker
    processes on 127.0.0.1 (closed afterwards)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise click.UsageError("--engine dask needs Dask: pip install 'wikilint[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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
    if jobs <= 1:
        for partition in partitions:
            yield scan_partition(partition, options)
        return
    pool = _new_pool(jobs, options)
    pending: deque[tuple[Partition, cf.Future[PartitionResult]]] = deque()
    source = iter(partitions)
    try:
        while True:
            while len(pending) < 2 * jobs and (partition := next(source, None)) is not None:
                pending.append((partition, _submit(pool, scan_partition_in_worker, partition)))
            if not pending:
                break
            partition, future = pending.popleft()
            try:
                result = future.result()
            except cf.process.BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                yield scan_partition_by_pages(partition, options, jobs, chunk)
                pool = _new_pool(jobs, options)
                resubmit = [p for p, _ in pending]
                pending.clear()
                pending.extend((p, _submit(pool, scan_partition_in_worker, p)) for p in resubmit)
                continue
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def scan_partition_by_pages(
    partition: Partition, options: ScanOptions, jobs: int, chunk: int
) -> PartitionResult:
    """A partition read here and linted chunk by chunk in a pool (the fallback after a crash)."""

    def pairs(count_skip: Callable[[], None]) -> Iterator[Pair]:
        stream, _ = open_partition(partition)
        with stream:
            yield from run_local(iter_pages(stream, options.namespaces, count_skip), options,
                                 max(jobs, 2), chunk)

    return collect_partition(partition, options, pairs)


def run_partitions_dask(
    partitions: Iterable[Partition], options: ScanOptions, scheduler: str | None, jobs: int
) -> Iterator[PartitionResult]:
    """Partitions on a Dask cluster: its workers read the dump files themselves (every worker
    needs them at the same path). A lost worker's tasks are rerun by Dask elsewhere."""
    with dask_client(scheduler, jobs) as client:
        window = 2 * max(_worker_count(client), jobs)
        [remote_options] = client.scatter([options], broadcast=True)
        run = uuid.uuid4().hex[:8]
        pending: deque[Any] = deque()
        source = iter(partitions)
        while True:
            while len(pending) < window and (partition := next(source, None)) is not None:
                pending.append(client.submit(scan_partition, partition, remote_options,
                                             key=f"wikilint-scan-{run}-{partition.ordinal}"))
            if not pending:
                break
            yield pending.popleft().result()
