"""Formatting findings: text (with a short excerpt), JSON and GitHub Actions annotations.

Line and column are computed here, only for output (rules work in offsets). Columns count
characters, 1-based; ``end_line``/``end_column`` locate the exclusive end offset.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, NamedTuple

import click
from wikilint.rules import LintResult
from wikilint.rules.builder import collector_paused
from wikilint.rules.engine import PARSE_ERROR, PARSE_ERROR_CODE
from wikilint.rules.model import Applicability, Finding, Severity
from wikilint.rules.registry import get_rule

EXCERPT_CONTEXT = 30  # characters shown on each side of the span
EXCERPT_SPAN = 60  # characters of the span itself before it is cut with "…"
FORMATS = ("text", "json", "github")

_SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


class LineIndex:
    """1-based line and column of offsets in one text: a file as read, or the view of it the
    rules analyse. CRLF, LF and a lone CR each end a line, and a BOM is not a column."""

    def __init__(self, text: str) -> None:
        first = 1 if text.startswith("\ufeff") else 0
        ending = "\r\n|\r|\n" if "\r" in text else "\n"
        self._starts = [first] + [m.end() for m in re.finditer(ending, text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, max(1, offset - self._starts[line] + 1)


class Located(NamedTuple):
    """A finding with everything output needs: where it is and what the rule is."""

    path: str
    finding: Finding
    code: str
    line: int
    column: int
    end_line: int
    end_column: int
    section: str | None

    @property
    def fix_applicability(self) -> Applicability | None:
        return self.finding.fix.applicability if self.finding.fix else None

    @property
    def safe_fix(self) -> bool:
        return self.fix_applicability is Applicability.SAFE

    @property
    def unsafe_fix(self) -> bool:
        return self.fix_applicability is Applicability.UNSAFE


def rule_code(rule_name: str) -> str:
    if rule_name == PARSE_ERROR:
        return PARSE_ERROR_CODE
    try:
        return get_rule(rule_name).code
    except KeyError:
        return ""


def locate(
    path: str, result: LintResult, findings: Iterable[Finding] | None = None
) -> list[Located]:
    """Line/column, code and enclosing section for each finding of a lint result."""
    # The collector stays held, as in the lint: a page's tree is millions of objects, and
    # with tens of thousands of findings it would otherwise rescan them while this runs.
    with collector_paused():
        return _locate(path, result, result.findings if findings is None else findings)


def _locate(path: str, result: LintResult, findings: Iterable[Finding]) -> list[Located]:
    index = LineIndex(result.text)
    located = []
    for finding in findings:
        line, column = index.line_col(finding.start)
        end_line, end_column = index.line_col(finding.end)
        section = result.doc.section_at(finding.start) if result.doc is not None else None
        located.append(
            Located(
                path=path,
                finding=finding,
                code=rule_code(finding.rule),
                line=line,
                column=column,
                end_line=end_line,
                end_column=end_column,
                section=section.title if section else None,
            )
        )
    return located


# -- text -----------------------------------------------------------------------------------


def format_text(loc: Located, text: str, color: bool) -> str:
    """``path:line:col: rule message [*]`` and a two-line excerpt with the span marked."""
    f = loc.finding
    marker = " [*]" if loc.safe_fix else " [*unsafe]" if loc.unsafe_fix else ""
    rule = click.style(f.rule, fg=_SEVERITY_COLOR[f.severity], bold=True) if color else f.rule
    where = (
        click.style(f"{loc.path}:{loc.line}:{loc.column}:", bold=True)
        if color
        else (f"{loc.path}:{loc.line}:{loc.column}:")
    )
    head = f"{where} {rule} {f.message}{marker}"
    if f.rule == PARSE_ERROR and f.start == f.end == 0:
        return head
    return "\n".join([head, *excerpt(text, f.start, f.end, color, f.severity)])


def excerpt(
    text: str, start: int, end: int, color: bool = False, severity: Severity = Severity.WARNING
) -> list[str]:
    """Two lines: a window of the span's line around the span, and a caret line under it.

    Never the whole line: at most EXCERPT_CONTEXT characters each side and EXCERPT_SPAN of
    the span, with "…" where text was cut.
    """
    # Look for the line's ends only as far as the window reaches, so that an excerpt costs the
    # same on a one-line page of megabytes (a stand-in one past the window stands for "beyond").
    # CRLF, LF and a lone CR end a line: the text may be a file as read.
    reach = max(0, start - EXCERPT_CONTEXT - 1)
    found = max(text.rfind("\n", reach, start), text.rfind("\r", reach, start))
    line_start = found + 1 if found >= 0 else (reach - 1 if reach else 0)
    reach = min(len(text), start + EXCERPT_SPAN + EXCERPT_CONTEXT + 1)
    ends = [i for i in (text.find("\n", start, reach), text.find("\r", start, reach)) if i >= 0]
    line_end = min(ends) if ends else (len(text) if reach == len(text) else reach + 1)
    span_end = min(end, line_end)
    span = text[start : min(span_end, start + EXCERPT_SPAN + 1)]
    cut_span = span_end < end or len(span) > EXCERPT_SPAN
    if len(span) > EXCERPT_SPAN:
        span = span[: EXCERPT_SPAN - 1]
    left_from = max(line_start, start - EXCERPT_CONTEXT)
    left = ("…" if left_from > line_start else "") + text[left_from:start]
    right_to = min(line_end, span_end + EXCERPT_CONTEXT)
    right = "" if cut_span else text[span_end:right_to] + ("…" if right_to < line_end else "")
    shown_span = _printable(span) + ("…" if cut_span else "")
    left, right = _printable(left), _printable(right)
    carets = "^" * max(1, display_width(shown_span))
    padding = " " * display_width(left)
    if color:
        hue = _SEVERITY_COLOR[severity]
        shown_span = click.style(shown_span, fg=hue, bold=True)
        carets = click.style(carets, fg=hue)
    return [f"    {left}{shown_span}{right}", f"    {padding}{carets}"]


def _printable(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ")


def display_width(text: str) -> int:
    """Terminal columns: wide East Asian characters take two, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def plural(count: int, noun: str) -> str:
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {noun}{'es' if noun.endswith(('x', 's', 'sh', 'ch')) else 's'}"


def lint_summary(located: list[Located], files: int) -> str:
    """``N findings (M fixable) in K files``, with a hint about unsafe fixes."""
    safe = sum(1 for loc in located if loc.safe_fix)
    unsafe = sum(1 for loc in located if loc.unsafe_fix)
    fixable = f"{safe} fixable"
    if unsafe:
        fixable += f", {unsafe} more with --unsafe-fixes"
    return f"{plural(len(located), 'finding')} ({fixable}) in {plural(files, 'file')}"


# -- JSON -----------------------------------------------------------------------------------


def to_json_object(loc: Located) -> dict[str, Any]:
    f = loc.finding
    fix = None
    if f.fix is not None:
        fix = {
            "applicability": f.fix.applicability.name.lower(),
            "edits": [
                {"start": e.start, "end": e.end, "replacement": e.replacement} for e in f.fix.edits
            ],
        }
    return {
        "rule": f.rule,
        "code": loc.code,
        "severity": f.severity.value,
        "message": f.message,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "start": f.start,
        "end": f.end,
        "section": loc.section,
        "fixable": f.fix is not None,
        "fix": fix,
    }


def format_json(located: Iterable[Located]) -> str:
    import json  # only for --format json: the default text path skips the import

    return json.dumps([to_json_object(loc) for loc in located], ensure_ascii=False, indent=2)


# -- GitHub Actions -------------------------------------------------------------------------


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(loc: Located) -> str:
    """A workflow command: ``::warning file=…,line=…,col=…,…::message``."""
    f = loc.finding
    props = ",".join(
        [
            f"file={_escape_property(loc.path)}",
            f"line={loc.line}",
            f"col={loc.column}",
            f"endLine={loc.end_line}",
            f"endColumn={loc.end_column}",
            f"title={_escape_property(f'{f.rule} ({loc.code})' if loc.code else f.rule)}",
        ]
    )
    return f"::{_GITHUB_LEVEL[f.severity]} {props}::{_escape_data(f.message)}"


# -- statistics and hints -------------------------------------------------------------------


def format_statistics(located: Iterable[Located], output_format: str = "text") -> str:
    """Findings counted per rule (``lint --statistics``), most frequent first: ``count  code
    [*] rule`` where ``[*]`` marks a rule whose findings here all have a safe fix."""
    counts: dict[tuple[str, str], list[int]] = {}
    for loc in located:
        entry = counts.setdefault((loc.code, loc.finding.rule), [0, 0])
        entry[0] += 1
        entry[1] += loc.safe_fix
    ordered = sorted(counts.items(), key=lambda item: (-item[1][0], item[0][0], item[0][1]))
    if output_format == "json":
        import json

        return json.dumps(
            [
                {"code": code, "name": rule, "count": n, "fixable": safe}
                for (code, rule), (n, safe) in ordered
            ],
            indent=2,
        )
    width = max((len(str(n)) for _, (n, _) in ordered), default=1)
    return "\n".join(
        f"{n:>{width}}\t{code or '-'}\t{'[*]' if safe == n else '[ ]'} {rule}"
        for (code, rule), (n, safe) in ordered
    )


def fix_hint(located: Iterable[Located], writable: Iterable[str]) -> str | None:
    """How to apply the safe fixes of these findings: the command to run, naming the file."""
    import shlex

    fixable = [loc for loc in located if loc.safe_fix]
    if not fixable:
        return None
    fixes = plural(len(fixable), "safe fix")
    can_write = set(writable)
    files = list(dict.fromkeys(loc.path for loc in fixable if loc.path in can_write))
    if not files:
        return f"`wikilint fix --stdout` prints the text with the {fixes} applied."
    target = " ".join(shlex.quote(f) for f in files) if len(files) <= 3 else "FILE…"
    return (
        f"Apply the {fixes} with `wikilint fix --write {target}` "
        f"(`wikilint fix {target}` shows the diff first)."
    )
