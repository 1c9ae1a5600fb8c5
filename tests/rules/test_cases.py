"""Every rule case, checked with the five invariants of DESIGN.md."""

from __future__ import annotations

import pytest
from wikilint import rules
from wikilint.rules.model import Applicability

from tests.rules.casefiles import RuleCase, load_cases

CASES = load_cases()


def _config(case: RuleCase) -> rules.Config:
    select = case.select or [case.rule]
    data: dict = {"select": select}
    if case.options:
        data["rules"] = {case.rule: case.options}
    return rules.Config.from_mapping(data)


def _env(case: RuleCase) -> rules.Environment:
    return rules.Environment(today=case.today, titles=case.titles)


def _located(result: rules.LintResult) -> list[str]:
    assert result.doc is not None
    out = []
    for f in result.findings:
        line, col = result.doc.line_col(f.start)
        out.append(f"{line}:{col} {f.rule}")
    return sorted(out)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case: RuleCase) -> None:
    config, env = _config(case), _env(case)
    result = rules.lint(case.input, config, env, case.section)

    # 1. the expected findings, no more, no fewer
    assert _located(result) == sorted(case.findings)

    # 5. spans in bounds and never inside protected regions
    doc = result.doc
    assert doc is not None
    for finding in result.findings:
        assert 0 <= finding.start <= finding.end <= len(case.input)
        assert not doc.in_protected(finding.start)
        if finding.fix is not None:
            for edit in finding.fix.edits:
                assert 0 <= edit.start <= edit.end <= len(case.input)
                assert not doc.is_protected(edit.start, edit.end)

    # 2. the fix output (or no change)
    fixed = rules.fix(case.input, config, env, case.section, unsafe=case.unsafe)
    expected = case.output if case.output is not None else case.input
    assert fixed.text == expected
    assert fixed.converged

    # 3. the output lints clean for this rule (or leaves exactly the expected findings)
    after = rules.lint(fixed.text, config, env, case.section)
    remaining = case.remaining
    if remaining is None:
        threshold = Applicability.UNSAFE if case.unsafe else Applicability.SAFE
        leftover = [
            f for f in after.findings if f.fix is not None and f.fix.applicability >= threshold
        ]
        assert leftover == [], "the fixed text still has fixable findings"
        if case.output is not None:
            assert _located(after) == [], "the fixed text still has findings"
    else:
        assert _located(after) == sorted(remaining)

    # 4. fixing the output again changes nothing
    again = rules.fix(fixed.text, config, env, case.section, unsafe=case.unsafe)
    assert again.text == fixed.text
