"""``decide``: what the bot does with one revision, from its text, protection and the config —
no wiki, no journal, no worker process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from wikilint.bot.change.core import SummaryStyle
from wikilint.bot.change.policy import PagePolicy
from wikilint.bot.change.timelimit import PageTimeout
from wikilint.bot.runner import config as botconfig
from wikilint.bot.runner import decide
from wikilint.bot.wiki.api import Revision

from tests.runner.conftest import BOT, base_tables, write_bot_toml

pytestmark = pytest.mark.usefixtures("test_rules")


def revision(text: str, protection: tuple[str, ...] = ()) -> Revision:
    return Revision(
        "Page", 1, 10, 9, "2026-01-01T00:00:00Z", "Human", text, "2026-01-01T00:00:01Z", protection
    )


def config_for(
    tmp_path: Path, mode: str = "submit", **tables: dict[str, Any]
) -> botconfig.BotConfig:
    return botconfig.load(
        write_bot_toml(tmp_path / "bot.toml", base_tables(tmp_path, ["Page"], **tables), mode=mode)
    )


def env_for(
    config: botconfig.BotConfig, rights: frozenset[str] = frozenset({"edit"})
) -> decide.PageEnv:
    policy = PagePolicy(username=BOT, max_size=config.limits.max_page_size)
    style = SummaryStyle(prefix="wikilint")

    def compute(rev: Revision, unsafe: bool, propose: bool) -> decide.PageChanges:
        return decide.page_changes(rev.text, rev.title, config.lint, policy, style, unsafe, propose)

    return decide.PageEnv(rights, compute)


def test_a_safe_fix_is_saved(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    d = decide.decide(revision("The colour red."), config, env_for(config))
    assert d.action == "save" and d.save is not None and d.propose is None
    assert d.save.proposed == "The color red." and d.findings == {"test-colour": 1}
    assert "test-colour" in d.save.summary


def test_unsafe_fixes_are_proposed_and_the_safe_ones_saved(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    d = decide.decide(revision("colour teh"), config, env_for(config))
    assert d.action == "save" and d.save is not None and d.propose is not None
    assert (d.save.proposed, d.propose.proposed) == ("color teh", "color the")
    assert d.findings == {"test-colour": 1, "test-teh": 1}


def test_only_unsafe_fixes_make_a_proposal(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    d = decide.decide(revision("teh end"), config, env_for(config))
    assert d.action == "propose" and d.save is None
    assert d.propose is not None and d.propose.proposed == "the end"


def test_unsafe_skip_policy_leaves_the_page(tmp_path: Path) -> None:
    config = config_for(tmp_path, fixes={"unsafe": "skip"})
    d = decide.decide(revision("teh end"), config, env_for(config))
    assert (d.action, d.propose, d.findings) == ("unchanged", None, {"test-teh": 1})


def test_propose_mode_never_saves(tmp_path: Path) -> None:
    config = config_for(tmp_path, mode="propose")
    d = decide.decide(revision("The colour red."), config, env_for(config))
    assert d.action == "propose" and d.save is None
    assert d.propose is not None and d.propose.proposed == "The color red."


def test_nothing_to_do(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    assert decide.decide(revision("Fine."), config, env_for(config)) == decide.Decision("unchanged")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{{nobots}} colour", "excluded by {{bots}}/{{nobots}}"),
        ("{{Template:In use}} colour", "tagged {{in use}}/{{under construction}}"),
    ],
)
def test_the_page_policy_skips(tmp_path: Path, text: str, reason: str) -> None:
    config = config_for(tmp_path)
    d = decide.decide(revision(text), config, env_for(config))
    assert (d.action, d.save, d.propose) == ("skip", None, None)
    assert d.reason is not None and reason in d.reason


def test_a_whitespace_only_change_is_skipped(tmp_path: Path) -> None:
    config = config_for(tmp_path, lint={"select": ["test-spaces"]})
    d = decide.decide(revision("a  b"), config, env_for(config))
    assert (d.action, d.reason) == ("skip", "cosmetic only: whitespace")


def test_protection_the_account_cannot_edit_is_a_skip_before_any_lint(tmp_path: Path) -> None:
    config = config_for(tmp_path)

    def no_lint(rev: Revision, unsafe: bool, propose: bool) -> decide.PageChanges:
        raise AssertionError("a protected page is not linted")

    d = decide.decide(
        revision("colour", ("autoconfirmed", "sysop")),
        config,
        decide.PageEnv(frozenset({"edit", "editsemiprotected"}), no_lint),
    )
    assert d == decide.Decision(
        "skip", "the page is protected (edit: sysop)", protection="autoconfirmed,sysop"
    )
    allowed = decide.decide(
        revision("colour", ("sysop",)),
        config,
        env_for(config, frozenset({"edit", "editprotected"})),
    )
    assert allowed.action == "save"


def test_a_page_over_the_lint_time_limit_is_a_skip(tmp_path: Path) -> None:
    def slow(rev: Revision, unsafe: bool, propose: bool) -> decide.PageChanges:
        raise PageTimeout(30)

    d = decide.decide(revision("colour"), config_for(tmp_path), decide.PageEnv(frozenset(), slow))
    assert d.action == "skip" and d.reason is not None
    assert d.reason.startswith("lint time limit")
