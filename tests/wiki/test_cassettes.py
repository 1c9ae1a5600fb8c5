"""The main wiki flows replayed from cassettes recorded on the local MediaWiki (no wiki needed).

Re-record with the wiki running: ``WIKILINT_RECORD=1 pytest tests/wiki/test_cassettes.py``.
While recording, the other actors (human, sysop) talk to the wiki as ``localhost``, which the
cassettes ignore; on replay their actions are skipped, and the bot sees the recorded answers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from wikilint import rules
from wikilint.bot.change.store import Store
from wikilint.bot.cli.wiki_commands import register
from wikilint.bot.wiki import api as wiki

from tests.wiki import mwapi
from tests.wiki.conftest import CASSETTES, RECORD, fresh_site
from tests.wiki.helpers import sample_page
from tests.wiki.scrub import DUMMY_PASSWORD, find_secrets

SECTION = "Civil War (1918–1920)"
# Changed lines need unchanged lines between them, or diff3 calls it a conflict.
SMALL = (
    "Intro [http://www.marxists.org/a A].\n\nFiller one.\n\nMiddle.\n\nFiller two.\n\n"
    "End [http://www.marxists.org/b B].\n"
)


def actor(who: str) -> mwapi.ApiClient | None:
    """The human or the sysop while recording; None on replay (their edits are in the wiki's
    recorded answers already)."""
    return mwapi.ApiClient.for_account(who, mwapi.side_channel_url()) if RECORD else None


def fresh_page(title: str, text: str) -> None:
    """While recording: the page with exactly one revision, whatever earlier recordings did."""
    if not RECORD:
        return
    sysop, human = actor("sysop"), actor("human")
    assert sysop is not None and human is not None
    sysop.delete(title)
    human.edit(title, text, createonly=True)


def fixer(text: str) -> str:
    return text.replace("http://www.marxists.org", "https://www.marxists.org")


def plan_for(rev: wiki.Revision) -> wiki.Plan | None:
    return wiki.Plan(fixer(rev.text), "wikilint test: links to https")


def run_cli(args: list[str]) -> Any:
    group = click.Group("wikilint")
    register(group)
    res = CliRunner().invoke(group, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res


def test_propose_review_submit_section(cassette: Callable[[str], Any], tmp_path: Path) -> None:
    title = "Wikilint cassette/Submit section"
    fresh_page(title, sample_page())
    state = str(tmp_path / "state.sqlite")
    with cassette("propose_review_submit_section"):
        fresh_site()
        res = run_cli(
            [
                "propose",
                "--page",
                title,
                "--section",
                SECTION,
                "--select",
                "insecure-link",
                "--state",
                state,
                "--no-color",
            ]
        )
        assert "proposal #1" in res.output
        run_cli(["review", "--accept-all", "--state", state])
        res = run_cli(["submit", "--all", "--state", state])
    assert "saved revision" in res.output
    with Store(state) as store:
        p = store.get(1)
    assert p.status == "submitted" and p.reason is None and p.saved_revid
    assert p.summary == f"/* {SECTION} */ wikilint: 5 links to https"


def test_lint_and_fix_page_read_only(cassette: Callable[[str], Any]) -> None:
    title = "Wikilint cassette/Read only"
    fresh_page(title, sample_page())
    with cassette("fetch_page"):
        site = fresh_site()
        rev = wiki.fetch(site, title)
    assert rev.text.rstrip() == sample_page().rstrip()
    result = rules.lint(rev.text, config=rules.Config(select=("insecure-link",)), section=SECTION)
    assert len(result.findings) == 5


def test_human_edit_same_line_is_reapplied(cassette: Callable[[str], Any]) -> None:
    title = "Wikilint cassette/Conflict same line"
    fresh_page(title, SMALL)
    with cassette("conflict_same_line"):
        site = fresh_site()
        base = wiki.fetch(site, title)
        human = actor("human")
        if human is not None:
            human.edit(title, SMALL.replace("Intro", "HUMAN intro"))
        result = wiki.safe_save(site, base, plan_for(base) or wiki.Plan("", ""), plan_for)
    assert result.status == "saved" and result.base is not None
    assert "HUMAN intro" in result.base.text  # re-applied on the human's revision


def test_human_edit_other_line_is_merged(cassette: Callable[[str], Any]) -> None:
    title = "Wikilint cassette/Conflict other line"
    fresh_page(title, SMALL)
    with cassette("conflict_other_line"):
        site = fresh_site()
        base = wiki.fetch(site, title)
        human = actor("human")
        if human is not None:
            human.edit(title, SMALL.replace("Middle", "HUMAN middle"))
        result = wiki.safe_save(site, base, plan_for(base) or wiki.Plan("", ""), plan_for)
    assert result.status == "saved" and result.merged and not result.warnings


def test_page_deleted_mid_run(cassette: Callable[[str], Any]) -> None:
    title = "Wikilint cassette/Deleted"
    fresh_page(title, SMALL)
    with cassette("deleted_mid_run"):
        site = fresh_site()
        base = wiki.fetch(site, title)
        sysop = actor("sysop")
        if sysop is not None:
            sysop.delete(title)
        result = wiki.safe_save(site, base, plan_for(base) or wiki.Plan("", ""), plan_for)
    assert result.status == "skipped" and "deleted" in result.reason


def test_no_secrets_in_cassettes() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert files, "no cassettes recorded"
    secrets = [DUMMY_PASSWORD]
    if RECORD or mwapi.credentials_path().exists():
        try:
            creds = mwapi.load_credentials()
            secrets += [
                creds[who][k]
                for who in ("bot", "human", "sysop")
                for k in ("botpassword", "password")
                if k in creds[who]
            ]
        except (OSError, ValueError, KeyError):
            pass
    for path in files:
        hits = find_secrets(path.read_text(), secrets)
        assert not hits, f"{path.name} leaks: {hits}"


@pytest.mark.parametrize("path", sorted(CASSETTES.glob("*.yaml")), ids=lambda p: p.name)
def test_cassette_has_no_session_cookie(path: Path) -> None:
    text = path.read_text().lower()
    assert "set-cookie" not in text and "_session" not in text
