"""A save whose revision is not the change the rules made (the pre-save transform expanded
something, a merge changed it) is its own outcome in ``wikilint run``: recorded as "differs",
its revision read again next time, shown in the report, and never a clean exit."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from wikilint.bot.runner import loop as runner
from wikilint.bot.runner.journal import Journal
from wikilint.bot.wiki.api import SaveResult

from tests.runner.conftest import FakeWiki, base_tables, write_bot_toml

pytestmark = pytest.mark.usefixtures("test_rules")


def saves_something_else(wiki: FakeWiki) -> None:
    """The wiki saves the text with a signature expanded, and says how it differs."""
    real = wiki.save

    def save(base: Any, plan: Any, rebase: Any, *, minor: bool, tags: str | None) -> SaveResult:
        result = real(base, plan, rebase, minor=minor, tags=tags)
        if result.status != "saved":
            return result
        return SaveResult(
            "saved",
            result.title,
            result.revid,
            base=result.base,
            differs="the saved text differs from the text sent from line 1 on",
            warnings=["the saved text differs"],
        )

    wiki.save = save  # type: ignore[method-assign]


def test_a_differing_save_is_its_own_outcome_and_not_clean(
    tmp_path: Path, fake_wiki: FakeWiki
) -> None:
    fake_wiki.add("A", "colour")
    fake_wiki.add("B", "colour")
    saves_something_else(fake_wiki)
    cfg = write_bot_toml(tmp_path / "bot.toml", base_tables(tmp_path, ["A", "B"]))
    code = runner.execute(
        str(cfg),
        str(tmp_path / "report.json"),
        False,
        gateway_factory=lambda c: fake_wiki,
        interactive=False,
    )
    assert code == runner.EXIT_FAILED
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["actions"] == {"differs": 2}
    assert report["saves"]["differs"] == 2
    assert "2 saved revisions are not the change wikilint made" in report["reason"]
    # even --limits-are-success does not make it clean
    fake_wiki.add("A", "colour again")
    assert (
        runner.execute(
            str(cfg),
            None,
            False,
            gateway_factory=lambda c: fake_wiki,
            interactive=False,
            limits_are_success=True,
        )
        == runner.EXIT_FAILED
    )


def test_a_differing_revision_is_read_again_next_run(tmp_path: Path, fake_wiki: FakeWiki) -> None:
    fake_wiki.add("A", "colour")
    saves_something_else(fake_wiki)
    cfg = write_bot_toml(tmp_path / "bot.toml", base_tables(tmp_path, ["A"]))
    runner.execute(str(cfg), None, False, gateway_factory=lambda c: fake_wiki, interactive=False)
    reads = len(fake_wiki.reads)
    runner.execute(str(cfg), None, False, gateway_factory=lambda c: fake_wiki, interactive=False)
    assert len(fake_wiki.reads) > reads  # not marked as processed


def test_a_version_2_journal_takes_the_new_outcome(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO journal_meta VALUES ('schema_version', '2');
        CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL,
            finished TEXT, status TEXT NOT NULL DEFAULT 'running', exit_code INTEGER,
            reason TEXT, site TEXT NOT NULL, fingerprint TEXT NOT NULL,
            dry_run INTEGER NOT NULL DEFAULT 0);
        INSERT INTO runs (started, site, fingerprint) VALUES ('2026-01-01', 'w', 'f');
        CREATE TABLE page_log (id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES runs (id), title TEXT NOT NULL, revid INTEGER,
            action TEXT NOT NULL CHECK (action IN
                ('edited', 'proposed', 'unchanged', 'skipped', 'failed')),
            reason TEXT, findings TEXT NOT NULL, saved_revid INTEGER, proposal_id INTEGER,
            at TEXT NOT NULL);
        INSERT INTO page_log (run_id, title, revid, action, findings, at)
            VALUES (1, 'Old', 3, 'edited', '{}', '2026-01-01');
    """)
    db.commit()
    db.close()
    with Journal(path, "w") as journal:
        with journal.transaction() as tx:
            tx.execute(
                "INSERT INTO page_log (run_id, title, revid, action, findings, at) "
                "VALUES (1, 'New', 4, 'differs', '{}', '2026-01-02')"
            )
        rows = journal.db.execute("SELECT title, action FROM page_log ORDER BY id").fetchall()
    assert [(r["title"], r["action"]) for r in rows] == [("Old", "edited"), ("New", "differs")]
