"""A config whose only rule kills the worker process on a marked page (as a segfault would), or
takes a minute on another (as a page that makes the parser quadratic would).

Its own small module: worker processes import it to unpickle the config (rules registered by a
test's monkeypatch exist only in the test's own process), and should not have to import pytest
and the whole test module for that.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator

from wikilint.rules import Config, Context, Finding, Rule, Severity
from wikilint.rules.model import Edit, Fix

MARK = "KILL-THE-WORKER"
SLOW = "SLOW-TO-LINT"


class KillerRule(Rule):
    """Kills the worker process on a page marked MARK, sleeps a minute on one marked SLOW;
    elsewhere fixes "colour" safely."""

    name = "test-killer"
    code = "XX999"
    summary = "test only"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        if MARK in ctx.text:
            os._exit(3)
        if SLOW in ctx.text:
            time.sleep(60)
        start = ctx.text.find("colour")
        if start >= 0:
            yield self.finding(
                "colour", start, start + 6, Fix.safe(Edit(start, start + 6, "color"))
            )


@dataclasses.dataclass(frozen=True)
class KillerConfig(Config):
    def enabled(self) -> list[Rule]:
        return [KillerRule()]
