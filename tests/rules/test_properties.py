"""Property tests: every rule together never crashes, and fixing is stable, on any text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wikilint import rules

PIECES = st.sampled_from(
    [
        "{{",
        "}}",
        "[[",
        "]]",
        "[",
        "]",
        "|",
        "=",
        "<ref>",
        "</ref>",
        "<ref name=a/>",
        '<ref name="b">',
        "<ref group=n>",
        "{{efn|",
        "{{refn|group=n|",
        "{{sfn|A|2001|pp=",
        "{{cite web|url=",
        "{{cite book|isbn=",
        "|date=",
        "|access-date=",
        "|archive-url=",
        "|title=",
        "|page=",
        "|p=",
        "http://www.marxists.org/a",
        "https://web.archive.org/web/2019/",
        "http://example.com/x#a#a",
        "14 March 2021",
        "March 14, 2021",
        "2021-03-14",
        "2019 February 20",
        "20th February 2019",
        "31 February 2020",
        "03/04/2021",
        "n.d.",
        "{{Use dmy dates}}",
        "{{Use mdy dates|cs1-dates=ly}}",
        "<!--",
        "-->",
        "<nowiki>",
        "</nowiki>",
        "== H ==",
        "\n",
        " ",
        ".",
        ",",
        ";",
        ":",
        "''",
        '"',
        "ISBN 978-0-674-01801-3",
        "12-15",
        "389",
        "1-2",
        "{{Webarchive|url=",
        "{{Bare URL inline}}",
        "\0",
        "é",
        "{{quote|",
    ]
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)
ENV = rules.Environment(today=dt.date(2026, 11, 27), titles={"http://example.com/x": "A title"})


@pytest.mark.slow  # many generated examples
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_lint_never_crashes_and_spans_stay_in_bounds(text: str) -> None:
    result = rules.lint(text, env=ENV)
    for finding in result.findings:
        assert 0 <= finding.start <= finding.end <= len(text)
        if finding.fix is not None:
            for edit in finding.fix.edits:
                assert 0 <= edit.start <= edit.end <= len(text)


@pytest.mark.slow  # many generated examples
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.booleans())
def test_fix_is_idempotent_when_it_converges(text: str, unsafe: bool) -> None:
    first = rules.fix(text, env=ENV, unsafe=unsafe)
    if first.converged and first.parse_error is None:
        assert rules.fix(first.text, env=ENV, unsafe=unsafe).text == first.text
