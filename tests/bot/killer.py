"""A config whose only rule kills the worker process on a marked page (as a segfault would).

Its own small module: spawned scan workers import it to unpickle the config, and should not have
to import pytest and the whole test module for that.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

from wikilint.rules import Config, Context, Finding, Rule, Severity

MARK = "KILL-THE-WORKER"


class KillerRule(Rule):
    """Kills the worker process on a marked page."""

    name = "test-killer"
    code = "XX999"
    summary = "test only"
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterator[Finding]:
        if MARK in ctx.text:
            os._exit(3)
        return iter(())


@dataclasses.dataclass(frozen=True)
class KillerConfig(Config):
    def enabled(self) -> list[Rule]:
        return [KillerRule()]
