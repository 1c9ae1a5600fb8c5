"""A lint config whose one rule takes a minute on a marked page (as a page that makes the
parser quadratic would), and marks a safe fix elsewhere.

Its own small module: the run's lint worker imports it to unpickle the config (rules registered
by a test's monkeypatch exist only in the test's own process).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

from wikilint.rules import Config, Context, Finding, Rule, Severity
from wikilint.rules.model import Edit, Fix

MARK = "SLOW-TO-LINT"


class SlowRule(Rule):
    """Sleeps a minute on a marked page; elsewhere fixes "colour" safely."""

    name = "test-slow"
    code = "XX998"
    summary = "test only"
    severity = Severity.WARNING

    def check(self, ctx: Context) -> Iterator[Finding]:
        if MARK in ctx.text:
            time.sleep(60)
        start = ctx.text.find("colour")
        if start >= 0:
            yield self.finding("colour", start, start + 6, Fix.safe(Edit(start, start + 6,
                                                                          "color")))


@dataclasses.dataclass(frozen=True)
class SlowConfig(Config):
    def enabled(self) -> list[Rule]:
        return [SlowRule()]
