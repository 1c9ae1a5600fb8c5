"""Partitioned scans: multistream byte ranges, part files, Dask workers reading their own
partitions, resume after a kill, progress."""

from __future__ import annotations

import bz2
import io
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from wikilint.bot.scan.checkpoint import state_path
from wikilint.bot.scan.engines import run_partitions_local
from wikilint.bot.scan.partitions import (
    Partition,
    byte_ranges,
    expand_inputs,
    index_for,
    natural_key,
    plan,
    read_index,
)
from wikilint.bot.scan.progress import Progress
from wikilint.bot.scan.readers import DumpError, iter_pages, open_byte_range, open_dump
from wikilint.bot.scan.scanner import run_scan, scan
from wikilint.bot.scan.worker import ScanOptions, scan_partition

from bench.generate_dump import (
    generate,
    generate_parts,
    numbered_pages,
    write_multistream,
)
from tests.bot.killer import MARK, KillerConfig

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PAGES = 230  # three streams of 100, the last one short: edges inside and at the end
SMALL = 1  # blocks of a corpus article per page, on average: short pages, quick tests


def page_ids(stream: io.IOBase | object) -> list[int | None]:
    return [p.pageid for p in iter_pages(stream, None)]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def dumps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same generated pages as one plain bz2, a multistream dump + index, and parts."""
    folder = tmp_path_factory.mktemp("dumps")
    plain = folder / "bench-pages-articles.xml.bz2"
    generate(plain, PAGES, mean_blocks=SMALL)
    multistream = folder / "bench-pages-articles-multistream.xml.bz2"
    from bench.generate_dump import generate_multistream

    generate_multistream(multistream, PAGES, mean_blocks=SMALL)
    parts_dir = folder / "parts"
    parts_dir.mkdir()
    generate_parts(parts_dir / "bench-pages-articles.xml.bz2", PAGES, 3, mean_blocks=SMALL)
    ms_dir = folder / "msparts"
    ms_dir.mkdir()
    generate_parts(
        ms_dir / "bench-pages-articles-multistream.xml.bz2",
        PAGES,
        3,
        multistream=True,
        mean_blocks=SMALL,
    )
    return {"plain": plain, "multistream": multistream, "parts": parts_dir, "msparts": ms_dir}


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(scan, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# -- partitioning ---------------------------------------------------------------------------------


def test_the_index_is_found_by_wikimedias_naming(dumps: dict[str, Path]) -> None:
    assert index_for(dumps["multistream"]) == dumps["multistream"].with_name(
        "bench-pages-articles-multistream-index.txt.bz2"
    )
    part = next(dumps["msparts"].glob("*multistream1.xml-p*.bz2"))
    assert index_for(part) == part.with_name(
        part.name.replace("multistream1.xml", "multistream-index1.txt")
    )
    assert index_for(dumps["plain"]) is None


@pytest.mark.parametrize("streams_per_task", [1, 2, 3])
def test_byte_ranges_are_exact_and_lose_or_repeat_no_page(
    dumps: dict[str, Path], streams_per_task: int
) -> None:
    dump = dumps["multistream"]
    streams = read_index(index_for(dump))  # type: ignore[arg-type]
    assert [n for _, n in streams] == [100, 100, 30]
    tasks = byte_ranges(str(dump), streams, streams_per_task)
    assert tasks[0].start == streams[0][0] > 0  # the header stream is nobody's task
    assert tasks[-1].end is None
    for before, after in itertools.pairwise(tasks):
        assert before.end == after.start  # contiguous: no byte read twice or skipped
    read: list[int | None] = []
    for task in tasks:
        stream, _ = open_byte_range(task.path, task.start, task.end)
        with stream:
            ids = page_ids(stream)
        assert len(ids) == task.pages
        read += ids
    with open_dump(dumps["plain"]) as whole:
        assert read == page_ids(whole) == list(range(1, PAGES + 1))


def test_a_range_cut_inside_a_stream_is_an_error_naming_it(dumps: dict[str, Path]) -> None:
    dump = dumps["multistream"]
    [(first, _), (second, _), _] = read_index(index_for(dump))  # type: ignore[arg-type]
    cut = Partition(0, str(dump), first, second - 7, 100, True)
    with pytest.raises(DumpError, match=rf"bytes {first}-{second - 7}"):
        scan_partition(cut, ScanOptions(KillerConfig()))
    shifted = Partition(0, str(dump), first + 1, second, 100, True)
    with pytest.raises(DumpError, match="cannot read"):
        scan_partition(shifted, ScanOptions(KillerConfig()))


def test_an_index_of_another_dump_is_an_error(dumps: dict[str, Path], tmp_path: Path) -> None:
    dump = dumps["multistream"]
    streams = read_index(index_for(dump))  # type: ignore[arg-type]
    wrong = tmp_path / "wrong-index.txt"
    wrong.write_text(
        "".join(f"{offset}:{i}:T\n" for i, (offset, n) in enumerate(streams) for _ in range(n + 1))
    )
    code, _, err = cli(str(dump), "--index", str(wrong), "--streams-per-task", "1")
    assert code == 2
    assert "the index lists 101 pages in this range, the dump holds 100" in err
    backwards = tmp_path / "backwards.txt"
    backwards.write_text(f"{streams[1][0]}:1:A\n{streams[0][0]}:2:B\n")
    code, _, err = cli(str(dump), "--index", str(backwards))
    assert code == 2 and "backwards.txt:2: offset" in err


def test_small_dumps_get_smaller_tasks_whatever_the_workers() -> None:
    from wikilint.bot.scan.partitions import auto_streams_per_task

    assert auto_streams_per_task(3) == 1  # three partitions, not one
    assert auto_streams_per_task(64 * 4) == 4
    assert auto_streams_per_task(230_000) == 10  # English Wikipedia: 1,000 pages a task


def test_index_lines_are_checked_and_counted_per_stream(tmp_path: Path) -> None:
    index = tmp_path / "index.txt"
    index.write_text("600:1:A\n600:2:B: with a colon\n\n900:3:C\n900:4:D\n1200:5:E")
    assert read_index(index) == [(600, 2), (900, 2), (1200, 1)]  # blank line, no final newline
    index.write_text("600:1:A\n600:2:B\nnot a line\n900:3:C\n")
    with pytest.raises(DumpError, match=r"index.txt:3: not an 'offset:pageid:title' line"):
        read_index(index)


def test_several_files_are_one_task_each_or_their_byte_ranges(dumps: dict[str, Path]) -> None:
    parts = expand_inputs([str(dumps["parts"] / "*.bz2")])
    tasks = plan(parts)
    assert tasks is not None
    assert [(t.start, t.end, t.multistream) for t in tasks] == [(0, None, False)] * 3
    ms_parts = expand_inputs([str(dumps["msparts"] / "*")])  # the indexes are left out
    assert len(ms_parts) == 3
    ms_tasks = plan(ms_parts, streams_per_task=1)
    assert ms_tasks is not None and all(t.multistream for t in ms_tasks)
    assert sum(t.pages or 0 for t in ms_tasks) == PAGES
    assert [t.ordinal for t in ms_tasks] == list(range(len(ms_tasks)))


def test_inputs_are_read_in_natural_order(tmp_path: Path) -> None:
    names = [
        "w-pages-articles10.xml-p91p100.bz2",
        "w-pages-articles2.xml-p11p20.bz2",
        "w-pages-articles1.xml-p1p10.bz2",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert (
        [Path(p).name for p in expand_inputs([str(tmp_path / "w-*.bz2")])]
        == sorted(names, key=natural_key)
        == [names[2], names[1], names[0]]
    )
    with pytest.raises(DumpError, match="no file matches"):
        expand_inputs([str(tmp_path / "nothing-*.bz2")])


def test_a_plain_file_keeps_the_streaming_path(dumps: dict[str, Path]) -> None:
    assert plan([str(dumps["plain"])]) is None


# -- the same findings whatever the input form, the engine and the jobs --------------------------


def test_every_input_form_gives_the_same_output(dumps: dict[str, Path]) -> None:
    reference = cli(str(dumps["plain"]), "--jobs", "1")
    assert reference[0] == 0 and reference[1].count("\n") > 50
    assert cli(str(dumps["multistream"]), "--streams-per-task", "1")[:2] == reference[:2]
    assert (
        cli(str(dumps["multistream"]), "--jobs", "2", "--streams-per-task", "1")[:2]
        == reference[:2]
    )
    assert cli(str(dumps["parts"] / "*.bz2"), "--jobs", "2")[:2] == reference[:2]
    assert (
        cli(
            str(dumps["msparts"] / "*.bz2"),
            "--jobs",
            "2",
            "--streams-per-task",
            "1",
            "--format",
            "text",
        )[1]
        == cli(str(dumps["plain"]), "--format", "text")[1]
    )


def test_dask_workers_read_their_partitions_and_find_the_same(
    dumps: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    from wikilint.bot.scan import engines

    sent: list[object] = []
    real_client = engines.dask_client

    class Recording:
        def __init__(self, client: object) -> None:
            self.client = client

        def submit(self, func: object, *args: object, **kwargs: object) -> object:
            sent.extend(args)
            return self.client.submit(func, *args, **kwargs)  # type: ignore[attr-defined]

        def __getattr__(self, name: str) -> object:
            return getattr(self.client, name)

    def recording_client(scheduler: str | None, jobs: int):  # type: ignore[no-untyped-def]
        import contextlib

        @contextlib.contextmanager
        def wrapped():  # type: ignore[no-untyped-def]
            with real_client(scheduler, jobs) as client:
                assert len(client.scheduler_info()["workers"]) == 2  # two worker processes
                yield Recording(client)

        return wrapped()

    monkeypatch.setattr(engines, "dask_client", recording_client)
    serial = cli(str(dumps["multistream"]), "--jobs", "1")
    dask_run = cli(
        str(dumps["multistream"]), "--engine", "dask", "--jobs", "2", "--streams-per-task", "1"
    )
    assert dask_run[:2] == serial[:2]
    from distributed import Future

    assert len([a for a in sent if isinstance(a, Partition)]) == 3
    # byte ranges (and the chunk size of a redo), never pages
    assert all(isinstance(a, Partition | Future | int) for a in sent)


def test_a_page_that_kills_its_worker_costs_only_that_page(tmp_path: Path) -> None:
    pages = [(f"P{i}", 0, [MARK if i == 130 else f"fine {i}"]) for i in range(250)]
    dump = tmp_path / "k-multistream.xml.bz2"
    write_multistream(dump, numbered_pages(pages))
    tasks = plan([str(dump)], streams_per_task=1)
    assert tasks is not None
    results = list(run_partitions_local(tasks, ScanOptions(KillerConfig()), jobs=2, chunk=8))
    assert [r.ordinal for r in results] == [0, 1, 2]
    assert sum(r.summary.pages_scanned for r in results) == 250
    errors = [json.loads(line) for r in results for line in r.lines]
    assert [e["title"] for e in errors] == ["P130"]
    assert "worker process died" in errors[0]["error"]


# -- resume ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve partitions of 25 real pages: a scan lasts a few seconds, long enough to kill."""
    folder = tmp_path_factory.mktemp("slow")
    dump = folder / "slow-multistream.xml.bz2"
    from bench.generate_dump import generate_pages

    write_multistream(dump, numbered_pages(generate_pages(300)), pages_per_stream=25)
    return dump


@pytest.fixture(scope="module")
def slow_reference(slow_dump: Path) -> str:
    """The uninterrupted scan's output."""
    reference = io.StringIO()
    run_scan(slow_dump, reference)
    return reference.getvalue()


def start_scan(dump: Path, output: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wikilint.bot.cli.main",
            "scan",
            str(dump),
            "--streams-per-task",
            "1",
            "--output",
            str(output),
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for_partitions(output: Path, count: int, proc: subprocess.Popen[bytes]) -> None:
    state = state_path(output)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if state.exists() and state.read_text().count("\n") > count:
            return
        assert proc.poll() is None, "the scan ended before it could be interrupted"
        time.sleep(0.02)
    raise AssertionError("the scan made no progress")


def test_resume_after_sigterm_a_kill_and_ctrl_c_writes_every_page_once(
    slow_dump: Path, slow_reference: str, tmp_path: Path
) -> None:
    output = tmp_path / "out.jsonl"

    first = start_scan(slow_dump, output, "--jobs", "2")
    wait_for_partitions(output, 2, first)
    first.send_signal(signal.SIGTERM)
    _, err = first.communicate(timeout=60)
    assert first.returncode == 128 + signal.SIGTERM
    assert b"continue with --resume" in err

    second = start_scan(slow_dump, output, "--resume")
    done_before = state_path(output).read_text().count("\n")
    wait_for_partitions(output, done_before + 1, second)
    second.kill()  # no clean-up at all
    second.wait(timeout=60)
    partly = output.read_text(encoding="utf-8")
    assert partly and slow_reference.startswith(partly.rsplit("\n", 1)[0])

    third = start_scan(slow_dump, output, "--resume", "--jobs", "2")  # Ctrl-C
    done_before = state_path(output).read_text().count("\n")
    wait_for_partitions(output, done_before + 1, third)
    third.send_signal(signal.SIGINT)
    _, err = third.communicate(timeout=60)
    assert third.returncode == 128 + signal.SIGINT, err
    assert b"interrupted (SIGINT); continue with --resume" in err

    code, _, err = cli(
        str(slow_dump),
        "--streams-per-task",
        "1",
        "--output",
        str(output),
        "--resume",
        "--jobs",
        "2",
    )
    assert code == 0, err
    assert "written by an earlier run" in err
    assert output.read_text(encoding="utf-8") == slow_reference
    assert "pages scanned: 285" in err  # every page of namespace 0, this run's and earlier


def test_killing_the_scan_leaves_no_worker_behind(slow_dump: Path, tmp_path: Path) -> None:
    psutil = pytest.importorskip("psutil")
    output = tmp_path / "out.jsonl"
    scan_process = start_scan(slow_dump, output, "--jobs", "2")
    wait_for_partitions(output, 1, scan_process)
    descendants = psutil.Process(scan_process.pid).children(recursive=True)
    assert len(descendants) >= 3  # the forkserver and two workers, at least
    scan_process.kill()
    scan_process.wait(timeout=60)
    _, alive = psutil.wait_procs(descendants, timeout=30)
    for orphan in alive:  # clean up before failing
        orphan.kill()
    assert alive == []


def test_a_dask_worker_killed_mid_scan_costs_no_page(
    slow_dump: Path, slow_reference: str, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    output = tmp_path / "out.jsonl"
    killed_after: list[int] = []
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        victim = next(iter(client.run(os.getpid).values()))

        def kill_a_worker_once_partitions_come_in() -> None:
            state = state_path(output)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                written = state.read_text().count("\n") - 1 if state.exists() else 0
                if written >= 1:
                    os.kill(victim, signal.SIGKILL)
                    killed_after.append(written)
                    return
                time.sleep(0.01)

        killer = threading.Thread(target=kill_a_worker_once_partitions_come_in)
        killer.start()
        code, _, err = cli(
            str(slow_dump),
            "--engine",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
            "--streams-per-task",
            "1",
            "--output",
            str(output),
        )
        killer.join()
    assert code == 0, err
    assert killed_after and killed_after[0] < 12  # killed while partitions were still to come
    assert output.read_text(encoding="utf-8") == slow_reference


def test_resume_drops_lines_written_after_the_last_finished_partition(
    dumps: dict[str, Path], tmp_path: Path
) -> None:
    output = tmp_path / "out.jsonl"
    args = [str(dumps["multistream"]), "--streams-per-task", "1", "--output", str(output)]
    assert cli(*args)[0] == 0
    complete = output.read_bytes()
    state = state_path(output)
    lines = state.read_text().splitlines(keepends=True)
    # As if killed after writing the last partition's lines, before its state line:
    state.write_text("".join(lines[:-1]) + lines[-1][:20])
    with output.open("ab") as out:
        out.write(b'{"title": "half a line')
    code, _, err = cli(*args, "--resume")
    assert code == 0, err
    assert output.read_bytes() == complete


def test_resume_refuses_other_settings_and_stdout(dumps: dict[str, Path], tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    assert cli(str(dumps["multistream"]), "--output", str(output))[0] == 0
    code, _, err = cli(
        str(dumps["multistream"]), "--output", str(output), "--resume", "--select", "bare-url"
    )
    assert code == 2 and "other inputs or settings" in err
    code, _, err = cli(str(dumps["multistream"]), "--resume")
    assert code == 2 and "--resume needs --output" in err
    code, _, err = cli(str(dumps["plain"]), "--output", str(tmp_path / "p"))
    assert code == 0, err
    code, _, err = cli(
        str(dumps["plain"]), "--output", str(tmp_path / "p"), "--resume", "--namespace", "1"
    )
    assert code == 2 and "other inputs or settings" in err


# -- resuming one plain file ----------------------------------------------------------------------


def test_a_plain_file_resumes_after_any_checkpoint_with_every_page_once(
    dumps: dict[str, Path], tmp_path: Path
) -> None:
    """Cut after each checkpoint in turn (as a kill would leave it, with half a line of output
    after it): the resumed scan skips the pages written, other namespaces included, and ends
    with the uninterrupted scan's output and counts."""
    output = tmp_path / "out.jsonl"
    full = run_scan(dumps["plain"], None, output=output, checkpoint_pages=7)
    complete = output.read_bytes()
    state = state_path(output)
    header, *spans = state.read_text().splitlines(keepends=True)
    assert len(spans) == -(-PAGES // 7)  # a span every 7 pages read, whatever their namespace
    assert full.pages_skipped > 0  # the dump has pages of other namespaces to count
    for kept in range(len(spans)):
        state.write_text(header + "".join(spans[:kept]) + spans[kept][:15])
        with output.open("ab") as out:
            out.write(b'{"title": "half a line')
        resumed = run_scan(dumps["plain"], None, output=output, resume=True, checkpoint_pages=7)
        assert output.read_bytes() == complete
        assert (resumed.pages_scanned, resumed.pages_skipped, resumed.findings) == (
            full.pages_scanned,
            full.pages_skipped,
            full.findings,
        )
        assert state.read_text().splitlines(keepends=True) == [header, *spans]


def test_a_plain_file_scan_killed_mid_way_resumes(
    slow_dump: Path, slow_reference: str, tmp_path: Path
) -> None:
    plain = tmp_path / "slow-pages-articles.xml.bz2"
    with open_dump(slow_dump) as xml:  # the same pages as one bz2 stream
        plain.write_bytes(bz2.compress(xml.read()))
    output = tmp_path / "out.jsonl"
    scan_in_python = (
        "import sys; from wikilint.bot.scan.scanner import run_scan; "
        "run_scan(sys.argv[1], None, output=sys.argv[2], resume=sys.argv[3] == 'resume', "
        "checkpoint_pages=20, jobs=2, page_timeout=30)"
    )
    first = subprocess.Popen(
        [sys.executable, "-c", scan_in_python, str(plain), str(output), "new"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    wait_for_partitions(output, 2, first)
    first.kill()  # no clean-up at all
    first.wait(timeout=60)
    partly = output.read_text(encoding="utf-8")
    assert partly and slow_reference.startswith(partly.rsplit("\n", 1)[0])
    done = subprocess.run(
        [sys.executable, "-c", scan_in_python, str(plain), str(output), "resume"],
        cwd=ROOT,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert output.read_text(encoding="utf-8") == slow_reference


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_output_to_a_device_keeps_no_state_next_to_it(dumps: dict[str, Path]) -> None:
    code, _, err = cli(str(dumps["multistream"]), "--output", "/dev/null")
    assert code == 0, err
    assert not Path("/dev/null.scan-state").exists()
    code, _, err = cli(str(dumps["multistream"]), "--output", "/dev/null", "--resume")
    assert code == 2 and "regular output file" in err


# -- progress -------------------------------------------------------------------------------------


def test_progress_logs_a_line_every_interval_when_not_on_a_terminal(
    dumps: dict[str, Path],
) -> None:
    code, _, err = cli(
        str(dumps["multistream"]), "--streams-per-task", "1", "--progress-interval", "0.1"
    )
    assert code == 0
    progress = [line for line in err.splitlines() if line.startswith("wikilint scan: ")]
    assert len(progress) >= 2  # at least one during the scan, and the last
    assert "\r" not in err
    assert progress[-1].startswith(f"wikilint scan: {PAGES - PAGES // 20} pages")
    assert "3/3 partitions, 100.0%" in progress[-1]


def test_progress_on_a_terminal_shows_rate_and_eta(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    out = io.StringIO()
    meter = Progress(out, total_bytes=1000, total_parts=10, terminal=True)
    clock[0] += 10
    meter.update(500, 7, 250, 2)
    assert (
        out.getvalue() == "\r\x1b[K500 pages, 7 findings, 50 pages/s, 2/10 partitions, "
        "25.0%, ETA 30s"
    )
    resumed = Progress(io.StringIO(), total_bytes=1000, terminal=False)
    resumed.resumed(400, 500)
    clock[0] += 10
    # 100 new pages and 100 new bytes in 10 s: 400 bytes left at 10 bytes/s.
    assert resumed.line(500, 0, 600, None).endswith("10 pages/s, 60.0%, ETA 40s")
