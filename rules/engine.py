"""Run the rules over a text, and apply their fixes in a bounded loop.

``lint`` parses once and runs every enabled rule over that one parse. ``fix`` repeats
lint → apply non-overlapping fixes → re-parse until nothing applies, a text repeats
(oscillating fixes) or :data:`MAX_PASSES` passes ran; it reports whether it converged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from wikilint.rules.builder import collector_paused
from wikilint.rules.config import Config
from wikilint.rules.context import Context, Environment
from wikilint.rules.document import Document, ParseError, Section
from wikilint.rules.model import Applicability, Finding, Severity, apply_edits
from wikilint.rules.suppression import find_suppressions

MAX_PASSES = 10
PARSE_ERROR = "parse-error"
PARSE_ERROR_CODE = "WL001"


@dataclass(frozen=True)
class LintResult:
    text: str
    findings: list[Finding]
    doc: Document | None  # None when the text could not be parsed
    section: Section | None = None

    @property
    def parse_error(self) -> Finding | None:
        return next((f for f in self.findings if f.rule == PARSE_ERROR), None)


class AppliedFix(NamedTuple):
    pass_number: int
    finding: Finding
    text: str = ""  # the text of that pass: the finding's offsets point into it


@dataclass(frozen=True)
class FixResult:
    original: str
    text: str
    passes: int
    converged: bool
    applied: list[AppliedFix] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)  # findings of the fixed text
    parse_error: Finding | None = None
    document: Document | None = None  # the parse of the fixed text

    @property
    def changed(self) -> bool:
        return self.text != self.original


def lint(
    text: str,
    config: Config | None = None,
    env: Environment | None = None,
    section: str | int | None = None,
    verify: bool = False,
    document: Document | None = None,
) -> LintResult:
    """Findings for ``text`` (or for one section of it, the whole text being the context).

    ``verify`` also checks that the parse round-trips to the text exactly. ``document`` is a
    parse of ``text`` made earlier (another environment's lint of the same text): reused, not
    parsed again.
    Raises :class:`rules.document.SectionNotFound` for an unknown section.
    """
    config = config or Config()
    env = env or Environment()
    with collector_paused():
        try:
            if document is None:
                doc = Document.parse(text, verify=verify)
            else:
                if document.text is not text and document.text != text:
                    raise ValueError("the document is a parse of another text")
                doc = document
                if verify:
                    doc.verify_round_trip()
        except ParseError as exc:
            return _unparsable(text, exc)
        target = doc.find_section(section) if section is not None else None
        region = (target.start, target.end) if target else None
        return LintResult(text, run_rules(doc, config, env, region), doc, target)


def _unparsable(text: str, exc: ParseError) -> LintResult:
    error = Finding(PARSE_ERROR, f"cannot parse the text: {exc}", 0, 0, Severity.ERROR)
    return LintResult(text, [error], None)


def run_rules(
    doc: Document, config: Config, env: Environment, region: tuple[int, int] | None
) -> list[Finding]:
    ctx = Context(doc, env, region)
    suppressions = find_suppressions(doc)
    findings: list[Finding] = []
    for rule in config.enabled():
        for finding in rule.check(ctx):
            if not 0 <= finding.start <= finding.end <= len(doc.text):
                raise AssertionError(f"{rule.name} reported out of bounds: {finding}")
            if not ctx.in_region(finding.start, finding.end):
                continue
            if doc.in_protected(finding.start):
                continue  # RULES.md: no rule reports inside protected regions
            if suppressions and (
                suppressions.suppressed(rule.name, finding.start)
                or suppressions.suppressed(rule.code, finding.start)
            ):
                continue
            if finding.fix is not None and not all(
                ctx.in_region(e.start, e.end) and not doc.is_protected(e.start, e.end)
                for e in finding.fix.edits
            ):
                finding = replace(finding, fix=None)
            findings.append(finding)
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    return findings


def fix(
    text: str,
    config: Config | None = None,
    env: Environment | None = None,
    section: str | int | None = None,
    unsafe: bool = False,
    accept: Callable[[Finding], bool] | None = None,
    max_passes: int = MAX_PASSES,
    first: LintResult | None = None,
    parsed: Iterable[Document] = (),
) -> FixResult:
    """Apply fixes until the text is stable. Only safe fixes unless ``unsafe``.

    ``accept`` filters which findings' fixes may be applied (per-finding review). ``first``
    is the lint of ``text`` with the same config, environment and section, made by the
    caller: it is the first pass (no second parse). Each pass parses its text once (or reuses
    the one of ``parsed``, parses the caller made, that is of that text); the last pass's
    parse is the final check (round trip, remaining findings).
    Raises :class:`rules.document.SectionNotFound` for an unknown section.
    """
    threshold = Applicability.UNSAFE if unsafe else Applicability.SAFE
    current = text
    seen = {text}
    applied: list[AppliedFix] = []
    passes = 0
    converged = True
    section_key: str | int | None = section
    heading: str | None = None
    result = first if first is not None else lint(current, config, env, section_key)
    while True:
        if result.parse_error is not None:
            return FixResult(
                text, current, passes, False, applied, result.findings, result.parse_error
            )
        if result.section is not None:
            # Fixes never touch headings, so the section keeps its number between passes.
            if heading is not None and result.section.title != heading:
                converged = False
                break
            section_key, heading = result.section.number, result.section.title
        candidates = [
            f
            for f in result.findings
            if f.fix is not None
            and f.fix.applicability >= threshold
            and (accept is None or accept(f))
        ]
        if not candidates:
            break
        if passes >= max_passes:
            converged = False
            break
        chosen: list[Finding] = []
        for finding in candidates:
            assert finding.fix is not None
            if all(not finding.fix.overlaps(other.fix) for other in chosen):  # type: ignore[arg-type]
                chosen.append(finding)
        new = apply_edits(current, (e for f in chosen for e in f.fix.edits))  # type: ignore[union-attr]
        passes += 1
        applied.extend(AppliedFix(passes, f, current) for f in chosen)
        if new in seen:
            converged = False  # the fixes oscillate: stop at the last new text
            break
        seen.add(new)
        current = new
        known = next((d for d in parsed if d.text == current), None)
        result = lint(current, config, env, section_key, document=known)
    # The text a caller may save: check that it parses back to itself exactly. The last
    # pass's lint is of this very text; only a renamed section needs a new one.
    if result.text is current and (result.section is None or result.section.title == heading):
        final = result
        if current != text and final.doc is not None:
            with collector_paused():
                try:
                    final.doc.verify_round_trip()
                except ParseError as exc:
                    final = _unparsable(current, exc)
    else:
        final = lint(current, config, env, section_key, verify=current != text)
    return FixResult(
        text, current, passes, converged, applied, final.findings, final.parse_error, final.doc
    )
