"""Loading rule cases from ``tests/rules/cases/*.toml`` (sqlfluff-style rule tests as data).

A case file holds ``[[case]]`` tables::

    [[case]]
    name = "two identical notes"
    input = '''text'''
    findings = ["1:20 duplicate-efn"]   # "line:col rule", in any order
    output = '''fixed text'''           # optional: absent means the fix changes nothing
    remaining = []                      # optional: findings left after the fix
    options = { key = "value" }         # optional: options of the file's rule
    select = ["rule", "other-rule"]     # optional: rules enabled (default: the file's rule)
    section = "Heading"                 # optional: lint one section
    unsafe = true                       # optional: apply unsafe fixes too
    titles = { "http://x" = "Title" }   # optional: fetched titles handed to the rules
    today = "2026-11-27"                # optional: the date rules see as today
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).parent / "cases"
CASE_KEYS = {
    "name",
    "input",
    "findings",
    "output",
    "remaining",
    "options",
    "select",
    "section",
    "unsafe",
    "titles",
    "today",
}


@dataclass(frozen=True)
class RuleCase:
    file: str
    rule: str  # the file's rule (or "combined")
    name: str
    input: str
    findings: list[str]
    output: str | None = None
    remaining: list[str] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    select: list[str] | None = None
    section: str | int | None = None
    unsafe: bool = False
    titles: dict[str, str] = field(default_factory=dict)
    today: dt.date = dt.date(2026, 11, 27)

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


def load_cases(directory: Path = CASES_DIR) -> list[RuleCase]:
    cases = []
    for path in sorted(directory.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        rule = data.get("rule", path.stem)
        for raw in data.get("case", []):
            unknown = set(raw) - CASE_KEYS
            if unknown:
                raise ValueError(f"{path.name}: case {raw.get('name')!r}: unknown keys {unknown}")
            today = raw.get("today")
            cases.append(
                RuleCase(
                    file=path.name,
                    rule=rule,
                    name=raw["name"],
                    input=raw["input"],
                    findings=list(raw.get("findings", [])),
                    output=raw.get("output"),
                    remaining=raw.get("remaining"),
                    options=dict(raw.get("options", {})),
                    select=raw.get("select"),
                    section=raw.get("section"),
                    unsafe=bool(raw.get("unsafe", False)),
                    titles=dict(raw.get("titles", {})),
                    today=dt.date.fromisoformat(today) if today else dt.date(2026, 11, 27),
                )
            )
    return cases
