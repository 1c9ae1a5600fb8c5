"""The run journal: one SQLite file of runs, what happened to every page, and cursors.

Separate from the proposal store (``bot/store.py``): the journal is the scheduled bot's memory,
the store is the human review queue, and an operator may delete or move either on its own.

Every page's outcome is one transaction (its log row, its "latest processed revision" and the
run's counters together), so a crash or ``kill -9`` leaves each page either fully recorded or
not at all. A save is announced first (``begin_save``): an announcement still there on the next
run means the outcome of that save is unknown, and the page is simply processed again (saves
carry ``baserevid`` and fixes are idempotent, so this never duplicates an edit).

:class:`RunLock` (``fcntl.flock`` on a file next to the journal) keeps two runs from overlapping;
the kernel drops it when the process dies, so a killed run never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from wikilint.bot.files.sqlite import SQLiteFile

SCHEMA_VERSION = 3
# "differs": saved, but the saved revision is not the change the rules made (the pre-save
# transform or a merge changed it): its own outcome, never a clean edit.
Action = Literal["edited", "proposed", "unchanged", "skipped", "failed", "differs"]
ACTIONS: tuple[Action, ...] = ("edited", "proposed", "unchanged", "skipped", "failed", "differs")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL DEFAULT 'running',   -- running, completed, stopped, limit, failed, crashed
    exit_code INTEGER,
    reason TEXT,
    site TEXT NOT NULL,
    fingerprint TEXT NOT NULL,                -- rules + options + fix policy of the run
    dry_run INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS page_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    title TEXT NOT NULL,
    revid INTEGER,                            -- the revision read
    action TEXT NOT NULL CHECK (action IN
        ('edited', 'proposed', 'unchanged', 'skipped', 'failed', 'differs')),
    reason TEXT,                              -- skip reason or error
    findings TEXT NOT NULL,                   -- JSON {rule: count}
    saved_revid INTEGER,
    proposal_id INTEGER,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS page_log_run ON page_log (run_id);
CREATE TABLE IF NOT EXISTS pages (            -- the latest revision processed, per page
    site TEXT NOT NULL,
    title TEXT NOT NULL,
    revid INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    action TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    protection TEXT,                          -- set: the outcome holds only at this protection
    PRIMARY KEY (site, title)
);
CREATE TABLE IF NOT EXISTS pending_saves (    -- announced saves: outcome unknown after a crash
    site TEXT NOT NULL,
    title TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    base_revid INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (site, title)
);
CREATE TABLE IF NOT EXISTS cursors (site TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
                                    PRIMARY KEY (site, name));
"""


# Version 2: a page skipped for its protection is remembered with that protection.
# Version 3: the page log's actions include "differs" (SQLite changes a CHECK only by copying).
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: ("ALTER TABLE pages ADD COLUMN protection TEXT",),
    3: (
        """CREATE TABLE page_log_v3 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id INTEGER NOT NULL REFERENCES runs (id),
            title TEXT NOT NULL,
            revid INTEGER,
            action TEXT NOT NULL CHECK (action IN
                ('edited', 'proposed', 'unchanged', 'skipped', 'failed', 'differs')),
            reason TEXT,
            findings TEXT NOT NULL,
            saved_revid INTEGER,
            proposal_id INTEGER,
            at TEXT NOT NULL)""",
        "INSERT INTO page_log_v3 SELECT id, run_id, title, revid, action, reason, findings, "
        "saved_revid, proposal_id, at FROM page_log",
        "DROP TABLE page_log",
        "ALTER TABLE page_log_v3 RENAME TO page_log",
        "CREATE INDEX IF NOT EXISTS page_log_run ON page_log (run_id)",
    ),
}


class JournalError(RuntimeError):
    pass


class LockHeld(JournalError):
    """Another run holds the lock."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class PageRecord:
    title: str
    revid: int | None
    action: Action
    reason: str | None = None
    findings: Mapping[str, int] | None = None
    saved_revid: int | None = None
    proposal_id: int | None = None
    # True: the outcome follows from this revision's text alone, so the same revision never
    # needs reading again. False (conflicts, errors): try again next run.
    final: bool = True
    # The page's protection (``safety.protection_key``) when the outcome depends on it (a
    # protected page the account cannot edit): the revision is read again once it changes.
    protection: str | None = None


@dataclass
class RunSummary:
    run_id: int
    status: str
    actions: Counter[str]
    findings: Counter[str]
    skip_reasons: Counter[str]
    pages: int


class Journal(SQLiteFile):
    """Use as a context manager, or call :meth:`close`."""

    SCHEMA = _SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    MIGRATIONS = _MIGRATIONS
    META_TABLE = "journal_meta"
    WAL = True  # readers (reports) never block the run
    error = JournalError

    def __init__(self, path: str | Path, site: str) -> None:
        self.site = site
        super().__init__(path)

    # -- runs ---------------------------------------------------------------------------

    def start_run(self, fingerprint: str, dry_run: bool = False) -> int:
        """A new run; runs left 'running' by a crash are marked 'crashed' (we hold the lock)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET status='crashed', finished=? WHERE status='running' AND site=?",
                (_now(), self.site),
            )
            cur = db.execute(
                "INSERT INTO runs (started, site, fingerprint, dry_run) VALUES (?, ?, ?, ?)",
                (_now(), self.site, fingerprint, int(dry_run)),
            )
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, exit_code: int, reason: str = "") -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET status=?, exit_code=?, reason=?, finished=? WHERE id=?",
                (status, exit_code, reason or None, _now(), run_id),
            )

    def run_status(self, run_id: int) -> str:
        row = self.db.execute("SELECT status FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            raise JournalError(f"no run {run_id}")
        return str(row["status"])

    # -- pages --------------------------------------------------------------------------

    def already_processed(
        self, title: str, revid: int, fingerprint: str, protection: str = ""
    ) -> bool:
        """This revision was fully handled with the same rules (and, for an outcome that
        depended on the page's protection, at the same protection): no need to read it again."""
        row = self.db.execute(
            "SELECT 1 FROM pages WHERE site=? AND title=? AND revid=? AND fingerprint=? "
            "AND (protection IS NULL OR protection=?)",
            (self.site, title, revid, fingerprint, protection),
        ).fetchone()
        return row is not None

    def begin_save(self, run_id: int, title: str, base_revid: int) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO pending_saves VALUES (?, ?, ?, ?, ?)",
                (self.site, title, run_id, base_revid, _now()),
            )

    def unfinished_saves(self) -> list[tuple[str, int]]:
        """Saves announced by a run that died before recording their outcome."""
        rows = self.db.execute(
            "SELECT title, base_revid FROM pending_saves WHERE site=? ORDER BY title", (self.site,)
        ).fetchall()
        return [(r["title"], int(r["base_revid"])) for r in rows]

    def record(self, run_id: int, fingerprint: str, rec: PageRecord) -> None:
        """A page's outcome, atomically: log row, processed revision, pending save cleared."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO page_log (run_id, title, revid, action, reason, findings, "
                "saved_revid, proposal_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    rec.title,
                    rec.revid,
                    rec.action,
                    rec.reason,
                    json.dumps(dict(rec.findings or {}), sort_keys=True),
                    rec.saved_revid,
                    rec.proposal_id,
                    _now(),
                ),
            )
            db.execute("DELETE FROM pending_saves WHERE site=? AND title=?", (self.site, rec.title))
            if rec.final and rec.revid is not None:
                # After our own save the latest revision is ours and already clean.
                seen = rec.saved_revid or rec.revid
                db.execute(
                    "INSERT OR REPLACE INTO pages (site, title, revid, fingerprint, "
                    "action, run_id, at, protection) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        self.site,
                        rec.title,
                        seen,
                        fingerprint,
                        rec.action,
                        run_id,
                        _now(),
                        rec.protection,
                    ),
                )

    def page_log(self, run_id: int | None = None) -> list[sqlite3.Row]:
        if run_id is None:
            return self.db.execute("SELECT * FROM page_log ORDER BY id").fetchall()
        return self.db.execute(
            "SELECT * FROM page_log WHERE run_id=? ORDER BY id", (run_id,)
        ).fetchall()

    def summary(self, run_id: int) -> RunSummary:
        actions: Counter[str] = Counter()
        findings: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        rows = self.page_log(run_id)
        for row in rows:
            actions[row["action"]] += 1
            findings.update(json.loads(row["findings"]))
            if row["action"] in ("skipped", "failed") and row["reason"]:
                reasons[row["reason"]] += 1
        return RunSummary(run_id, self.run_status(run_id), actions, findings, reasons, len(rows))

    # -- cursors ------------------------------------------------------------------------

    def cursor(self, name: str) -> str | None:
        row = self.db.execute(
            "SELECT value FROM cursors WHERE site=? AND name=?", (self.site, name)
        ).fetchone()
        return None if row is None else str(row["value"])

    def set_cursor(self, name: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?, ?)", (self.site, name, value))


class RunLock:
    """An exclusive, non-blocking ``flock`` on ``path``; holds the owner's pid for operators."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")  # noqa: SIM115 - held open for the lock's lifetime
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            owner = fh.read().strip() or "?"
            fh.close()
            raise LockHeld(f"another run holds {self.path} (pid {owner})") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()
