"""wikilint's benchmarks: ratios measured side by side in one run.

    python -m bench            # everything (a few minutes on 2 cores), writes bench/results.md
    python -m bench --quick    # smaller repeats and dumps, for a smoke run
    python -m bench --no-scan  # skip the dump-scan part

Ratios, not absolute times, are the point: both sides of each ratio run in the same process (or
back to back as processes), interleaved, on the same text, so the machine's speed and load
cancel out as far as they can. Each figure is the best of several runs (the least disturbed).
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import gc
import os
import platform
import subprocess
import sys
import tempfile
import time
import timeit
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mwparserfromhell
from wikilint import rules

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results.md")
SAMPLE_CANDIDATES = (ROOT / "examples" / "leon-trotsky-section.wiki",)
# A short article with its line breaks (the sample has none, so linting it also restores them):
# the process measure on it shows the fixed cost of starting wikilint.
SHORT_ARTICLE = ROOT / "tests" / "corpus" / "pet-door.wiki"
REPEAT_PAGE = 10
# What the `wikilint` console script runs (pyproject: wikilint = "wikilint.bot.cli.main:main").
# Peak RSS of a child, as the child itself sees it at exit (VmHWM). Not ru_maxrss from wait4:
# Linux carries the forking parent's high-water mark (this bench: ~120 MiB) across exec.
HWM_ENV = "WIKILINT_BENCH_HWM"
HWM_HOOK = (
    "import atexit, os\n"
    "def _hwm():\n"
    f"    out = os.environ.get({HWM_ENV!r})\n"
    "    if out and os.path.exists('/proc/self/status'):\n"
    "        with open('/proc/self/status') as f, open(out, 'w') as o:\n"
    "            o.write(next(l.split()[1] for l in f if l.startswith('VmHWM')))\n"
    "atexit.register(_hwm)\n"
)
IMPORT_ONLY = [sys.executable, "-c", HWM_HOOK + "import mwparserfromhell"]
WIKILINT = [
    sys.executable,
    "-c",
    HWM_HOOK + "import sys; from wikilint.bot.cli.main import main; sys.exit(main())",
]
# What any `wikilint lint` of the sample must do, without the rules: import its CLI library and
# parser, then parse twice (once to restore the lost line breaks, once to lint).
FLOOR = [
    sys.executable,
    "-c",
    HWM_HOOK
    + (
        "import sys, click, mwparserfromhell\n"
        "from wikilint.rules import builder\n"
        "text = open(sys.argv[1], encoding='utf-8').read()\n"
        "builder.parse(text)\nbuilder.parse(text)\n"
    ),
]
SCAN = [
    sys.executable,
    "-c",
    HWM_HOOK + "import sys; from wikilint.bot.scan.scanner import scan; sys.exit(scan())",
]


NOTES = """Notes:
- The sample section is one 70 KiB line (the capture lost its newlines); the big page is the
  sample 10 times, separated by blank lines.
- `CosmeticChangesToolkit` runs on pywikibot's real `Site('en', 'wikipedia')` with its siteinfo
  cache filled from `bench/data/siteinfo.json` (a stock MediaWiki 1.39) and every HTTP request
  made to fail, so no network time is counted (`bench/cosmetic.py`). Its time grows faster than
  the text: about 4× for 2× the text on this sample, hence the larger ratio on the big page.
- `rules.lint` parses with `rules/builder.py` (mwparserfromhell's tokenizer, and the same tree
  as mwparserfromhell's own builder, built about 2.4× faster) and holds Python's cyclic garbage
  collector while it runs (`rules/engine.py`); the `parse` it is compared with is a plain
  `mwparserfromhell.parse`, as any caller gets it.
- Process times include the interpreter's start-up, the same for both sides. `rules/` and
  `bot/` are compiled to bytecode first, as `pip install` does.
- Scan speed-ups depend on what else the machine runs: the busy-loop figure is the ceiling
  two processes could reach on it during the run.
- Dump-scan memory: "scan process" is the reader/writer's own peak (VmHWM); "+ workers" the
  highest sum of the RSS of all its processes, sampled every 50 ms; "each worker" the peak RSS
  of each worker process (local pool or Dask worker), sampled the same way.
- Partitioned scans (`bench/scans.py`): the same generated pages as one single-stream `.bz2`
  and as a multistream dump with its index (100 pages per stream). "Reader alone" reads and
  parses every page in one process, nothing linted; "lint alone" lints pages already in
  memory, on one core. The Dask cluster (2 worker processes, 1 thread each, 127.0.0.1) is
  started before the timed runs, as a standing cluster would be.
"""


@dataclass
class Row:
    what: str
    text: str
    a: float
    b: float
    unit: str
    target: str
    ok: bool | None
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.a / self.b if self.b else float("nan")


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    memory: list[tuple[str, str]] = field(default_factory=list)
    scan: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def write_section(results: Path, begin: str, end: str, body: str) -> None:
    """Put ``body`` between the markers ``begin`` and ``end`` in ``results``, replacing an
    older section or appended, so that a run of one bench keeps the rest of the file."""
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    section = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        head, _, rest = text.partition(begin)
        text = head + section + rest.partition(end)[2]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(text, encoding="utf-8")


def sample_text() -> str:
    for path in SAMPLE_CANDIDATES:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise SystemExit("no sample: examples/leon-trotsky-section.wiki is missing")


def best_times(funcs: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Best wall time of each function, run interleaved (a, b, a, b, …) after a warm-up."""
    for func in funcs.values():
        func()
    best = {name: float("inf") for name in funcs}
    for _ in range(repeat):
        for name, func in funcs.items():
            gc.collect()
            start = time.perf_counter()
            func()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _read_hwm(path: Path) -> int:
    """KiB written by :data:`HWM_HOOK`, 0 when the platform has no /proc."""
    try:
        return int(path.read_text() or 0)
    except (OSError, ValueError):
        return 0


def process_times(cmds: dict[str, list[str]], runs: int, tmp: Path) -> dict[str, tuple[float, int]]:
    """Best wall time of each whole process and its peak RSS in KiB, run interleaved."""
    best = {name: (float("inf"), 0) for name in cmds}
    hwm = tmp / "hwm"
    env = {**os.environ, HWM_ENV: str(hwm)}
    for _ in range(runs):
        for name, cmd in cmds.items():
            start = time.perf_counter()
            done = subprocess.run(
                cmd,
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            elapsed = time.perf_counter() - start
            if done.returncode not in (0, 1):  # 1: findings
                raise SystemExit(f"{cmd} failed with {done.returncode}")
            wall, peak = best[name]
            best[name] = (min(wall, elapsed), max(peak, _read_hwm(hwm)))
    return best


def compile_bytecode() -> None:
    """Compile rules/ and bot/ as ``pip install`` does. (Without it, and with
    PYTHONDONTWRITEBYTECODE set, as on the CI machine, every run compiles them from source.)"""
    for package in ("rules", "bot"):
        compileall.compile_dir(ROOT / package, quiet=1)


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def parallel_capacity(n: int = 4_000_000) -> float:
    """How much more CPU work two processes get done than one, on this machine, right now.

    2.0 on two idle cores; less when other work shares them (the ceiling for --jobs 2).
    """
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_spin, [1000, 1000], chunksize=1)
        start = time.perf_counter()
        pool.map(_spin, [n], chunksize=1)
        one = time.perf_counter() - start
        start = time.perf_counter()
        pool.map(_spin, [n, n], chunksize=1)
        two = time.perf_counter() - start
    return 2 * one / two


def traced_peak(func: Callable[[], Any]) -> int:
    """Peak bytes Python allocated while ``func`` ran (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- 1, 2, 4: in-process ------------------------------------------------------------------------


def bench_in_process(report: Report, texts: dict[str, str], repeat: int) -> None:
    from bench.cosmetic import cosmetic_toolkit, offline_site

    toolkit = cosmetic_toolkit(offline_site())
    for label, text in texts.items():
        times = best_times(
            {
                "parse": lambda t=text: mwparserfromhell.parse(t),
                "lint": lambda t=text: rules.lint(t),
            },
            repeat,
        )
        if len(text) > 200_000:
            # The toolkit's time grows faster than the text (about 4× for 2× the text on one
            # long line), so on the big page one timed run, no warm-up, is all we can afford.
            start = time.perf_counter()
            toolkit.change(text)
            cc = time.perf_counter() - start
        else:
            cc = best_times({"cc": lambda t=text: toolkit.change(t)}, max(2, repeat // 2))["cc"]
        findings = len(rules.lint(text).findings)
        report.rows.append(
            Row(
                "all rules (`rules.lint`) / one `mwparserfromhell.parse`",
                label,
                times["lint"] * 1e3,
                times["parse"] * 1e3,
                "ms",
                "≤ 1.2×",
                times["lint"] / times["parse"] <= 1.2,
                f"{findings} findings",
            )
        )
        report.rows.append(
            Row(
                "pywikibot `CosmeticChangesToolkit.change()` / all rules",
                label,
                cc * 1e3,
                times["lint"] * 1e3,
                "ms",
                "≥ 10×",
                cc / times["lint"] >= 10,
                "speed-up of wikilint",
            )
        )
        lint_peak = traced_peak(lambda t=text: rules.lint(t))
        parse_peak = traced_peak(lambda t=text: mwparserfromhell.parse(t))
        report.memory.append(
            (
                f"{label}: peak Python allocations, `rules.lint` / `parse`",
                f"{lint_peak / 2**20:.1f} MiB / {parse_peak / 2**20:.1f} MiB "
                f"({lint_peak / parse_peak:.1f}×; text {len(text.encode()) / 2**10:.0f} KiB)",
            )
        )


# -- 3: whole process ---------------------------------------------------------------------------


def bench_process(report: Report, texts: dict[str, str], runs: int, tmp: Path) -> None:
    compile_bytecode()
    cmds = {"import": IMPORT_ONLY}
    for label, text in texts.items():
        page = tmp / f"page-{len(text)}.wiki"
        page.write_text(text, encoding="utf-8")
        cmds[label] = [*WIKILINT, "lint", str(page)]
    sample_label = next(iter(texts))
    cmds["floor"] = [*FLOOR, cmds[sample_label][-1]]
    best = process_times(cmds, runs, tmp)
    baseline, base_rss = best.pop("import")
    floor, _ = best.pop("floor")
    for label, (wall, rss) in best.items():
        linted = min(timeit.repeat(lambda t=texts[label]: rules.lint(t), number=1, repeat=3))
        report.rows.append(
            Row(
                '`wikilint lint FILE` process / `python -c "import mwparserfromhell"`',
                label,
                wall * 1e3,
                baseline * 1e3,
                "ms",
                "≤ 2×",
                wall / baseline <= 2,
                f"whole process, wall time; `rules.lint` of this text alone, in a warm process: "
                f"{linted / baseline:.2f}× the baseline",
            )
        )
        if label == sample_label:
            report.rows.append(
                Row(
                    "`import click, mwparserfromhell` + two parses, no rules / the same baseline",
                    label,
                    floor * 1e3,
                    baseline * 1e3,
                    "ms",
                    "—",
                    None,
                    "the least a lint of the sample must do (its lost line breaks are restored "
                    "first, which takes a parse)",
                )
            )
        report.memory.append(
            (
                f"{label}: `wikilint lint FILE` peak RSS",
                f"{rss / 1024:.0f} MiB (bare interpreter + mwparserfromhell: "
                f"{base_rss / 1024:.0f} MiB)",
            )
        )


# -- dump scans ---------------------------------------------------------------------------------


def run_scan(dump: Path, jobs: int, tmp: Path) -> dict[str, Any]:
    """Wall time and peak RSS (the scan process; with its workers, summed) of one scan."""
    from bench.scans import timed_scan

    run = timed_scan([str(dump), "--jobs", str(jobs)], tmp)
    return {
        "wall": run.wall,
        "main_rss": run.client_peak,
        "tree_rss": run.tree_peak,
        "pages": run.pages,
        "findings": run.findings,
    }


def bench_scan(
    report: Report, tmp: Path, sizes: tuple[int, ...], speedup_size: int, pairs: int
) -> None:
    from bench.generate_dump import generate

    dumps = {}
    for n in sorted({*sizes, speedup_size}):
        dumps[n] = tmp / f"dump-{n}.xml.bz2"
        generate(dumps[n], n)
    load_before = os.getloadavg()[0]
    capacity_before = parallel_capacity()
    # Interleaved pairs, best of each: the least disturbed runs on a machine others share.
    ones, twos = [], []
    for _ in range(pairs):
        ones.append(run_scan(dumps[speedup_size], 1, tmp))
        twos.append(run_scan(dumps[speedup_size], 2, tmp))
    one = min(ones, key=lambda r: r["wall"])
    two = min(twos, key=lambda r: r["wall"])
    capacity_after = parallel_capacity()
    load_after = os.getloadavg()[0]
    assert one["findings"] == two["findings"], "jobs 1 and 2 disagree"
    speedup = one["wall"] / two["wall"]
    report.rows.append(
        Row(
            "`wikilint scan --jobs 1` / `--jobs 2` (wall)",
            f"{speedup_size}-page dump",
            one["wall"],
            two["wall"],
            "s",
            "≥ 1.8×",
            speedup >= 1.8,
            f"{one['pages'] / one['wall']:.0f} → {two['pages'] / two['wall']:.0f} pages/s; "
            f"best of {pairs}; load avg {load_before:.1f}/{load_after:.1f} on "
            f"{os.cpu_count()} CPUs; the machine's "
            f"own 2-process speed-up (busy loop) {capacity_before:.2f}×/{capacity_after:.2f}× "
            "before/after",
        )
    )
    results = {speedup_size: two}
    for n in sizes:
        if n not in results:
            results[n] = run_scan(dumps[n], 2, tmp)
    for n in sorted(results):
        r = results[n]
        size = dumps[n].stat().st_size / 2**20
        tree = f"{r['tree_rss'] / 2**20:.0f} MiB" if r["tree_rss"] else "n/a (no psutil)"
        report.scan.append(
            (
                f"{n} pages ({size:.1f} MiB .bz2), --jobs 2",
                f"peak RSS: scan process {r['main_rss'] / 2**20:.0f} MiB, "
                f"scan process + workers {tree}; "
                f"{r['pages'] / r['wall']:.0f} pages/s",
            )
        )


# -- output -------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}, mwparserfromhell {mwparserfromhell.__version__}"
        f", {len(rules.all_rules())} rules"
    )


def render(report: Report) -> str:
    def fmt(x: float, unit: str) -> str:
        return f"{x:.2f} {unit}" if unit == "s" else f"{x:.1f} {unit}"

    lines = [
        "| measure: A / B | text | A | B | A / B | target | met | note |",
        "| --- | --- | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for r in report.rows:
        met = "—" if r.ok is None else ("yes" if r.ok else "**no**")
        lines.append(
            f"| {r.what} | {r.text} | {fmt(r.a, r.unit)} | {fmt(r.b, r.unit)} "
            f"| {r.ratio:.2f}× | {r.target} | {met} | {r.note} |"
        )
    if report.memory:
        lines += ["", "| memory per page | |", "| --- | --- |"]
        lines += [f"| {k} | {v} |" for k, v in report.memory]
    if report.scan:
        lines += ["", "| dump scan | |", "| --- | --- |"]
        lines += [f"| {k} | {v} |" for k, v in report.scan]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="wikilint benchmarks")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller dumps")
    parser.add_argument("--no-scan", action="store_true", help="skip the dump-scan benchmark")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results.md")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 9
    sample = sample_text()
    size = len(sample.encode()) / 1024
    texts = {
        f"sample section ({size:.0f} KiB)": sample,
        f"sample × {REPEAT_PAGE} ({size * REPEAT_PAGE:.0f} KiB)": "\n\n".join(
            [sample] * REPEAT_PAGE
        ),
    }
    report = Report()
    started = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="wikilint-bench-") as tmpdir:
        tmp = Path(tmpdir)
        print("in-process: lint vs parse vs CosmeticChangesToolkit …", file=sys.stderr)
        bench_in_process(report, texts, repeat)
        print("processes: wikilint lint vs import mwparserfromhell …", file=sys.stderr)
        short = SHORT_ARTICLE.read_text(encoding="utf-8")
        process_texts = {
            **texts,
            f"short article, {SHORT_ARTICLE.stem} ({len(short.encode()) / 1024:.0f} KiB)": short,
        }
        bench_process(report, process_texts, 3 if args.quick else 7, tmp)
        if not args.no_scan:
            print("dump scans …", file=sys.stderr)
            sizes = (300, 1200) if args.quick else (1000, 2000, 4000)
            bench_scan(report, tmp, sizes, 600 if args.quick else 4000, 1 if args.quick else 3)
            from bench.scans import bench_scans

            print("partitioned dump scans …", file=sys.stderr)
            bench_scans(report, tmp, args.quick)
    table = render(report)
    print(table)
    if not args.no_write:
        RESULTS.write_text(
            "# Benchmark results\n\n"
            f"`python -m bench{' --quick' if args.quick else ''}` on "
            f"{started:%Y-%m-%d %H:%M} UTC.\n\n"
            f"Machine: {machine()}.\n\n"
            "Each ratio is A / B, as named in the first column. Times are the best of "
            "several interleaved runs.\n\n" + table + "\n\n" + NOTES,
            encoding="utf-8",
        )
        print(f"\nwrote {RESULTS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
