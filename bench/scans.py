"""Dump-scan benchmarks: the readers, partitioned scans on 1 and 2 workers, Dask against the local
pool, and memory across dump sizes. ``python -m bench`` runs them (``--no-scan`` skips them);
``python -m bench.scans [--quick]`` runs only these and prints their rows.

All dumps are generated (bench/generate_dump.py) from the corpus articles: the same pages as one
single-stream ``.bz2`` and as a multistream dump with its index (100 pages per bz2 stream).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ScanRun:
    wall: float
    client_peak: int  # bytes: the scan process's own VmHWM
    worker_peaks: list[int] = field(default_factory=list)  # bytes: each worker's peak RSS
    tree_peak: int = 0  # bytes: the highest sum of the scan process's and its children's RSS
    pages: int = 0
    findings: int = 0


# -- the readers alone ----------------------------------------------------------------------------


def read_rate(open_streams: Callable[[], Iterator[Any]]) -> tuple[float, int, int]:
    """(seconds, pages, bytes of page text) to read every page, in this process (one core)."""
    from wikilint.bot.scan.readers import iter_pages

    pages = size = 0
    start = time.perf_counter()
    for stream in open_streams():
        with stream:
            for page in iter_pages(stream, None):
                pages += 1
                size += len(page.text.encode("utf-8"))
    return time.perf_counter() - start, pages, size


def lint_rate(dump: Path) -> tuple[float, int]:
    """(seconds, pages) to lint every page of ``dump`` in this process, reading excluded."""
    from wikilint.bot.scan.readers import iter_pages, open_dump
    from wikilint.bot.scan.worker import lint_page
    from wikilint.rules import Config

    with open_dump(dump) as stream:
        pages = list(iter_pages(stream, None))
    config = Config()
    lint_page(pages[0], config)  # warm: rules imported, regexes compiled
    start = time.perf_counter()
    for page in pages:
        lint_page(page, config)
    return time.perf_counter() - start, len(pages)


def bench_readers(plain: Path, multistream: Path, repeat: int) -> list[tuple[str, str]]:
    from wikilint.bot.scan.partitions import plan
    from wikilint.bot.scan.readers import open_byte_range, open_dump

    def single() -> Iterator[Any]:
        yield open_dump(plain)

    tasks = plan([str(multistream)]) or []

    def partitioned() -> Iterator[Any]:
        for task in tasks:
            yield open_byte_range(task.path, task.start, task.end)[0]

    one_stream = min((read_rate(single) for _ in range(repeat)), key=lambda r: r[0])
    ranges = min((read_rate(partitioned) for _ in range(repeat)), key=lambda r: r[0])
    lint_seconds, lint_pages = min(
        (lint_rate(plain) for _ in range(max(1, repeat // 2))), key=lambda r: r[0]
    )
    lint_pps = lint_pages / lint_seconds
    rows = []
    for name, (seconds, pages, size) in (
        ("one .bz2 stream", one_stream),
        ("multistream byte ranges", ranges),
    ):
        pps = pages / seconds
        rows.append(
            (
                f"reader alone, {name} (one core)",
                f"{pps:,.0f} pages/s, {size / seconds / 1e6:.1f} MB/s of page text; "
                f"feeds {pps / lint_pps:.0f} cores linting at one core's rate",
            )
        )
    rows.append(
        (
            "lint alone, one core (no reading)",
            f"{lint_pps:,.0f} pages/s, {one_stream[2] / one_stream[1] / 1024:.1f} KiB a "
            "page on average",
        )
    )
    return rows


# -- whole scans ----------------------------------------------------------------------------------


def _rss(pid: int) -> int:
    import psutil

    try:
        return int(psutil.Process(pid).memory_info().rss)
    except psutil.Error:
        return 0


def _local_workers(scan_pid: int) -> list[int]:
    """The pool's workers: the forkserver's children (the forkserver is the scan's child)."""
    import psutil

    try:
        return [
            p.pid for p in psutil.Process(scan_pid).children(recursive=True) if p.ppid() != scan_pid
        ]
    except psutil.Error:
        return []


def _tree(pid: int) -> list[int]:
    import psutil

    try:
        return [pid, *(p.pid for p in psutil.Process(pid).children(recursive=True))]
    except psutil.Error:
        return []


def timed_scan(
    args: list[str],
    tmp: Path,
    workers: Callable[[int], list[int]] | None = None,
    sample: bool = True,
) -> ScanRun:
    """One ``wikilint scan`` process: wall time, its own peak, each worker's peak RSS (workers:
    the scan's pid -> its workers' pids; default: the local pool's) and its process tree's.

    ``sample=False`` for the speed rows: the sampler walks /proc for the process tree 40 times
    a second, which takes a share of a core from two busy workers on two cores (and none from
    one), so it would lower the measured speed-up it is not part of.
    """
    workers = workers or _local_workers
    import json

    from bench.run import HWM_ENV, SCAN, _read_hwm

    report = tmp / "scan-report.json"
    hwm = tmp / "scan-hwm"
    cmd = [*SCAN, *args, "--output", os.devnull, "--report", str(report)]
    peaks: dict[int, int] = {}
    tree = [0]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, HWM_ENV: str(hwm)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    done = threading.Event()

    def sample_peaks() -> None:
        if importlib.util.find_spec("psutil") is None:
            return
        while not done.wait(0.05):
            for pid in workers(proc.pid):
                # a Dask worker with the lint process it starts for each partition
                peaks[pid] = max(peaks.get(pid, 0), sum(_rss(p) for p in _tree(pid)))
            tree[0] = max(tree[0], sum(_rss(pid) for pid in _tree(proc.pid)))

    sampler = threading.Thread(target=sample_peaks, daemon=True)
    if sample:
        sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    if sample:
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"scan failed ({proc.returncode}): {err.decode()}")
    summary = json.loads(report.read_text())
    return ScanRun(
        wall,
        _read_hwm(hwm) * 1024,
        sorted(peaks.values()),
        tree[0],
        summary["pages_scanned"],
        summary["findings"],
    )


@contextlib.contextmanager
def dask_cluster(workers: int) -> Iterator[tuple[str, Callable[[int], list[int]]]]:
    """A LocalCluster of ``workers`` processes on 127.0.0.1, set up as the README tells users
    to start scan workers (no Dask profiler, not daemonic): its address and worker pids."""
    import dask
    from dask.distributed import Client, LocalCluster
    from wikilint.bot.scan.engines import NO_PROFILER, NOT_DAEMONIC

    with (
        dask.config.set({**NO_PROFILER, **NOT_DAEMONIC}),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: None)  # every worker up
        pids = list(client.run(os.getpid).values())
        yield cluster.scheduler_address, lambda _scan_pid: pids


def best(runs: list[ScanRun]) -> ScanRun:
    return min(runs, key=lambda r: r.wall)


def bench_scans(
    report: Any,
    tmp: Path,
    quick: bool,
    speed_size: int | None = None,
    sizes: tuple[int, ...] | None = None,
    pairs: int | None = None,
) -> None:
    """Append the scan rows to ``report`` (bench.run.Report)."""
    from bench.generate_dump import generate, generate_multistream
    from bench.run import Row, parallel_capacity

    speed_size = speed_size or (600 if quick else 4000)
    sizes = sizes or ((300, 1200) if quick else (1000, 2000, 4000))
    pairs = pairs or (1 if quick else 3)
    dumps: dict[int, Path] = {}
    for n in sorted({*sizes, speed_size}):
        dumps[n] = tmp / f"scan{n}-pages-articles-multistream.xml.bz2"
        generate_multistream(dumps[n], n)
    plain = tmp / f"scan{speed_size}-pages-articles.xml.bz2"
    generate(plain, speed_size)
    print("  readers …", file=sys.stderr)
    report.scan += bench_readers(plain, dumps[speed_size], 1 if quick else 3)

    print("  multistream: --jobs 1 / --jobs 2, Dask / --jobs 2 …", file=sys.stderr)
    dump = str(dumps[speed_size])
    capacity_before = parallel_capacity()
    ones, twos, twos_beside_dask, dasks = [], [], [], []
    for _ in range(pairs):  # no cluster up: its idle processes would take CPU from the pool
        ones.append(timed_scan([dump, "--jobs", "1"], tmp, sample=False))
        twos.append(timed_scan([dump, "--jobs", "2"], tmp, sample=False))
    with dask_cluster(2) as (address, _):
        for _ in range(pairs):  # both with the cluster up, as a user who has one runs them
            twos_beside_dask.append(timed_scan([dump, "--jobs", "2"], tmp, sample=False))
            dasks.append(
                timed_scan([dump, "--engine", "dask", "--scheduler", address], tmp, sample=False)
            )
    capacity_after = parallel_capacity()
    one, two, dask = best(ones), best(twos), best(dasks)
    two_beside_dask = best(twos_beside_dask)
    assert one.findings == two.findings == dask.findings, "engines disagree"
    machine = (
        f"best of {pairs}; the machine's own 2-process speed-up (busy loop) "
        f"{capacity_before:.2f}×/{capacity_after:.2f}× before/after"
    )
    report.rows.append(
        Row(
            "`scan --jobs 1` / `--jobs 2` (wall), multistream dump",
            f"{speed_size} pages",
            one.wall,
            two.wall,
            "s",
            "≥ 1.8×",
            one.wall / two.wall >= 1.8,
            f"{one.pages / one.wall:.0f} → {two.pages / two.wall:.0f} pages/s; {machine}",
        )
    )
    report.rows.append(
        Row(
            "`scan --engine dask` (LocalCluster, 2 workers) / `--jobs 2` (wall)",
            f"{speed_size}-page multistream dump",
            dask.wall,
            two_beside_dask.wall,
            "s",
            "≤ 1.15×",
            dask.wall / two_beside_dask.wall <= 1.15,
            f"{dask.pages / dask.wall:.0f} vs {two_beside_dask.pages / two_beside_dask.wall:.0f} "
            f"pages/s; cluster started before the timed runs (and up during both); {machine}",
        )
    )

    print("  memory across dump sizes …", file=sys.stderr)
    for n in sizes:
        local = timed_scan([str(dumps[n]), "--jobs", "2"], tmp)
        with dask_cluster(2) as (address, dask_pids):
            on_dask = timed_scan(
                [str(dumps[n]), "--engine", "dask", "--scheduler", address], tmp, dask_pids
            )
        size = dumps[n].stat().st_size / 2**20
        report.scan.append(
            (
                f"{n} pages ({size:.1f} MiB multistream .bz2), 2 workers",
                f"`--jobs 2`: scan process {local.client_peak / 2**20:.0f} MiB, "
                f"each worker {_mib(local.worker_peaks)}; Dask: scan process "
                f"{on_dask.client_peak / 2**20:.0f} MiB, each worker with its lint process "
                f"{_mib(on_dask.worker_peaks)}",
            )
        )


def _mib(peaks: list[int]) -> str:
    return " / ".join(f"{p / 2**20:.0f}" for p in peaks) + " MiB" if peaks else "n/a"


SECTION_START = "<!-- begin partitioned scans (python -m bench.scans --write) -->"
SECTION_END = "<!-- end partitioned scans -->"


def main(argv: list[str] | None = None) -> None:
    from bench.run import Report, render

    parser = argparse.ArgumentParser(description="wikilint dump-scan benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller dumps, one run each")
    parser.add_argument("--pages", type=int, help="pages of the dump the speed rows scan")
    parser.add_argument("--sizes", type=int, nargs="+", help="dump sizes of the memory rows")
    parser.add_argument("--pairs", type=int, help="interleaved runs of each speed measure")
    parser.add_argument(
        "--write", action="store_true", help="put the rows in their own section of bench/results.md"
    )
    args = parser.parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    load = os.getloadavg()[0]
    report = Report()
    with tempfile.TemporaryDirectory(prefix="wikilint-bench-scan-") as tmpdir:
        bench_scans(
            report,
            Path(tmpdir),
            args.quick,
            args.pages,
            tuple(args.sizes) if args.sizes else None,
            args.pairs,
        )
    table = render(report)
    print(table)
    if args.write:
        from bench.run import RESULTS, machine, write_section

        given = argv if argv is not None else sys.argv[1:]
        command = " ".join(["python -m bench.scans", *given])
        heading = (
            f"## Partitioned dump scans\n\n`{command}` on {started:%Y-%m-%d %H:%M} UTC, "
            f"load average {load:.1f} at the start. Machine: {machine()}."
        )
        write_section(RESULTS, SECTION_START, SECTION_END, f"{heading}\n\n{table}")


if __name__ == "__main__":
    main()
