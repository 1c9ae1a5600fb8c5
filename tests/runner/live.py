"""Helpers for live runner tests: the local wiki, its accounts, bot.toml, a hookable gateway.

Live tests run only with ``WIKILINT_LIVE=1`` and then FAIL (not skip) when the wiki is missing.
The wiki is scripts/mediawiki.sh's (``WIKILINT_WIKI_API`` / ``WIKILINT_WIKI_DIR`` select one).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from wikilint.bot.runner import loop as runner
from wikilint.bot.runner.config import BotConfig
from wikilint.bot.runner.gateway import PywikibotGateway
from wikilint.bot.wiki.api import Plan, Rebase, Revision, SaveResult

from tests.runner.conftest import BOT, colour_fix, toml_value
from tests.wiki import mwapi

LIVE = os.environ.get("WIKILINT_LIVE") == "1"
Hook = Callable[[Revision], None]


def require_live() -> str:
    if not LIVE:
        pytest.skip("live runner tests need WIKILINT_LIVE=1 (scripts/mediawiki.sh start)")
    url = mwapi.api_url()
    if not mwapi.reachable(url):
        pytest.fail(f"WIKILINT_LIVE=1 but no wiki answers at {url}: run scripts/mediawiki.sh start")
    if not mwapi.credentials_path().exists():
        pytest.fail(f"WIKILINT_LIVE=1 but there are no credentials at {mwapi.credentials_path()}")
    return url


def title(prefix: str) -> str:
    return f"Wikilint runner test/{prefix}/{uuid.uuid4().hex[:8]}"


class HookedGateway(PywikibotGateway):
    """The real gateway, with a test hook run just before each save (another editor acts)."""

    hook: Hook | None = None

    def save(
        self, base: Revision, plan: Plan, rebase: Rebase | None, *, minor: bool, tags: str | None
    ) -> SaveResult:
        if self.hook is not None:
            self.hook(base)
        return super().save(base, plan, rebase, minor=minor, tags=tags)


def write_config(
    tmp_path: Path, api: str, titles: list[str], shutoff: str, **overrides: dict[str, Any]
) -> Path:
    creds = mwapi.load_credentials()["bot"]
    pw = tmp_path / "passwords"
    pw.write_text(
        f"({creds['user']!r}, BotPassword({creds['botpassword_app']!r}, "
        f"{creds['botpassword']!r}))\n"
    )
    pw.chmod(0o600)
    tables: dict[str, dict[str, Any]] = {
        "wiki": {
            "site": api,
            "user": BOT,
            "password_file": str(pw),
            "summary_prefix": "wikilint",
            "docs_page": "User:WikilintBot/Tests",
        },
        "sources": {"titles": titles},
        "lint": {"select": ["test-colour"]},
        "fixes": {"unsafe": "skip"},
        # page_lint_timeout 0: the test rules are registered in this process only.
        "limits": {
            "edit_throttle": 0,
            "max_retries": 2,
            "retry_wait": 0.1,
            "retry_max": 0.5,
            "page_lint_timeout": 0,
        },
        "safety": {"shutoff_page": shutoff, "cosmetic_check": "render"},
        "state": {"journal": str(tmp_path / "journal.sqlite")},
    }
    for table, values in overrides.items():
        tables.setdefault(table, {}).update(values)
    lines = ['mode = "submit"']
    for table, values in tables.items():
        lines.append(f"[{table}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    path = tmp_path / "bot.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(
    config: Path,
    hook: Hook | None = None,
    report: Path | None = None,
) -> tuple[int, dict[str, Any]]:
    report = report or config.with_name("report.json")

    def factory(c: BotConfig) -> PywikibotGateway:
        gw = HookedGateway.open(c)
        gw.hook = hook
        return gw

    code = runner.execute(
        str(config), str(report), False, gateway_factory=factory, interactive=False
    )
    data = json.loads(report.read_text()) if report.exists() else {}
    return code, data


def history(client: mwapi.ApiClient, page: str) -> list[dict[str, Any]]:
    """Every revision with user, comment and text, oldest first (independent of the bot code)."""
    data = client.get(
        action="query",
        prop="revisions",
        titles=page,
        rvlimit=50,
        rvdir="newer",
        rvprop="ids|user|comment|content",
        rvslots="main",
    )
    return [
        {
            "revid": r["revid"],
            "parentid": r["parentid"],
            "user": r["user"],
            "comment": r.get("comment", ""),
            "text": r["slots"]["main"]["content"],
        }
        for r in data["query"]["pages"][0].get("revisions", [])
    ]


def assert_no_text_lost(
    client: mwapi.ApiClient,
    page: str,
    markers: tuple[str, ...] = (),
    fixer: Callable[[str], str] = colour_fix,
) -> list[dict[str, Any]]:
    """Every wikilint revision is exactly the fix of its parent (so it dropped nothing anyone
    wrote), and every marker another editor added survives. wikilint's revisions are the bot
    account's with a "wikilint:" summary (the same account also makes intervening edits)."""
    revs = history(client, page)
    by_id = {r["revid"]: r for r in revs}
    for rev in revs:
        if (
            rev["user"] == BOT
            and rev["comment"].startswith("wikilint:")
            and rev["parentid"] in by_id
        ):
            parent = by_id[rev["parentid"]]
            assert rev["text"].rstrip() == fixer(parent["text"]).rstrip(), (
                f"bot revision {rev['revid']} of [[{page}]] is not the fix of {parent['revid']}"
            )
    for marker in markers:
        assert marker in revs[-1]["text"], f"{marker!r} was lost from [[{page}]]"
    return revs


def bot_revisions(client: mwapi.ApiClient, page: str) -> list[dict[str, Any]]:
    """wikilint's own revisions of a page."""
    return [
        r
        for r in history(client, page)
        if r["user"] == BOT and r["comment"].startswith("wikilint:")
    ]
