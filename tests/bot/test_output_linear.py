"""Output costs a bounded amount per finding: no scan of every section, no search across a
whole one-line page (counted, never timed; bench/scaling.py measures)."""

from __future__ import annotations

import gc

import pytest
from wikilint import rules
from wikilint.bot.files import output


class _CountingList(list):  # type: ignore[type-arg]
    iterations = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        _CountingList.iterations += 1
        return super().__iter__()


def test_locate_does_not_scan_every_section_for_each_finding() -> None:
    text = "".join(f"== S{i} ==\nText <ref>http://example.org/{i}</ref>.\n" for i in range(300))
    result = rules.lint(text, rules.Config(select=["bare-url"]))
    assert result.doc is not None and len(result.findings) == 300
    result.doc.__dict__["sections"] = _CountingList(result.doc.sections)
    _CountingList.iterations = 0
    located = output.locate("p", result)
    assert [loc.section for loc in located] == [f"S{i}" for i in range(300)]
    assert _CountingList.iterations <= 2


class _CountingText(str):
    scanned = 0

    def _count(self, start: int | None, end: int | None) -> None:
        lo = 0 if start is None else start
        hi = len(self) if end is None else end
        _CountingText.scanned += max(0, hi - lo)

    def find(self, sub: str, start: int | None = None, end: int | None = None) -> int:  # type: ignore[override]
        self._count(start, end)
        return str.find(self, sub, start, end)

    def rfind(self, sub: str, start: int | None = None, end: int | None = None) -> int:  # type: ignore[override]
        self._count(start, end)
        return str.rfind(self, sub, start, end)


def test_an_excerpt_on_a_one_line_page_reads_only_its_window() -> None:
    plain = "word " * 200_000 + "http://example.org/x " + "word " * 200_000
    text = _CountingText(plain)
    start = plain.index("http://")
    lines = output.excerpt(text, start, start + 20)
    assert lines[0].startswith("    …word") and lines[0].endswith("word…")
    assert _CountingText.scanned <= 4 * (output.EXCERPT_CONTEXT + output.EXCERPT_SPAN)


def test_locate_holds_the_garbage_collector_like_the_lint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A page's tree is millions of objects; the collector rescanning them while tens of
    # thousands of findings are located made locate grow faster than the page.
    text = "Text <ref>http://example.org/a</ref>.\n"
    result = rules.lint(text, rules.Config(select=["bare-url"]))
    seen: list[bool] = []
    code_of = output.rule_code

    def recording_rule_code(name: str) -> str:
        seen.append(gc.isenabled())
        return code_of(name)

    monkeypatch.setattr(output, "rule_code", recording_rule_code)
    assert gc.isenabled()
    output.locate("p", result)
    assert seen == [False] and gc.isenabled()
