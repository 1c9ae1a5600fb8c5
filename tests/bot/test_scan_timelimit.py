"""``wikilint scan --lint-timeout``: a page whose lint takes longer than the limit ends its
worker (the kernel's SIGALRM); the scan reports it with the reason and goes on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from wikilint.bot.scan.engines import run_local
from wikilint.bot.scan.readers import Page
from wikilint.bot.scan.scanner import run_scan
from wikilint.bot.scan.worker import ScanOptions

from tests.bot.killer import MARK as KILL
from tests.bot.killer import SLOW, KillerConfig
from tests.bot.test_scan import dump_xml, page_xml, records, write

pytestmark = pytest.mark.slow  # worker processes killed at a time limit


def _pages() -> list[Page]:
    return [Page(f"P{i}", 0, i, i, f"{SLOW} colour" if i == 3 else f"colour {i}") for i in range(6)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_page_over_the_limit_is_reported_and_the_scan_goes_on(jobs: int) -> None:
    pages = _pages()
    started = time.monotonic()
    got = list(run_local(pages, ScanOptions(KillerConfig(), page_timeout=5), jobs=jobs, chunk=2))
    assert time.monotonic() - started < 45  # the slow rule alone would take 60 s
    assert [page.title for page, _ in got] == [p.title for p in pages]
    by_title = {page.title: record for page, record in got}
    slow = by_title.pop("P3")
    assert slow["error"].startswith("lint time limit: linting took more than 5s")
    assert slow["findings"][0]["rule"] == "internal-error"
    assert "stopped linting this page" in slow["findings"][0]["message"]
    assert all(
        r.get("error") is None and [f["rule"] for f in r["findings"]] == ["test-killer"]
        for r in by_title.values()
    )


def test_a_crash_is_still_a_crash_with_a_limit() -> None:
    pages = [Page(f"P{i}", 0, i, i, KILL if i == 3 else f"fine {i}") for i in range(6)]
    got = list(run_local(pages, ScanOptions(KillerConfig(), page_timeout=30), jobs=2, chunk=2))
    errors = {page.title: record.get("error") for page, record in got if record.get("error")}
    assert list(errors) == ["P3"] and "worker process died" in errors["P3"]


def test_partitioned_inputs_report_the_slow_page(tmp_path: Path) -> None:
    """Several files: workers read their own partitions; the one holding the slow page is
    redone page by page and the page reported."""
    first = write(
        tmp_path / "a.xml",
        dump_xml(
            [
                page_xml("A1", [(1, "colour")], pageid=1),
                page_xml("Slow", [(2, f"{SLOW} colour")], pageid=2),
            ]
        ),
    )
    second = write(tmp_path / "b.xml", dump_xml([page_xml("B1", [(3, "colour")], pageid=3)]))
    out = tmp_path / "out.jsonl"
    started = time.monotonic()
    summary = run_scan([first, second], None, KillerConfig(), jobs=2, output=out, page_timeout=5)
    assert time.monotonic() - started < 45
    got = {r["title"]: r for r in records(out.read_text())}
    assert set(got) == {"A1", "Slow", "B1"}
    assert got["Slow"]["error"].startswith("lint time limit")
    assert summary.pages_scanned == 3 and summary.pages_with_errors == 1


def test_dask_workers_report_the_slow_page_too(tmp_path: Path) -> None:
    """On Dask each partition runs in a lint process of the worker's own, as locally."""
    distributed = pytest.importorskip("distributed")
    files = [
        write(
            tmp_path / f"{name}.xml",
            dump_xml(
                [page_xml(name, [(i, f"{SLOW} colour" if name == "Slow" else "colour")], pageid=i)]
            ),
        )
        for i, name in enumerate(["A1", "Slow", "B1"], start=1)
    ]
    out = tmp_path / "out.jsonl"
    with distributed.LocalCluster(
        n_workers=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        started = time.monotonic()
        summary = run_scan(
            files,
            None,
            KillerConfig(),
            engine="dask",
            scheduler=cluster.scheduler_address,
            output=out,
            page_timeout=5,
        )
    assert time.monotonic() - started < 45  # the slow rule alone would take 60 s
    got = {r["title"]: r for r in records(out.read_text())}
    assert got["Slow"]["error"].startswith("lint time limit")
    assert [f["rule"] for f in got["A1"]["findings"]] == ["test-killer"]
    assert summary.pages_scanned == 3 and summary.pages_with_errors == 1


def test_daemonic_dask_workers_get_a_note_that_there_is_no_limit(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    from click.testing import CliRunner
    from wikilint.bot.scan.engines import DAEMONIC_HINT
    from wikilint.bot.scan.scanner import scan

    dumps = [
        str(write(tmp_path / f"{name}.xml", dump_xml([page_xml(name, [(i, "colour")], pageid=i)])))
        for i, name in enumerate("AB", start=1)
    ]  # two files: partitions, which the workers lint themselves
    with distributed.LocalCluster(  # worker processes are daemonic unless configured
        n_workers=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        res = CliRunner().invoke(
            scan, [*dumps, "--engine", "dask", "--scheduler", cluster.scheduler_address]
        )
    assert res.exit_code == 0, res.output
    assert DAEMONIC_HINT in res.stderr
    assert "pages scanned: 2" in res.stderr


def test_the_option_is_documented_with_its_default() -> None:
    from click.testing import CliRunner
    from wikilint.bot.scan.scanner import scan

    res = CliRunner().invoke(scan, ["--help"])
    assert "--lint-timeout" in res.output and "default: 30" in res.output.replace("\n", " ")


def test_a_dask_worker_keeps_its_lint_processes_from_task_to_task() -> None:
    """A process per task would start cold each time (imports, patterns, the rules' caches)."""
    from wikilint.bot.scan.engines import _LintProcesses
    from wikilint.rules import Config

    processes = _LintProcesses()
    pool = processes.get(ScanOptions(Config(), page_timeout=30))
    try:
        assert processes.get(ScanOptions(Config(), page_timeout=30)) is pool  # the next task
        processes.lost(pool)  # a page killed its process: the next task gets a new one
        again = processes.get(ScanOptions(Config(), page_timeout=30))
        assert again is not pool
        assert processes.get(ScanOptions(Config(), page_timeout=5)) is not again  # other scan
    finally:
        if processes.pool is not None:
            processes.pool.shutdown()
