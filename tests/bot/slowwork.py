"""Calls for the lint-worker tests: module-level, so the worker process can unpickle them.

Its own small module (like ``killer.py``): the worker imports it to run them, and should not have
to import pytest and the test modules for that.
"""

from __future__ import annotations

import os
import time


def echo(value: object) -> object:
    return value


def pid() -> int:
    return os.getpid()


def sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke up"


def parse_unclosed_templates(count: int) -> int:
    """mwparserfromhell's C tokenizer on ``{{a|`` × count: quadratic, and it keeps the GIL."""
    import mwparserfromhell

    return len(mwparserfromhell.parse("{{a|" * count).nodes)


def fail() -> None:
    raise ValueError("a page-specific error")


def die() -> None:
    os._exit(3)


def ask_twice(question: str) -> list[object]:
    """Asks the caller two questions, then sleeps a little (work that counts)."""
    from wikilint.bot.change.timelimit import ask

    answers = [ask(question), ask(question + "?")]
    time.sleep(0.2)
    return answers


class Unrebuildable(Exception):
    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"{a} and {b}")


def fail_oddly() -> None:
    raise Unrebuildable(1, 2)


def no_such_section() -> None:
    from wikilint.rules import Document

    Document.parse("== A ==\nx\n").find_section("B")


def imported(module: str) -> bool:
    import sys

    return module in sys.modules
