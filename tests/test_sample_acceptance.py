"""Acceptance on the sample section (issues 2 and 3), through the library with every rule."""

from __future__ import annotations

from collections import Counter

import pytest
from wikilint import rules
from wikilint.bot.files.inputs import read_input
from wikilint.rules.model import Applicability

from tests.paths import EDIT_FORM, SAMPLE

pytestmark = pytest.mark.corpus  # the whole sample


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def findings(sample: str) -> list[rules.Finding]:
    return rules.lint(sample).findings


def test_the_mission_findings(sample: str, findings: list[rules.Finding]) -> None:
    counts = Counter(f.rule for f in findings)
    prose = [sample[f.start : f.end] for f in findings if f.rule == "prose-date-format"]
    assert "2019 February 20" in prose
    kronstadt = sample.index("<ref>Kronstadt Rebellion")
    assert any(
        f.rule == "bare-url" and kronstadt < f.start < sample.index("</ref>", kronstadt)
        for f in findings
    )
    assert counts["date-format"] == 0  # its citation dates are all dmy


def test_issue_3_counts(sample: str, findings: list[rules.Finding]) -> None:
    counts = Counter(f.rule for f in findings)
    assert counts["placeholder-title"] == 1
    assert counts["archive-url-malformed"] == 2
    assert sorted(sample[f.start : f.end] for f in findings if f.rule == "page-param") == [
        "page=107-110",
        "pp=389",
    ]
    assert counts["cite-missing-access-date"] == 3
    assert counts["repeated-source"] >= 2
    insecure = [sample[f.start : f.end] for f in findings if f.rule == "insecure-link"]
    assert insecure and all(u.startswith("http://") for u in insecure)
    assert any("marxists.org" in u for u in insecure)
    for rule in (
        "duplicate-ref",
        "ref-name-conflict",
        "undefined-ref",
        "ref-punctuation",
        "archive-date-mismatch",
        "isbn-checksum",
    ):
        assert counts[rule] == 0, rule


def test_quotations_and_titles_are_not_reported(sample: str, findings: list[rules.Finding]) -> None:
    for f in findings:
        if f.rule == "prose-date-format":
            before = sample[max(0, f.start - 200) : f.start]
            assert "title=" not in before.rsplit("|", 1)[-1]


def test_the_edit_form_capture_gives_the_same_findings() -> None:
    from_wiki = read_input(str(SAMPLE))
    from_form = read_input(str(EDIT_FORM))
    a = rules.lint(from_wiki.text).findings
    b = rules.lint(from_form.text).findings

    def key(text: str, fs: list[rules.Finding]) -> list[tuple[str, str, str]]:
        return [(f.rule, f.message, text[f.start : f.end]) for f in fs]

    assert key(from_wiki.text, a) == key(from_form.text, b)
    assert len(a) > 20


def test_safe_fix_converges_quickly_and_only_touches_flagged_spans(sample: str) -> None:
    first = rules.lint(sample)
    fixed = rules.fix(sample)
    assert fixed.converged and fixed.passes <= 3
    assert fixed.changed
    # Idempotent, and clean for every safe-fixable rule.
    assert rules.fix(fixed.text).text == fixed.text
    assert not [
        f
        for f in rules.lint(fixed.text).findings
        if f.fix is not None and f.fix.applicability >= Applicability.SAFE
    ]
    # Every edit, mapped back to the original text, lies in a span a first-pass finding or
    # its fix named: the fix touches nothing else.
    spans = []
    for f in first.findings:
        spans.append((f.start, f.end))
        if f.fix is not None:
            spans.extend((e.start, e.end) for e in f.fix.edits)
    for applied in fixed.applied:
        assert applied.finding.fix is not None
        for edit in applied.finding.fix.edits:
            start, end = _to_original(fixed, applied.pass_number, edit.start, edit.end)
            assert any(s <= start and end <= e for s, e in spans), sample[start - 30 : end + 30]


def _to_original(fixed: rules.FixResult, pass_number: int, start: int, end: int) -> tuple[int, int]:
    """Map a span of the text that pass ``pass_number`` edited back to the original text."""
    for earlier in range(pass_number - 1, 0, -1):
        edits = sorted(
            (e for a in fixed.applied if a.pass_number == earlier for e in a.finding.fix.edits),
            key=lambda e: e.start,
        )
        start, end = _map_back(edits, start), _map_back(edits, end)
    return start, end


def _map_back(edits: list[rules.Edit], offset: int) -> int:
    shift = 0
    for e in edits:
        new_start = e.start + shift
        new_end = new_start + len(e.replacement)
        if offset < new_start:
            break
        if offset <= new_end:
            return e.start if offset == new_start else e.end
        shift += len(e.replacement) - (e.end - e.start)
    return offset - shift
