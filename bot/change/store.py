"""The proposal store: one SQLite file of proposed edits, their review and their submission.

A proposal records everything needed to save it safely later: the base revision (id and
timestamp), the original and proposed text, which findings were accepted, what happened, and
the environment the fixes were computed in (the page titles fetched for unsafe fixes and the
date): review and submit recompute with exactly these, never fetching again.
Every change is one transaction; the schema carries a version number.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from wikilint import rules
from wikilint.bot.change.core import Change, FindingRecord
from wikilint.bot.files.sqlite import SQLiteFile
from wikilint.rules.model import Edit

# 2: the env column (fetched titles and the date a proposal was made)
# 3: the edits column (the change as edits on the original: the re-check compares them)
SCHEMA_VERSION = 3
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
    findings TEXT NOT NULL,       -- JSON list of {key, signature, rule, message, pass, line,
                                  --   before, after}
    accepted TEXT NOT NULL,       -- JSON list of accepted finding keys
    rule_counts TEXT NOT NULL,    -- JSON {rule: applied fixes}
    summary TEXT NOT NULL,
    unsafe INTEGER NOT NULL DEFAULT 0,
    env TEXT,                     -- JSON {titles: {url: title}, today: "YYYY-MM-DD"} or NULL
    edits TEXT,                   -- JSON [[start, end, replacement], ...] on original, or NULL
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'accepted', 'rejected', 'submitted', 'skipped')),
    reason TEXT,
    saved_revid INTEGER,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS proposals_status ON proposals (status);
"""
_MIGRATIONS = {2: ("ALTER TABLE proposals ADD COLUMN env TEXT",),
               3: ("ALTER TABLE proposals ADD COLUMN edits TEXT",)}


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
    findings: list[FindingRecord]
    accepted: list[str]
    rule_counts: dict[str, int]
    summary: str
    unsafe: bool = False
    titles: dict[str, str] = field(default_factory=dict)  # URL → fetched title (unsafe fixes)
    today: str | None = None  # "YYYY-MM-DD" the fixes were computed on (access dates)
    edits: list[Edit] | None = None  # on original; None: stored by a wikilint without them
    status: Status = "pending"
    reason: str | None = None
    saved_revid: int | None = None
    id: int | None = None
    created: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)

    @classmethod
    def from_change(cls, change: Change, *, site: str, page: str, section: str | int | None,
                    base_revid: int, base_timestamp: str, unsafe: bool) -> Proposal:
        """The one way a proposal is made: ``change`` (from ``compute_change``) on revision
        ``base_revid`` of ``page``. With ``unsafe``, the environment the fixes were computed
        in (fetched titles, the date) is stored: review and submit recompute with exactly it.
        """
        p = cls(site=site, page=page, section=None if section is None else str(section),
                base_revid=base_revid, base_timestamp=base_timestamp, original=change.original,
                proposed=change.proposed, findings=[], accepted=[], rule_counts={},
                summary=change.summary, unsafe=unsafe)
        if unsafe:
            p.titles = {u: change.env.titles[u] for u in sorted(change.env.titles)}
            p.today = change.env.today.isoformat()
        p.take(change)
        return p

    def take(self, change: Change) -> None:
        """Make this proposal propose ``change`` (recomputed: per-finding review, a newer
        revision); its base revision fields are the caller's to set."""
        self.original, self.proposed = change.original, change.proposed
        self.findings, self.accepted = list(change.findings), change.keys
        self.rule_counts, self.summary = dict(change.rule_counts), change.summary
        self.edits = list(change.edits)

    def environment(self) -> rules.Environment | None:
        """The environment the proposal was computed in: its stored titles and date (None
        for a proposal that stored none: computed with today's defaults)."""
        if not self.titles and self.today is None:
            return None
        today = dt.date.fromisoformat(self.today) if self.today else dt.date.today()
        return rules.Environment(today=today, titles=dict(self.titles))

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Proposal:
        env = json.loads(row["env"]) if row["env"] else {}
        edits = json.loads(row["edits"]) if row["edits"] else None
        return cls(
            id=row["id"], site=row["site"], page=row["page"], section=row["section"],
            base_revid=row["base_revid"], base_timestamp=row["base_timestamp"],
            original=row["original"], proposed=row["proposed"],
            findings=[FindingRecord.from_json(f) for f in json.loads(row["findings"])],
            accepted=json.loads(row["accepted"]),
            rule_counts=json.loads(row["rule_counts"]), summary=row["summary"],
            unsafe=bool(row["unsafe"]), titles=dict(env.get("titles") or {}),
            today=env.get("today"),
            edits=None if edits is None else [Edit(s, e, r) for s, e, r in edits],
            status=row["status"], reason=row["reason"],
            saved_revid=row["saved_revid"], created=row["created"], updated=row["updated"],
        )

    def env_json(self) -> str | None:
        if not self.titles and self.today is None:
            return None
        return json.dumps({"titles": self.titles, "today": self.today}, sort_keys=True)

    def findings_json(self) -> str:
        return json.dumps([f.to_json() for f in self.findings])

    def edits_json(self) -> str | None:
        if self.edits is None:
            return None
        return json.dumps([[e.start, e.end, e.replacement] for e in self.edits])


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
                   edits, status, reason, saved_revid, created, updated)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (p.site, p.page, p.section, p.base_revid, p.base_timestamp, p.original,
                 p.proposed, p.findings_json(), json.dumps(p.accepted),
                 json.dumps(p.rule_counts), p.summary, int(p.unsafe), p.env_json(),
                 p.edits_json(), p.status, p.reason, p.saved_revid, p.created, p.updated),
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
                   env = ?, edits = ?, status = ?, reason = ?, saved_revid = ?, updated = ?
                   WHERE id = ?""",
                (p.base_revid, p.base_timestamp, p.original, p.proposed,
                 p.findings_json(), json.dumps(p.accepted), json.dumps(p.rule_counts),
                 p.summary, p.env_json(), p.edits_json(), p.status, p.reason, p.saved_revid,
                 p.updated, p.id),
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
