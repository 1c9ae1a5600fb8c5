"""Every rule is documented and has passing and failing cases."""

from __future__ import annotations

from collections import defaultdict

import pytest
from wikilint import rules
from wikilint.rules.docs import explain, missing_doc_sections
from wikilint.rules.registry import iter_options

from tests.rules.casefiles import load_cases

RULES = rules.all_rules()
BY_RULE: dict[str, list] = defaultdict(list)
for _case in load_cases():
    BY_RULE[_case.rule].append(_case)


def test_every_rule_of_the_catalogue_is_registered() -> None:
    names = {r.name for r in RULES}
    assert names >= CATALOGUE, f"missing: {sorted(CATALOGUE - names)}"


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_has_docs(rule: type[rules.Rule]) -> None:
    assert missing_doc_sections(rule) == []
    assert rule.summary.strip() and "\n" not in rule.summary
    assert rule.code[:2].isalpha() and rule.code[2:].isdigit()


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_has_passing_and_failing_cases(rule: type[rules.Rule]) -> None:
    cases = BY_RULE.get(rule.name, [])
    assert any(c.findings for c in cases), "no case where the rule reports"
    assert any(not c.findings for c in cases), "no case where the rule stays quiet"
    if rule.fixable is not rules.Fixability.NONE:
        assert any(c.output is not None for c in cases), "a fixable rule needs a fix case"


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_fixable_rule_names_its_fixes_for_the_edit_summary(rule: type[rules.Rule]) -> None:
    if rule.fixable is rules.Fixability.NONE:
        assert rule.fix_summary is None, "a rule without fixes needs no edit-summary phrase"
        return
    assert rule.fix_summary is not None, "a fixable rule needs fix_summary = (one, many)"
    one, many = rule.fix_summary
    assert "{n}" in one and "{n}" in many and one != many
    assert rule.describe_fixes(1) == one.format(n=1)
    assert rule.describe_fixes(3) == many.format(n=3)
    assert "\n" not in one + many and len(many.format(n=100)) <= 60


CATALOGUE = {
    "duplicate-efn",
    "duplicate-ref",
    "ref-name-conflict",
    "undefined-ref",
    "ref-punctuation",
    "page-param",
    "repeated-source",
    "date-format",
    "prose-date-format",
    "invalid-date",
    "archive-date-mismatch",
    "bare-url",
    "placeholder-title",
    "archive-url-malformed",
    "insecure-link",
    "cite-missing-access-date",
    "isbn-checksum",
}


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_explain_has_one_options_section_listing_every_option(rule: type[rules.Rule]) -> None:
    text = explain(rule)
    assert text.count("## Options") == 1
    for name, _default, _help in iter_options(rule.Options):
        assert f"- `{name}` (default:" in text
