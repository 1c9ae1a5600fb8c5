"""Runner fixtures: throwaway fixable rules, a fake wiki gateway, and bot.toml files.

The fake implements ``bot.botsite.WikiGateway`` with an in-memory page history, so the runner's
flow (skips, guards, limits, journal, resume) is tested offline in milliseconds. The same flows
run against the real MediaWiki in ``test_live.py`` and through the fault proxy.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from wikilint.bot.runner.safety import GuardState
from wikilint.bot.wiki.api import Plan, Rebase, Revision, SaveResult, same_saved_text
from wikilint.bot.wiki.sources import Unreadable
from wikilint.rules import registry
from wikilint.rules.context import Context
from wikilint.rules.model import Edit, Finding, Fix, Fixability, Severity
from wikilint.rules.registry import Rule

from tests.wiki import mwapi

BOT = "WikilintBot"


def _pywikibot_dir() -> None:
    """pywikibot reads PYWIKIBOT_DIR once, at import: give it a private one unless another
    conftest (tests/wiki) already did. The runner sets everything else at run time (site URL,
    user, password file, retries), so either directory works for these tests."""
    if os.environ.get("PYWIKIBOT_DIR"):
        return
    path = Path(tempfile.mkdtemp(prefix="wikilint-runner-pwb-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    (path / "user-config.py").write_text(
        "family = 'wikipedia'\nmylang = 'test'\nsolve_captcha = False\n"
        "max_retries = 1\nretry_wait = 0\nretry_max = 1\nput_throttle = 0\n"
        "socket_timeout = (3, 30)\nAPI_config_expiry = 0\n"
    )
    os.environ["PYWIKIBOT_DIR"] = str(path)
    os.environ.pop("PYWIKIBOT_NO_USER_CONFIG", None)


_pywikibot_dir()
RULES = ["test-colour", "test-teh", "test-spaces"]


def _replacer(old: str, new: str, safe: bool) -> Callable[[Rule, Context], Iterator[Finding]]:
    def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
        for m in re.finditer(re.escape(old), ctx.text):
            edit = Edit(m.start(), m.end(), new)
            fix = Fix.safe(edit) if safe else Fix.unsafe(edit)
            yield rule.finding(f"{old!r} → {new!r}", m.start(), m.end(), fix)

    return check


def register_test_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """test-colour (safe: colour→color), test-teh (unsafe: teh→the), test-spaces (safe,
    whitespace only: two spaces → one)."""
    registry._load()
    specs = [
        ("test-colour", "ZZ951", "colour", "color", True),
        ("test-teh", "ZZ952", "teh", "the", False),
        ("test-spaces", "ZZ953", "  ", " ", True),
    ]
    for name, code, old, new, safe in specs:
        cls = type(
            name.title().replace("-", ""),
            (Rule,),
            {
                "__doc__": "test rule",
                "name": name,
                "code": code,
                "summary": "test rule",
                "severity": Severity.WARNING,
                "fixable": Fixability.SAFE if safe else Fixability.UNSAFE,
                "check": _replacer(old, new, safe),
            },
        )
        monkeypatch.setitem(registry._RULES, name, cls)
        monkeypatch.setitem(registry._CODES, code, name)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """``execute`` configures the "wikilint" logger for a real run: undo it after each test so
    later tests (caplog) see the logger as they expect."""
    import logging

    logger = logging.getLogger("wikilint")
    saved = (list(logger.handlers), logger.propagate, logger.level)
    yield
    logger.handlers[:] = saved[0]
    logger.propagate, logger.level = saved[1], saved[2]


@pytest.fixture
def test_rules(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    register_test_rules(monkeypatch)
    return RULES


def colour_fix(text: str) -> str:
    """What the bot's safe fixes do to a text (for "no text lost" checks)."""
    return text.replace("colour", "color")


@dataclass
class FakeWiki:
    """An in-memory wiki behind the ``WikiGateway`` interface."""

    site_name: str = "fake:fake"
    username: str = BOT
    pages: dict[str, list[Revision]] = field(default_factory=dict)
    shutoff_text: str | None = "run"
    new_messages: bool = False
    render_same: bool = False
    redirects: set[str] = field(default_factory=set)
    reads: list[str] = field(default_factory=list)
    saves: list[tuple[str, Plan]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    before_save: Callable[[FakeWiki, Revision, Plan], None] | None = None
    login_error: Exception | None = None
    rights: frozenset[str] = frozenset({"edit", "editsemiprotected"})
    protection: dict[str, tuple[str, ...]] = field(default_factory=dict)  # title → levels
    _revid: int = 100

    def add(self, title: str, text: str, user: str = "Human") -> Revision:
        self._revid += 1
        history = self.pages.setdefault(title, [])
        rev = Revision(
            title,
            1,
            self._revid,
            history[-1].revid if history else 0,
            f"2024-01-01T00:00:{self._revid % 60:02d}Z",
            user,
            text,
            "2024-01-01T00:00:00Z",
        )
        history.append(rev)
        return rev

    def text(self, title: str) -> str:
        return self.pages[title][-1].text

    def login(self) -> None:
        if self.login_error:
            raise self.login_error

    def revisions(
        self,
        sources: Any,
        skip: Callable[[str, int, tuple[str, ...]], bool],
        rc_since: str | None,
        rc_seen: Callable[[str], None],
    ) -> Iterator[Revision | Unreadable]:
        for title in dict.fromkeys(sources.titles):
            if title not in self.pages:
                yield Unreadable(title, None, "the page does not exist")
                continue
            rev = replace(self.pages[title][-1], protection=self.protection.get(title, ()))
            if skip(title, rev.revid, rev.protection):
                continue
            self.reads.append(title)
            yield rev

    def guard_state(self, shutoff_page: str | None) -> GuardState:
        return GuardState(self.shutoff_text, self.new_messages)

    def renders_same(self, title: str, old: str, new: str) -> bool:
        return self.render_same

    def latest(self, title: str) -> Revision | None:
        return self.pages[title][-1] if title in self.pages else None

    def in_use_names(self, templates: tuple[str, ...]) -> set[str]:
        return set(templates) | self.redirects

    def save(
        self, base: Revision, plan: Plan, rebase: Rebase | None, *, minor: bool, tags: str | None
    ) -> SaveResult:
        if self.before_save:
            self.before_save(self, base, plan)
        latest = self.pages[base.title][-1]
        if latest.revid != base.revid:
            new_plan = rebase(latest) if rebase else None
            if new_plan is None:
                return SaveResult("skipped", base.title, reason="edit conflict")
            base, plan = latest, new_plan
        if same_saved_text(plan.text, base.text):
            return SaveResult("nochange", base.title, base=base)
        self.saves.append((base.title, plan))
        rev = self.add(base.title, plan.text, user=self.username)
        return SaveResult("saved", base.title, rev.revid, base=base)

    def api_events(self) -> list[str]:
        events, self.events = self.events, []
        return events


@pytest.fixture
def fake_wiki() -> FakeWiki:
    return FakeWiki()


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def write_bot_toml(path: Path, tables: dict[str, dict[str, Any]], mode: str = "submit") -> Path:
    """A bot.toml from ``{"table": {"key": value}}`` (values rendered as TOML)."""
    lines = [f'mode = "{mode}"']
    for table, values in tables.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def base_tables(tmp_path: Path, titles: list[str], **overrides: dict[str, Any]) -> dict:
    tables: dict[str, dict[str, Any]] = {
        "wiki": {"summary_prefix": "wikilint", "docs_page": "User:WikilintBot/Task 1"},
        "sources": {"titles": titles},
        "lint": {"select": ["test-colour", "test-teh"]},
        # The test rules are registered in this process only: lint here, not in the worker.
        "limits": {"edit_throttle": 0, "page_lint_timeout": 0},
        "safety": {"shutoff_page": "User:WikilintBot/Shutoff", "cosmetic_check": "render"},
        "state": {
            "journal": str(tmp_path / "journal.sqlite"),
            "proposals": str(tmp_path / "proposals.sqlite"),
        },
    }
    for table, values in overrides.items():
        tables.setdefault(table, {}).update(values)
    return tables


# -- live wiki accounts (used only by live tests; fixtures are created on first use) ---------


@pytest.fixture(scope="module")
def api() -> str:
    from tests.runner.live import require_live  # live.py imports this module

    return require_live()


@pytest.fixture(scope="module")
def sysop(api: str) -> mwapi.ApiClient:
    return mwapi.ApiClient.for_account("sysop")


@pytest.fixture(scope="module")
def admin(api: str) -> mwapi.ApiClient:
    """The sysop with its main password: its bot password has no "block" grant."""
    creds = mwapi.load_credentials()["sysop"]
    return mwapi.ApiClient(creds["user"], creds["password"])


@pytest.fixture(scope="module")
def human(api: str) -> mwapi.ApiClient:
    return mwapi.ApiClient.for_account("human")


@pytest.fixture(scope="module")
def bot_client(api: str) -> mwapi.ApiClient:
    return mwapi.ApiClient.for_account("bot")
