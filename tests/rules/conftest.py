"""Fixtures for engine tests: throwaway rules registered only for one test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from wikilint.rules import registry
from wikilint.rules.context import Context
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule

RuleFactory = Callable[..., type[Rule]]


@pytest.fixture
def make_rule(monkeypatch: pytest.MonkeyPatch) -> RuleFactory:
    """``make_rule(name, check)`` registers a rule whose ``check(ctx)`` is the given function."""
    registry._load()
    counter = iter(range(900, 999))

    def factory(
        name: str,
        check: Callable[[Rule, Context], Iterator[Finding]],
        severity: Severity = Severity.WARNING,
    ) -> type[Rule]:
        cls = type(
            name.title().replace("-", ""),
            (Rule,),
            {
                "__doc__": "test rule",
                "name": name,
                "code": f"ZZ{next(counter)}",
                "summary": "test rule",
                "severity": severity,
                "fixable": Fixability.SAFE,
                "check": check,
            },
        )
        monkeypatch.setitem(registry._RULES, name, cls)
        monkeypatch.setitem(registry._CODES, cls.code, name)
        return cls

    return factory


def replace_all(rule: Rule, ctx: Context, old: str, new: str) -> Iterator[Finding]:
    """Findings for every ``old`` in the text, each fixed by writing ``new``."""
    start = ctx.text.find(old)
    while start >= 0:
        end = start + len(old)
        yield rule.finding(f"{old} → {new}", start, end, Fix.safe(Edit(start, end, new)))
        start = ctx.text.find(old, end)
