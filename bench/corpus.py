"""``python -m bench.corpus``: what every rule finds and fixes on the article corpus.

    python -m bench.corpus                 # tests/corpus/*.wiki, writes bench/corpus-report.md
    python -m bench.corpus a.wiki b.wiki   # other articles
    python -m bench.corpus --no-write      # print only

Per rule: findings, findings with a fix, fixes applied by ``wikilint fix`` (safe fixes, and
unsafe ones that need no fetched title), the share of the corpus' characters the applied edits
change (characters removed + inserted, over all characters), and applied edits that touch table
markup, the original inside an archive URL or a protected region (``rules.structure``): those
three counts must be 0. Per article: whether the fix converged and is idempotent (fixing the
fixed text again changes nothing). One timing: the lint CPU time of each article (best of 3,
``--no-timing`` to skip) and the process's peak RSS after those lints, with the articles whose
bold or italic crosses a line marked (they are parsed twice, see rules/quotes.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from wikilint import rules
from wikilint.rules import builder, quotes
from wikilint.rules.document import Document
from wikilint.rules.model import apply_edits
from wikilint.rules.structure import STRUCTURE_KINDS, StructureIndex

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "tests" / "corpus"
REPORT = Path(__file__).with_name("corpus-report.md")
# A fixed "today" keeps the report reproducible (access dates of unsafe fixes, month tags).
TODAY = dt.date(2026, 11, 27)


@dataclass
class ArticleResult:
    name: str
    chars: int
    findings: Counter[str] = field(default_factory=Counter)
    fixable: Counter[str] = field(default_factory=Counter)
    applied: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)  # characters removed + inserted
    touched: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    converged: bool = True
    idempotent: bool = True
    error: str | None = None
    lint_seconds: float | None = None  # CPU, best of LINT_RUNS
    crossing: bool = False  # a bold or italic crosses a line: the page is parsed twice


@dataclass
class LintTiming:
    load_average: float  # 1-minute load average when the lints started
    peak_rss_mib: float | None  # the process's peak RSS after them (None off Linux)


LINT_RUNS = 3


def time_lints(results: list[ArticleResult], texts: list[str]) -> LintTiming:
    """Each article's lint CPU time (best of :data:`LINT_RUNS`), one article at a time."""
    load = os.getloadavg()[0]
    config, env = rules.Config(), rules.Environment(today=TODAY)
    rules.lint(texts[0][:20000], config, env)  # imports, lazy patterns
    for result, text in zip(results, texts, strict=True):
        first = Document(text, builder.parse(text))
        result.crossing = bool(quotes.crossing_runs(first))
        del first
        best = None
        for _ in range(LINT_RUNS):
            gc.collect()
            start = time.process_time()
            rules.lint(text, config, env)
            took = time.process_time() - start
            best = took if best is None else min(best, took)
        result.lint_seconds = best
    return LintTiming(load, _peak_rss_mib())


def _peak_rss_mib() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return None


def measure(name: str, text: str) -> ArticleResult:
    """Lint and fix one article; replay the applied passes to check every edit."""
    result = ArticleResult(name, len(text))
    config = rules.Config()
    env = rules.Environment(today=TODAY)
    try:
        linted = rules.lint(text, config, env)
        for finding in linted.findings:
            result.findings[finding.rule] += 1
            if finding.fix is not None:
                result.fixable[finding.rule] += 1
        fixed = rules.fix(text, config, env, unsafe=True)
        result.converged = fixed.converged
        current = text
        for number in range(1, fixed.passes + 1):
            applied = [a.finding for a in fixed.applied if a.pass_number == number]
            index = StructureIndex(Document.parse(current))
            for finding in applied:
                assert finding.fix is not None
                result.applied[finding.rule] += 1
                for edit in finding.fix.edits:
                    result.changed[finding.rule] += edit.end - edit.start + len(edit.replacement)
                    for kind in index.touched(edit.start, edit.end):
                        result.touched[kind][finding.rule] += 1
            current = apply_edits(current, [e for f in applied for e in f.fix.edits])  # type: ignore[union-attr]
        again = rules.fix(fixed.text, config, env, unsafe=True)
        result.idempotent = again.text == fixed.text
    except Exception as exc:  # a crash is a result of this report
        result.error = f"{type(exc).__name__}: {exc}"
    return result


def render(results: list[ArticleResult], timing: LintTiming | None = None) -> str:
    total_chars = sum(r.chars for r in results)
    findings: Counter[str] = Counter()
    fixable: Counter[str] = Counter()
    applied: Counter[str] = Counter()
    changed: Counter[str] = Counter()
    touched: dict[str, Counter[str]] = {kind: Counter() for kind in STRUCTURE_KINDS}
    for r in results:
        findings.update(r.findings)
        fixable.update(r.fixable)
        applied.update(r.applied)
        changed.update(r.changed)
        for kind, counts in r.touched.items():
            touched[kind].update(counts)
    names = sorted(rule.name for rule in rules.all_rules())
    lines = [
        "# Corpus report",
        "",
        f"Generated by `python -m bench.corpus` on {dt.date.today().isoformat()}: "
        f"{len(results)} articles, {total_chars:,} characters. `fixes applied` counts the "
        "fixes `wikilint fix --unsafe-fixes --no-fetch` applies (no fetched titles); "
        "`changed` is characters removed + inserted by them, over all characters. The last "
        "three columns count applied edits touching table markup, the original URL inside an "
        "archive URL, or a protected region: each must be 0.",
        "",
        *_timing_lines(results, timing),
        "| rule | findings | with a fix | fixes applied | changed | table markup "
        "| archive original | protected |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in names:
        share = changed[name] / total_chars if total_chars else 0.0
        hits = " | ".join(str(touched[kind][name]) for kind in STRUCTURE_KINDS)
        lines.append(
            f"| `{name}` | {findings[name]} | {fixable[name]} | {applied[name]} "
            f"| {share:.4%} | {hits} |"
        )
    share = sum(changed.values()) / total_chars if total_chars else 0.0
    hits = " | ".join(str(sum(touched[kind].values())) for kind in STRUCTURE_KINDS)
    lines.append(
        f"| **all** | {sum(findings.values())} | {sum(fixable.values())} "
        f"| {sum(applied.values())} | {share:.4%} | {hits} |"
    )
    lines += [
        "",
        "| article | characters | findings | fixes applied | converged | idempotent "
        "| lint CPU | styles cross a line |",
        "| --- | ---: | ---: | ---: | --- | --- | ---: | --- |",
    ]
    for r in results:
        status = (
            f"error: {r.error}"
            if r.error
            else f"{'yes' if r.converged else 'NO'} | {'yes' if r.idempotent else 'NO'}"
        )
        seconds = "" if r.lint_seconds is None else f"{r.lint_seconds:.3f} s"
        lines.append(
            f"| {r.name} | {r.chars:,} | {sum(r.findings.values())} "
            f"| {sum(r.applied.values())} | {status} | {seconds} | {'yes' if r.crossing else ''} |"
        )
    return "\n".join(lines) + "\n"


def _timing_lines(results: list[ArticleResult], timing: LintTiming | None) -> list[str]:
    if timing is None:
        return []
    total = sum(r.lint_seconds or 0.0 for r in results)
    crossing = [r for r in results if r.crossing]
    rss = "" if timing.peak_rss_mib is None else f"; peak RSS {timing.peak_rss_mib:.0f} MiB"
    return [
        f"Lint time (`rules.lint`, CPU, best of {LINT_RUNS} per article, one article at a "
        f"time in one process; load average {timing.load_average:.1f} on "
        f"{os.cpu_count()} CPUs at the start): {total:.2f} s for the {len(results)} articles, "
        f"{sum(r.lint_seconds or 0.0 for r in crossing):.2f} s of it for the {len(crossing)} "
        f"whose bold or italic crosses a line (parsed twice, see `rules/quotes.py`){rss}.",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="wikilint's findings and fixes on a corpus")
    parser.add_argument("paths", nargs="*", type=Path, help="articles (default: tests/corpus)")
    parser.add_argument("--no-write", action="store_true", help="do not write the report file")
    parser.add_argument("--output", type=Path, default=REPORT, help="the report file")
    parser.add_argument("--no-timing", action="store_true", help="do not time the lints")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(CORPUS_DIR.glob("*.wiki"))
    texts = [path.read_text(encoding="utf-8") for path in paths]
    results = [ArticleResult(path.name, len(text)) for path, text in zip(paths, texts, strict=True)]
    timing = None if args.no_timing or not texts else time_lints(results, texts)
    for i, (path, text) in enumerate(zip(paths, texts, strict=True)):
        print(f"{path.name} …", file=sys.stderr)
        measured = measure(path.name, text)
        measured.lint_seconds, measured.crossing = results[i].lint_seconds, results[i].crossing
        results[i] = measured
    report = render(results, timing)
    print(report)
    if not args.no_write:
        args.output.write_text(report, encoding="utf-8")
    bad = any(r.error or not r.converged or not r.idempotent for r in results) or any(
        r.touched[kind] for r in results for kind in STRUCTURE_KINDS
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
