"""The one change core: a page's text (a section, the lint config, the environment) → a
:class:`Change`.

``wikilint run``, ``propose``, ``fix`` (files, and ``--page`` under the page policy) and
submit's re-apply all call :func:`compute_change`: the page policy is read from the first
pass's parse, the fixes run from that same parse (each later pass parses its own text once),
and the change carries its findings as :class:`FindingRecord` s, its edits on the original
text (:func:`diff.compose`, checked to give the new text), the new text, the edit summary and
whether the fixes converged. A fixed text that does not parse back is never proposed.

Findings are identified by a key that is exact within one base text (``rule@start-end:hash``)
and by a signature that survives edits elsewhere on the page (``rule:hash(message,
replacements)``): the key drives per-finding review, the signature re-applies reviewed fixes
to a newer revision, and :func:`diff.same_edits` then checks that the re-applied change makes
exactly the edits reviewed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from wikilint import rules
from wikilint.bot.change.diff import compose
from wikilint.bot.change.policy import PagePolicy
from wikilint.rules.engine import AppliedFix, FixResult, LintResult
from wikilint.rules.model import Edit, apply_edits

# Fetches the page titles the title-based unsafe fixes need, given the first pass's lint.
TitleSource = Callable[[LintResult], dict[str, str]]


def signature(f: rules.Finding) -> str:
    """What a finding does, independent of where it is: stable across edits elsewhere."""
    parts = [f.message] + ([e.replacement for e in f.fix.edits] if f.fix else [])
    digest = hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:10]
    return f"{f.rule}:{digest}"


def finding_key(f: rules.Finding) -> str:
    """Exact within one pass over one text (the review's unit of accept/reject)."""
    return f"{f.rule}@{f.start}-{f.end}:{signature(f).split(':', 1)[1]}"


class FindingRecord(NamedTuple):
    """One applied fix as a proposal keeps it (and a reviewer sees it)."""

    key: str
    signature: str
    rule: str
    message: str
    pass_number: int
    line: int | None  # in the original text; None for fixes of later passes
    before: str  # the edited words of the original (first pass only)
    after: str

    def to_json(self) -> dict[str, Any]:
        """The proposal store's JSON form (the field names it has always had)."""
        return {
            "key": self.key,
            "signature": self.signature,
            "rule": self.rule,
            "message": self.message,
            "pass": self.pass_number,
            "line": self.line,
            "before": self.before,
            "after": self.after,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FindingRecord:
        return cls(
            str(data["key"]),
            str(data["signature"]),
            str(data["rule"]),
            str(data["message"]),
            int(data["pass"]),
            data.get("line"),
            str(data.get("before") or ""),
            str(data.get("after") or ""),
        )

    def describe(self) -> str:
        """``rule (line N) message: 'before' → 'after'`` for the review and ``fix --page``."""
        where = f"line {self.line}" if self.line else f"pass {self.pass_number}"
        change = f": {self.before!r} → {self.after!r}" if self.before or self.after else ""
        return f"{self.rule} ({where}) {self.message}{change}"


@dataclass(frozen=True)
class SummaryStyle:
    """How edit summaries read: ``/* Section */ prefix: phrases ([[docs page|details]])``, or
    ``override`` (a person's own summary) after the section prefix."""

    prefix: str = "wikilint"
    docs_page: str | None = None
    override: str | None = None


def make_summary(
    rule_counts: dict[str, int],
    section_title: str | None = None,
    style: SummaryStyle = SummaryStyle(),
) -> str:
    """E.g. ``/* Early life */ wikilint: merged 2 duplicate notes; 3 citation dates to page
    format``; each rule names its own fixes (``Rule.fix_summary``)."""
    if style.override:
        body = style.override
    else:
        parts = [
            _describe_fixes(rule, n)
            for rule, n in sorted(rule_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        body = "; ".join(parts) if parts else "no changes"
        prefix = style.prefix.strip()
        if prefix:
            body = f"{prefix}: {body}"
        if style.docs_page:
            body += f" ([[{style.docs_page}|details]])"
    return (f"/* {section_title} */ " if section_title else "") + body


def _describe_fixes(rule: str, n: int) -> str:
    try:
        return rules.get_rule(rule).describe_fixes(n)
    except KeyError:  # a rule that is gone since the proposal was made
        return f"{n} {rule}"


@dataclass(frozen=True)
class Change:
    """What the fixes do to one page, and why not when they may not (``skip_reason``)."""

    original: str
    proposed: str
    findings: tuple[FindingRecord, ...]  # every fix applied, in order
    edits: tuple[Edit, ...]  # on ``original``, sorted: applying them gives ``proposed``
    rule_counts: dict[str, int]
    converged: bool
    summary: str
    env: rules.Environment  # what the fixes were computed in (fetched titles, the date)
    section: rules.Section | None = None  # the section asked for, in ``original``
    lint: LintResult | None = None  # the first pass: every finding, and the page's parse
    skip_reason: str | None = None
    remaining: tuple[rules.Finding, ...] = field(default=())  # findings of the new text
    final: rules.Document | None = None  # the parse of the new text
    passes: int = 0  # fix passes whose fixes the new text holds
    # Why the text, or the text a fix made, does not parse (then ``skip_reason`` says so).
    parse_error: rules.Finding | None = None

    @property
    def parses(self) -> tuple[rules.Document, ...]:
        """The parses this change made (of the original and of the new text), for another
        change of the same revision to reuse (``compute_change(first=..., parsed=...)``)."""
        docs = (self.lint.doc if self.lint else None, self.final)
        return tuple(d for d in docs if d is not None)

    @property
    def section_title(self) -> str | None:
        return self.section.title if self.section else None

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.findings]

    @property
    def signatures(self) -> list[str]:
        return [f.signature for f in self.findings]


def compute_change(
    text: str,
    *,
    section: str | int | None = None,
    config: rules.Config | None = None,
    env: rules.Environment | None = None,
    unsafe: bool = False,
    accept_keys: Iterable[str] | None = None,
    accept_signatures: Iterable[str] | None = None,
    policy: PagePolicy | None = None,
    summary: SummaryStyle = SummaryStyle(),
    titles: TitleSource | None = None,
    first: LintResult | None = None,
    parsed: Iterable[rules.Document] = (),
) -> Change:
    """Fix ``text`` (the whole page; ``section`` limits the fixes).

    - ``policy``: a page it refuses is not fixed (``Change.skip_reason``); its size and NUL
      checks run before any parse, the rest on the first pass's parse;
    - ``accept_keys`` (same text) / ``accept_signatures`` (a newer text): only those fixes;
    - ``titles``: with ``unsafe``, called once with the first pass to fetch the page titles
      the unsafe fixes need (added to ``env``);
    - ``first``: a lint of ``text`` with this config, environment and section made by the
      caller (another change of the same revision): its parse is reused, and so is any of
      ``parsed`` (``Change.parses``) whose text a fix pass reaches.

    Raises :class:`rules.SectionNotFound` for an unknown section.
    """
    config = config or rules.Config()
    env = env or rules.Environment()
    reason = policy.text_reason(text) if policy else None
    if reason:
        return _unchanged(text, env, summary, reason=reason)
    if first is None:
        first = rules.lint(text, config, env, section)
    if first.parse_error is not None or first.doc is None:
        message = first.parse_error.message if first.parse_error else "no parse"
        return _unchanged(
            text, env, summary, first, reason=f"parse fails: {message}", error=first.parse_error
        )
    reason = policy.document_reason(first.doc) if policy else None
    if reason:
        return _unchanged(text, env, summary, first, reason=reason)
    fix_first = first
    if unsafe and titles is not None:
        fetched = titles(first)
        if fetched:
            env = replace(env, titles={**env.titles, **fetched})
            fix_first = rules.lint(text, config, env, section, document=first.doc)
    result = rules.fix(
        text,
        config=config,
        env=env,
        section=section,
        unsafe=unsafe,
        accept=_acceptance(accept_keys, accept_signatures),
        first=fix_first,
        parsed=tuple(parsed),
    )
    if result.parse_error is not None:  # never propose a text that does not parse back
        reason = f"the fixed text does not parse: {result.parse_error.message}"
        return _unchanged(text, env, summary, first, reason=reason, error=result.parse_error)
    applied = kept_passes(result)
    edits = tuple(compose(applied))
    if apply_edits(text, edits) != result.text:
        raise AssertionError("the fixes' edits do not give the fixed text")
    records = tuple(_record(text, a) for a in applied)
    counts = dict(Counter(a.finding.rule for a in applied))
    return Change(
        original=text,
        proposed=result.text,
        findings=records,
        edits=edits,
        rule_counts=counts,
        converged=result.converged,
        summary=make_summary(counts, first.section.title if first.section else None, summary),
        env=env,
        section=first.section,
        lint=first,
        remaining=tuple(result.remaining),
        final=result.document,
        passes=max((a.pass_number for a in applied), default=0),
    )


def kept_passes(result: FixResult) -> list[AppliedFix]:
    """The applied fixes the fixed text holds: when the last pass led back to a text seen
    before (the fixes oscillate), the engine kept the text before that pass."""
    applied = result.applied
    if applied and applied[-1].text == result.text:
        last = applied[-1].pass_number
        return [a for a in applied if a.pass_number < last]
    return applied


def _unchanged(
    text: str,
    env: rules.Environment,
    style: SummaryStyle,
    first: LintResult | None = None,
    *,
    reason: str,
    error: rules.Finding | None = None,
) -> Change:
    section = first.section if first else None
    return Change(
        text,
        text,
        (),
        (),
        {},
        True,
        make_summary({}, section.title if section else None, style),
        env,
        section,
        first,
        reason,
        parse_error=error,
    )


def _acceptance(
    keys: Iterable[str] | None, signatures: Iterable[str] | None
) -> Callable[[rules.Finding], bool] | None:
    if keys is None and signatures is None:
        return None
    key_set = set(keys or ())
    signature_set = set(signatures or ())

    def accept(f: rules.Finding) -> bool:
        return (bool(key_set) and finding_key(f) in key_set) or (
            bool(signature_set) and signature(f) in signature_set
        )

    return accept


def _record(original: str, applied: AppliedFix) -> FindingRecord:
    f = applied.finding
    edits = f.fix.edits if f.fix else ()
    before = after = ""
    line = None
    if applied.pass_number == 1 and edits:
        # Offsets of the first pass are offsets into the original text: show the edited span.
        start, end = _widen(original, edits[0].start, max(e.end for e in edits))
        before = original[start:end]
        after = apply_edits(
            before, [Edit(e.start - start, e.end - start, e.replacement) for e in edits]
        )
        line = original.count("\n", 0, f.start) + 1
    return FindingRecord(
        finding_key(f), signature(f), f.rule, f.message, applied.pass_number, line, before, after
    )


def _widen(text: str, start: int, end: int, limit: int = 40) -> tuple[int, int]:
    """Grow a span to whole words so a one-character edit still reads in the review."""
    lo = max(0, start - limit)
    while start > lo and not text[start - 1].isspace() and text[start - 1] not in "[|=":
        start -= 1
    hi = min(len(text), end + limit)
    while end < hi and not text[end].isspace() and text[end] not in "]|":
        end += 1
    return start, end
