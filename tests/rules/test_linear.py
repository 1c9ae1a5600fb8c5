"""Work that must grow linearly with the page: counted operations, never wall time (speed
targets are in bench/scaling.py)."""

from __future__ import annotations

import pytest
from wikilint import rules
from wikilint.rules import references


class _CountingStr(str):
    comparisons = 0

    def __eq__(self, other: object) -> bool:
        _CountingStr.comparisons += 1
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        _CountingStr.comparisons += 1
        return str.__ne__(self, other)

    __hash__ = str.__hash__


@pytest.mark.parametrize("count", [100, 400])
def test_repeated_source_compares_each_ref_a_bounded_number_of_times(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    normalize = references.normalize_content
    monkeypatch.setattr(references, "normalize_content", lambda text: _CountingStr(normalize(text)))
    _CountingStr.comparisons = 0
    same = "A.<ref>{{cite web |url=https://example.org/a |title=T}}</ref>\n" * count
    other = "B.<ref>{{cite web |url=https://example.org/a |title=U}}</ref>\n"
    result = rules.lint(same + other, rules.Config(select=["repeated-source"]))
    assert [f.rule for f in result.findings] == ["repeated-source"]  # only the one that differs
    assert _CountingStr.comparisons <= 10 * (count + 1)
