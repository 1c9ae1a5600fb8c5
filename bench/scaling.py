"""How lint time and memory grow with the text: pages of 0.25 to 4 MB.

    python -m bench.scaling            # writes its table into bench/results.md
    python -m bench.scaling --quick    # 0.25 to 1 MB, for a smoke run

Each page is linted in a fresh process, as ``wikilint lint`` does it: ``rules.lint``, then line,
column and section of every finding (``output.locate``) and its text excerpt. Three kinds of
page: articles (the start of each of the 23 corpus articles, repeated), one line (the sample
repeated without a line break: what a capture that lost its newlines looks like) and
many findings (short generated lines that each give a finding or more: sections with bare
URLs, the same ref again and again, one source cited many ways, repeated notes). Times are the
process's CPU time (best of 5 runs up to 1 MB, of 3 above), so that other work on a shared
machine counts less; the table notes the load average at the start and the end of the run.
Target: 4× the text costs at most 5× the time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).with_name("results.md")
BEGIN, END = "<!-- begin scaling (python -m bench.scaling) -->", "<!-- end scaling -->"
SIZES_MB = (0.25, 0.5, 1.0, 2.0, 4.0)
TARGET = 5.0  # at most this factor for 4x the text

_FINDING_LINES: tuple[Callable[[int], str], ...] = (
    lambda i: f"== Section {i} ==\nText <ref>http://example.org/page{i}</ref>.\n",
    lambda i: "Same.<ref>{{cite web |url=https://example.org/a |title=T}}</ref>\n",
    lambda i: f"Cited.<ref>{{{{cite book |isbn=978-0-674-01801-3 |title=A |page={i}}}}}</ref>\n",
    lambda i: "Note.{{efn|The same note text again.}} [http://www.bbc.co.uk/news x]\n",
)


def _articles_unit() -> str:
    """The start of each corpus article, cut before a heading (so nothing is left open), about
    11 KB of each: 290 KB of varied articles."""
    articles = [
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "corpus").glob("*.wiki"))
    ]
    share = 250_000 // len(articles)
    pieces = []
    for article in articles:
        cuts = [m.start() for m in re.finditer(r"\n==[^=]", article)]
        before = [c for c in cuts if share // 2 < c <= share]
        after = [c for c in cuts if c > share]
        pieces.append(article[: before[-1] if before else after[0] if after else None])
    return "\n\n".join(pieces)


def page(kind: str, size: int) -> str:
    """A page of about ``size`` characters; for sizes of 0.25 MB times a power of two, the
    pages are exactly 2, 4, 8… times the 0.25 MB page."""
    if kind == "many findings":
        lines, total, i = [], 0, 0
        while total < size:
            line = _FINDING_LINES[i % len(_FINDING_LINES)](i)
            lines.append(line)
            total += len(line)
            i += 1
        return "".join(lines)
    if kind == "one line":
        # (after a word: a megabyte line that starts with "==" is refused, see rules.parsecost)
        unit = (ROOT / "examples" / "leon-trotsky-section.wiki").read_text(encoding="utf-8")
        unit, sep = "Flattened: " + " ".join(unit.split("\n")), " "
    else:
        unit, sep = _articles_unit(), "\n\n"
    per_quarter = max(1, round(250_000 / len(unit)))
    return sep.join([unit] * (max(1, round(size / 250_000)) * per_quarter))


KINDS = ("articles", "one line", "many findings")

# The child: build the page, lint it as `wikilint lint` does (best of `runs`), report.
CHILD = """
import gc, json, sys, time
from bench.scaling import page
from wikilint import rules
from wikilint.bot.files import output
kind, size, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = page(kind, size)
rules.lint(text[:20000])  # warm: imports and lazy patterns
best = None
for _ in range(runs):
    gc.collect()
    start = time.process_time()
    result = rules.lint(text)
    for loc in output.locate("page", result):
        output.format_text(loc, text, False)
    took = time.process_time() - start
    best = took if best is None else min(best, took)
with open("/proc/self/status") as status:
    hwm = next(int(l.split()[1]) for l in status if l.startswith("VmHWM"))
print(json.dumps({"chars": len(text), "findings": len(result.findings), "seconds": best,
                  "rss_kib": hwm}))
"""


def measure(kind: str, size: int, runs: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(size), str(runs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def table(sizes: tuple[float, ...]) -> str:
    rows = [
        "| page | size | findings | lint + locate + excerpts (CPU) | × for 4× the text "
        "| peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    worst = 0.0
    load_at_start = os.getloadavg()[0]
    for kind in KINDS:
        seen: dict[float, float] = {}
        for mb in sizes:
            got = measure(kind, int(mb * 1_000_000), 5 if mb <= 1 else 3)
            seen[mb] = got["seconds"]
            quarter = seen.get(mb / 4)
            growth = f"{got['seconds'] / quarter:.2f}×" if quarter else ""
            if quarter:
                worst = max(worst, got["seconds"] / quarter)
            rows.append(
                f"| {kind} | {got['chars'] / 1e6:.2f} MB | {got['findings']} "
                f"| {got['seconds']:.2f} s | {growth} | {got['rss_kib'] / 1024:.0f} MiB |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    met = "met" if worst <= TARGET else "**not met**"
    rows.append("")
    rows.append(f"Worst growth for 4× the text: {worst:.2f}× (target ≤ {TARGET:g}×: {met}).")
    rows.append("")
    rows.append(
        f"`python -m bench.scaling` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs; load average {load_at_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end."
    )
    return "\n".join(rows)


def write(block: str) -> None:
    from bench.run import write_section

    write_section(RESULTS, BEGIN, END, f"## Scaling with the page size\n\n{block}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="lint time and memory against page size")
    parser.add_argument("--quick", action="store_true", help="0.25 to 1 MB only")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results.md")
    args = parser.parse_args(argv)
    block = table(SIZES_MB[:3] if args.quick else SIZES_MB)
    print(block)
    if not args.no_write:
        write(block)


if __name__ == "__main__":
    main()
