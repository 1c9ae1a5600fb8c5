"""The proposal store: one SQLite file of proposed edits, their review and their submission.

A proposal records everything needed to save it safely later: the base revision (id and
timestamp), the original and proposed text, which findings were accepted, what happened, and
the environment the fixes were computed in (the page titles fetched for unsafe fixes and the
date): review and submit recompute with exactly these, never fetching again.
Every change is one transaction; the schema carries a version number.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from wikilint.bot.files.sqlite import SQLiteFile

SCHEMA_VERSION = 2  # 2: the env column (fetched titles and the date a proposal was made)
Status = Literal["pending", "accepted", "rejected", "submitted", "skipped"]
STATUSES: tuple[Status, ...] = ("pending", "accepted", "rejected", "submitted", "skipped")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    site TEXT NOT NULL,
    page TEXT NOT NULL,
    section TEXT,                 -- as asked for: a heading title or a number, NULL = whole page
    base_revid INTEGER NOT NULL,
    base_timestamp TEXT NOT NULL,
    original TEXT NOT NULL,       -- the whole page at base_revid (NFC)
    proposed TEXT NOT NULL,       -- the whole page with the accepted fixes
    findings TEXT NOT NULL,       -- JSON list of {key, rule, message, line, before, after}
    accepted TEXT NOT NULL,       -- JSON list of accepted finding keys
    rule_counts TEXT NOT NULL,    -- JSON {rule: applied fixes}
    summary TEXT NOT NULL,
    unsafe INTEGER NOT NULL DEFAULT 0,
    env TEXT,                     -- JSON {titles: {url: title}, today: "YYYY-MM-DD"} or NULL
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'accepted', 'rejected', 'submitted', 'skipped')),
    reason TEXT,
    saved_revid INTEGER,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS proposals_status ON proposals (status);
"""
_MIGRATIONS = {2: ("ALTER TABLE proposals ADD COLUMN env TEXT",)}


def default_state_path() -> Path:
    """``$XDG_STATE_HOME/wikilint/state.sqlite`` (``~/.local/state`` by default)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "wikilint" / "state.sqlite"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Proposal:
    site: str
    page: str
    section: str | None
    base_revid: int
    base_timestamp: str
    original: str
    proposed: str
    findings: list[dict[str, Any]]
    accepted: list[str]
    rule_counts: dict[str, int]
    summary: str
    unsafe: bool = False
    titles: dict[str, str] = field(default_factory=dict)  # URL → fetched title (unsafe fixes)
    today: str | None = None  # "YYYY-MM-DD" the fixes were computed on (access dates)
    status: Status = "pending"
    reason: str | None = None
    saved_revid: int | None = None
    id: int | None = None
    created: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Proposal:
        env = json.loads(row["env"]) if row["env"] else {}
        return cls(
            id=row["id"], site=row["site"], page=row["page"], section=row["section"],
            base_revid=row["base_revid"], base_timestamp=row["base_timestamp"],
            original=row["original"], proposed=row["proposed"],
            findings=json.loads(row["findings"]), accepted=json.loads(row["accepted"]),
            rule_counts=json.loads(row["rule_counts"]), summary=row["summary"],
            unsafe=bool(row["unsafe"]), titles=dict(env.get("titles") or {}),
            today=env.get("today"), status=row["status"], reason=row["reason"],
            saved_revid=row["saved_revid"], created=row["created"], updated=row["updated"],
        )

    def env_json(self) -> str | None:
        if not self.titles and self.today is None:
            return None
        return json.dumps({"titles": self.titles, "today": self.today}, sort_keys=True)


class Store(SQLiteFile):
    """Proposals in one SQLite file. Use as a context manager or call :meth:`close`."""

    SCHEMA = _SCHEMA
    SCHEMA_VERSION = SCHEMA_VERSION
    MIGRATIONS = _MIGRATIONS

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__(path if path else default_state_path())

    # -- proposals ------------------------------------------------------------------------

    def add(self, p: Proposal) -> int:
        with self.transaction() as db:
            cur = db.execute(
                """INSERT INTO proposals (site, page, section, base_revid, base_timestamp,
                   original, proposed, findings, accepted, rule_counts, summary, unsafe, env,
                   status, reason, saved_revid, created, updated)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (p.site, p.page, p.section, p.base_revid, p.base_timestamp, p.original,
                 p.proposed, json.dumps(p.findings), json.dumps(p.accepted),
                 json.dumps(p.rule_counts), p.summary, int(p.unsafe), p.env_json(), p.status,
                 p.reason,
                 p.saved_revid, p.created, p.updated),
            )
            p.id = int(cur.lastrowid or 0)
        return p.id

    def get(self, pid: int) -> Proposal:
        row = self.db.execute("SELECT * FROM proposals WHERE id = ?", (pid,)).fetchone()
        if row is None:
            raise KeyError(f"no proposal {pid} in {self.path}")
        return Proposal.from_row(row)

    def list(self, status: Status | None = None) -> list[Proposal]:
        if status is None:
            rows = self.db.execute("SELECT * FROM proposals ORDER BY id").fetchall()
        else:
            rows = self.db.execute(
                "SELECT * FROM proposals WHERE status = ? ORDER BY id", (status,)
            ).fetchall()
        return [Proposal.from_row(r) for r in rows]

    def update(self, p: Proposal) -> None:
        """Write back every mutable field of a proposal."""
        if p.id is None:
            raise ValueError("proposal was never added")
        p.updated = _now()
        with self.transaction() as db:
            db.execute(
                """UPDATE proposals SET base_revid = ?, base_timestamp = ?, original = ?,
                   proposed = ?, findings = ?, accepted = ?, rule_counts = ?, summary = ?,
                   env = ?, status = ?, reason = ?, saved_revid = ?, updated = ? WHERE id = ?""",
                (p.base_revid, p.base_timestamp, p.original, p.proposed,
                 json.dumps(p.findings), json.dumps(p.accepted), json.dumps(p.rule_counts),
                 p.summary, p.env_json(), p.status, p.reason, p.saved_revid, p.updated, p.id),
            )

    def set_status(self, pid: int, status: Status, reason: str | None = None,
                   saved_revid: int | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"bad status {status!r}")
        with self.transaction() as db:
            db.execute(
                "UPDATE proposals SET status = ?, reason = ?, saved_revid = COALESCE(?, "
                "saved_revid), updated = ? WHERE id = ?",
                (status, reason, saved_revid, _now(), pid),
            )
