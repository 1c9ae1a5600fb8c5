"""The URL and citation rules on the Leon Trotsky sample section (issue 3 acceptance)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from wikilint import rules

from tests.paths import SAMPLE

pytestmark = pytest.mark.corpus  # the whole sample

URL_RULES = [
    "bare-url",
    "placeholder-title",
    "archive-url-malformed",
    "insecure-link",
    "cite-missing-access-date",
    "isbn-checksum",
    "page-param",
]


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def result(sample: str) -> rules.LintResult:
    return rules.lint(sample, rules.Config.from_mapping({"select": URL_RULES}))


def test_counts_per_rule(result: rules.LintResult) -> None:
    counts = Counter(f.rule for f in result.findings)
    assert counts["placeholder-title"] == 1
    assert counts["archive-url-malformed"] == 2
    assert counts["page-param"] == 2
    assert counts["cite-missing-access-date"] == 3
    assert counts["isbn-checksum"] == 0
    assert counts["bare-url"] >= 1


def test_page_param_findings(sample: str, result: rules.LintResult) -> None:
    spans = sorted(sample[f.start : f.end] for f in result.findings if f.rule == "page-param")
    assert spans == ["page=107-110", "pp=389"]


def test_bare_url_kronstadt(sample: str, result: rules.LintResult) -> None:
    found = [sample[f.start : f.end] for f in result.findings if f.rule == "bare-url"]
    assert any(u.startswith("http://www.inkrit.de/") for u in found)
    ref = sample.index("<ref>Kronstadt Rebellion")
    assert any(
        ref < f.start < sample.index("</ref>", ref) for f in result.findings if f.rule == "bare-url"
    )


def test_insecure_links_are_the_http_marxists_links(sample: str, result: rules.LintResult) -> None:
    flagged = {f.start for f in result.findings if f.rule == "insecure-link"}
    for f in result.findings:
        if f.rule == "insecure-link":
            assert sample[f.start : f.start + 7] == "http://"
            assert sample[f.start - 1] != "/", "an original embedded in an archive URL"
    # every http:// marxists.org link that is not embedded in an archive URL is flagged
    expected = {
        m.start()
        for m in re.finditer(r"http://(?:www\.)?marxists\.org", sample)
        if sample[m.start() - 1] != "/"
    }
    assert expected
    assert expected <= flagged


def test_safe_fixes_converge_and_relint_clean(sample: str) -> None:
    config = rules.Config.from_mapping({"select": URL_RULES})
    fixed = rules.fix(sample, config)
    assert fixed.converged and fixed.passes <= 3
    assert not [f for f in fixed.remaining if f.fix is not None]
    assert rules.fix(fixed.text, config).text == fixed.text
