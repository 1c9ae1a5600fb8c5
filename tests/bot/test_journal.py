"""The journal: atomic page records, resumability, cursors, and the run lock."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from wikilint.bot.runner.journal import Journal, LockHeld, PageRecord, RunLock

FP = "fingerprint1"


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    with Journal(tmp_path / "j.sqlite", "fam:code") as j:
        yield j


def test_records_and_summary(journal: Journal) -> None:
    run = journal.start_run(FP)
    journal.record(run, FP, PageRecord("A", 10, "edited", findings={"r1": 2}, saved_revid=11))
    journal.record(run, FP, PageRecord("B", 20, "skipped", "excluded", {"r1": 1, "r2": 1}))
    journal.record(run, FP, PageRecord("C", 30, "failed", "boom", final=False))
    journal.finish_run(run, "completed", 0)
    s = journal.summary(run)
    assert s.status == "completed" and s.pages == 3
    assert s.actions == {"edited": 1, "skipped": 1, "failed": 1}
    assert s.findings == {"r1": 3, "r2": 1}
    assert s.skip_reasons == {"excluded": 1, "boom": 1}
    assert json.loads(journal.page_log(run)[0]["findings"]) == {"r1": 2}


def test_processed_revisions(journal: Journal) -> None:
    run = journal.start_run(FP)
    journal.record(run, FP, PageRecord("A", 10, "edited", saved_revid=11))
    journal.record(run, FP, PageRecord("B", 20, "unchanged"))
    journal.record(run, FP, PageRecord("C", 30, "skipped", "conflict", final=False))
    assert journal.already_processed("A", 11, FP)  # our own save is the processed revision
    assert not journal.already_processed("A", 10, FP)
    assert journal.already_processed("B", 20, FP)
    assert not journal.already_processed("B", 21, FP)  # a newer revision
    assert not journal.already_processed("B", 20, "other-rules")
    assert not journal.already_processed("C", 30, FP)  # transient outcome: try again


def test_sites_are_separate(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite", "a:a") as ja, Journal(tmp_path / "j.sqlite", "b:b") as jb:
        run = ja.start_run(FP)
        ja.record(run, FP, PageRecord("A", 10, "unchanged"))
        ja.set_cursor("recentchanges", "2024-01-01T00:00:00Z")
        assert not jb.already_processed("A", 10, FP)
        assert jb.cursor("recentchanges") is None
        assert ja.cursor("recentchanges") == "2024-01-01T00:00:00Z"


def test_pending_save_survives_until_recorded(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path, "s") as j:
        run = j.start_run(FP)
        j.begin_save(run, "A", 10)
    with Journal(path, "s") as j:  # the process died; a new one opens the journal
        assert j.unfinished_saves() == [("A", 10)]
        run2 = j.start_run(FP)
        assert j.db.execute("SELECT status FROM runs WHERE id=?", (run,)).fetchone()[0] == "crashed"
        j.record(run2, FP, PageRecord("A", 12, "unchanged"))
        assert j.unfinished_saves() == []


def test_record_is_atomic(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    run = journal.start_run(FP)
    journal.begin_save(run, "A", 10)
    with pytest.raises(TypeError):
        # A failure inside the transaction (an unserialisable value) must roll back all of it.
        journal.record(run, FP, PageRecord("A", 10, "edited", findings={"r": object()}))
    assert journal.page_log(run) == []
    assert journal.unfinished_saves() == [("A", 10)]
    assert not journal.already_processed("A", 10, FP)


KILL_SCRIPT = """
import sys, os, signal
from wikilint.bot.runner.journal import Journal, PageRecord
j = Journal(sys.argv[1], "s")
run = j.start_run("fp")
for i in range(1000):
    j.record(run, "fp", PageRecord(f"P{i}", i + 1, "unchanged"))
    if i == 50:
        os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_kill_9_leaves_whole_records(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(path)],
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert proc.returncode == -9
    with Journal(path, "s") as j:
        rows = j.page_log()
        assert len(rows) == 51
        assert all(j.already_processed(r["title"], r["revid"], "fp") for r in rows)
        assert j.run_status(1) == "running"
        j.start_run("fp")
        assert j.run_status(1) == "crashed"


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    path = tmp_path / "j.lock"
    with RunLock(path):
        assert path.read_text().strip().isdigit()
        with pytest.raises(LockHeld, match="another run holds"):
            RunLock(path).acquire()
    with RunLock(path):
        pass


LOCK_SCRIPT = """
import sys, time
from wikilint.bot.runner.journal import RunLock
lock = RunLock(sys.argv[1]); lock.acquire()
print("locked", flush=True)
time.sleep(30)
"""


def test_lock_held_by_another_process_and_freed_when_it_dies(tmp_path: Path) -> None:
    path = tmp_path / "j.lock"
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCK_SCRIPT, str(path)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(LockHeld, match=str(proc.pid)):
            RunLock(path).acquire()
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 5
    while True:
        try:
            RunLock(path).acquire()
            break
        except LockHeld:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path, "s") as j:
        j.db.execute("UPDATE journal_meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(Exception, match="upgrade wikilint"):
        Journal(path, "s")


def test_an_outcome_tied_to_protection_holds_only_at_that_protection(journal: Journal) -> None:
    run = journal.start_run(FP)
    journal.record(run, FP, PageRecord("P", 10, "skipped", "protected", protection="sysop"))
    journal.record(run, FP, PageRecord("Q", 20, "unchanged"))
    assert journal.already_processed("P", 10, FP, "sysop")
    assert not journal.already_processed("P", 10, FP, "")  # unprotected since
    assert not journal.already_processed("P", 10, FP, "autoconfirmed,sysop")
    assert not journal.already_processed("P", 11, FP, "sysop")  # a new revision
    # An outcome that never depended on protection holds whatever the protection.
    assert journal.already_processed("Q", 20, FP, "sysop")
    assert journal.already_processed("Q", 20, FP)


def test_a_version_1_journal_is_migrated(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    with Journal(path, "fam:code") as j:
        j.record(j.start_run(FP), FP, PageRecord("A", 10, "unchanged"))
    db = sqlite3.connect(path)  # back to the version 1 layout
    db.execute("ALTER TABLE pages DROP COLUMN protection")
    db.execute("UPDATE journal_meta SET value='1' WHERE key='schema_version'")
    db.commit()
    db.close()
    with Journal(path, "fam:code") as j:
        assert j.already_processed("A", 10, FP, "sysop")
        j.record(j.start_run(FP), FP, PageRecord("P", 5, "skipped", protection="sysop"))
        assert j.already_processed("P", 5, FP, "sysop") and not j.already_processed("P", 5, FP)
