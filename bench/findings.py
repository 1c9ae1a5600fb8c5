"""``python -m bench.findings``: every finding, fix and parse of a set of pages, to compare two
versions of the code (a change that should not change what wikilint finds).

    python -m bench.findings save before.json     # on the old code
    python -m bench.findings compare before.json  # on the new code: exit 1 on any difference

The pages: the sample (``examples/``, and the ``wikilint lint`` reading of the shared seed when
``--seed DIR`` names it), every article of ``tests/corpus`` (and of ``--corpus DIR``), and the
pages of ``python -m bench.scaling`` (``--sizes``, in MB). Per page: the full finding list of
``rules.lint`` (rule, message, span, severity, applicability, edits), the parse's nodes with
their spans (a digest), and, for pages under ``--fix-below`` characters, ``rules.fix`` with
unsafe fixes (new text digest, passes, converged, applied findings).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from wikilint import rules
from wikilint.rules.model import Finding

from bench.scaling import KINDS, page

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 27)  # as bench.corpus: access dates and month tags stay put


def _finding(finding: Finding) -> list[Any]:
    fix = finding.fix
    return [
        finding.rule,
        finding.message,
        finding.start,
        finding.end,
        str(finding.severity),
        None if fix is None else str(fix.applicability),
        None if fix is None else [[e.start, e.end, e.replacement] for e in fix.edits],
    ]


def _digest(parts: Iterator[str]) -> str:
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode("utf-8", "surrogatepass"))
    return hashed.hexdigest()


def record(text: str, with_fix: bool) -> dict[str, Any]:
    """What wikilint makes of one page."""
    env = rules.Environment(today=TODAY)
    linted = rules.lint(text, rules.Config(), env)
    doc = linted.doc
    got: dict[str, Any] = {
        "chars": len(text),
        "findings": [_finding(f) for f in linted.findings],
        "tree": None
        if doc is None
        else _digest(f"{type(n).__name__}:{doc.span(n)}\n" for n in doc.nodes),
    }
    if with_fix:
        fixed = rules.fix(text, rules.Config(), env, unsafe=True)
        got["fix"] = {
            "text": _digest(iter([fixed.text])),
            "passes": fixed.passes,
            "converged": fixed.converged,
            "applied": [[a.pass_number, *_finding(a.finding)] for a in fixed.applied],
        }
    return got


def pages(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    yield (
        "examples/leon-trotsky-section.wiki",
        (ROOT / "examples" / "leon-trotsky-section.wiki").read_text(encoding="utf-8"),
    )
    if args.seed is not None:
        from wikilint.bot.files.inputs import read_input

        for path in sorted(args.seed.iterdir()):
            if path.is_file():  # as `wikilint lint` reads it (edit form, restored lines)
                yield f"seed/{path.name}", read_input(str(path)).text
    folders = {"tests/corpus": ROOT / "tests" / "corpus"}
    if args.corpus is not None:
        folders[str(args.corpus)] = args.corpus
    for label, folder in folders.items():
        for path in sorted(folder.glob("*.wiki")):
            yield f"{label}/{path.name}", path.read_text(encoding="utf-8")
    for kind in KINDS:
        for mb in args.sizes:
            yield f"scaling/{kind}/{mb:g} MB", page(kind, int(mb * 1_000_000))


def collect(args: argparse.Namespace) -> dict[str, Any]:
    results = {}
    for name, text in pages(args):
        print(f"{name} ({len(text):,} characters) …", file=sys.stderr, flush=True)
        results[name] = record(text, len(text) < args.fix_below)
    return results


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per difference (an empty list: the same on every page)."""
    problems = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old is None or new is None:
            problems.append(f"{name}: only {'after' if old is None else 'before'}")
            continue
        for key in sorted(old.keys() | new.keys()):
            if old.get(key) != new.get(key):
                detail = ""
                if key == "findings":
                    gone = [f for f in old[key] if f not in new[key]]
                    came = [f for f in new[key] if f not in old[key]]
                    detail = f": {len(gone)} gone, {len(came)} new; first {(gone + came)[:2]}"
                problems.append(f"{name}: {key} differs{detail}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="findings, fixes and parses of many pages")
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("file", type=Path, help="the saved results (JSON)")
    parser.add_argument("--seed", type=Path, help="a folder of pages read as `wikilint lint`")
    parser.add_argument("--corpus", type=Path, help="another folder of *.wiki articles")
    parser.add_argument("--sizes", type=float, nargs="*", default=[0.25, 1.0], help="MB")
    parser.add_argument("--fix-below", type=int, default=400_000, help="characters")
    args = parser.parse_args(argv)
    results = collect(args)
    if args.action == "save":
        args.file.write_text(json.dumps(results), encoding="utf-8")
        print(f"{len(results)} pages saved to {args.file}")
        return 0
    problems = compare(json.loads(args.file.read_text(encoding="utf-8")), results)
    for line in problems:
        print(line)
    findings = sum(len(r["findings"]) for r in results.values())
    fixed = sum(1 for r in results.values() if "fix" in r)
    print(
        f"{len(results)} pages ({fixed} also fixed), {findings} findings: "
        + (f"{len(problems)} differences" if problems else "identical")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
