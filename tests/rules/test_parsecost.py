"""Pages that would keep mwparserfromhell's tokenizer busy for minutes are refused at once
with a parse-error finding; real articles never are."""

from __future__ import annotations

from pathlib import Path

import pytest
from wikilint import rules
from wikilint.rules import builder
from wikilint.rules.parsecost import MIN_UNCLOSED, too_slow_to_parse

from tests.paths import CORPUS, EDIT_FORM, SAMPLE

SLOW_PAGES = {
    # measured on today's main: 6.8 s to 37 s each
    "unclosed templates": "{{a|" * 4_000,
    "5,000 unclosed templates in 20 KB": "{{a|" * 5_000,
    "unclosed templates after stray closers": "}}" * 6_000 + "{{a|" * 4_000,
    "unclosed external links on one line": "[http://a.example x " * 4_000,
    "unclosed tables": "{|\n|x\n" * 4_000,
    "unclosed refs": "<ref>x " * 4_000,
    "unclosed divs": "<div>x " * 4_000,
}


@pytest.mark.parametrize("text", SLOW_PAGES.values(), ids=SLOW_PAGES.keys())
def test_a_page_the_parser_would_be_slow_on_fails_fast(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def tokenizer_must_not_run(*args: object) -> None:
        raise AssertionError("the page reached the tokenizer")

    monkeypatch.setattr(builder, "parse", tokenizer_must_not_run)
    result = rules.lint(text)
    assert [f.rule for f in result.findings] == ["parse-error"]
    message = result.findings[0].message
    assert "unclosed" in message and "would make the parser take" in message
    assert result.doc is None


@pytest.mark.corpus
@pytest.mark.parametrize("path", [SAMPLE, EDIT_FORM, *CORPUS], ids=lambda p: p.name)
def test_real_articles_are_never_refused(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert too_slow_to_parse(text) is None
    assert too_slow_to_parse("\n\n".join([text] * 8)) is None  # nor eight of them in a row
    assert too_slow_to_parse(" ".join(text.split("\n"))) is None  # nor on one line


def test_a_few_unclosed_openers_are_parsed_as_usual() -> None:
    text = "x " * 50_000 + "{{a|" * (MIN_UNCLOSED - 1)
    assert too_slow_to_parse(text) is None
    assert rules.lint(text).doc is not None


def test_a_huge_line_that_starts_like_a_heading_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    # A one-line page of 1.2 MB that starts with "==": on today's main the tokenizer crashes
    # the process (segmentation fault) after seconds; 0.8 MB took 5.6 s.
    text = "== H " + "''x'' a == b " * 100_000
    monkeypatch.setattr(builder, "parse", lambda *args: pytest.fail("reached the tokenizer"))
    [finding] = rules.lint(text).findings
    assert finding.rule == "parse-error"
    assert "starts with '='" in finding.message and "break it into lines" in finding.message
    # The same text with its heading on a line of its own is parsed as usual.
    assert too_slow_to_parse("== H ==\n" + "''x'' a == b\n" * 100_000) is None
