"""``wikilint propose --lint-timeout``: a page over the limit is skipped with a warning, the next
page is proposed (the lint runs in a worker process killed at the limit)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from wikilint.bot.change.store import Store
from wikilint.bot.cli import wiki_commands
from wikilint.bot.cli.main import main as cli
from wikilint.bot.wiki import api as wiki

from tests.bot.killer import SLOW, KillerConfig

pytestmark = pytest.mark.slow  # worker processes killed at a time limit

PAGES = {"Slow": f"{SLOW} colour", "Fast": "colour"}


class _Site:
    def username(self) -> str:
        return "WikilintBot"


def _revision(site: Any, title: str) -> wiki.Revision:
    return wiki.Revision(
        title,
        1,
        10 + len(title),
        0,
        "2026-01-01T00:00:00Z",
        "Human",
        PAGES[title],
        "2026-01-01T00:00:01Z",
    )


@pytest.fixture
def offline_wiki(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wiki_commands, "open_site", lambda site: _Site())
    monkeypatch.setattr(wiki, "site_name", lambda site: "fake:fake")
    monkeypatch.setattr(wiki, "fetch", _revision)
    monkeypatch.setattr(wiki_commands, "load_config", lambda path, select=(): KillerConfig())


@pytest.mark.usefixtures("offline_wiki")
def test_a_page_over_the_limit_is_skipped_and_the_next_one_proposed(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    started = time.monotonic()
    res = CliRunner().invoke(
        cli,
        [
            "propose",
            "--page",
            "Slow",
            "--page",
            "Fast",
            "--lint-timeout",
            "5",
            "--state",
            str(state),
            "--no-color",
        ],
    )
    assert time.monotonic() - started < 40  # the slow page alone: 60 s
    assert res.exit_code == 0, res.output
    assert "skipped [[Slow]]: lint time limit: linting took more than 5s" in res.output
    with Store(state) as store:
        assert [(p.page, p.proposed) for p in store.list("pending")] == [("Fast", "color")]


def test_the_option_is_documented_with_its_default() -> None:
    res = CliRunner().invoke(cli, ["propose", "--help"])
    assert "--lint-timeout" in res.output and "30" in res.output
