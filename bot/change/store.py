"""The proposal store: one SQLite file of proposed edits, their review and their submission.

A proposal records everything needed to save it safely later: the base revision (id and
timestamp), the original and proposed text, which findings were accepted, what happened, and
the environment the fixes were computed in (the page titles fetched for unsafe fixes and the
date): review and submit recompute with exactly these, never fetching again.
Every change is one transaction; the schema carries a version number.

A proposal's status says what happened to it (README "Proposal statuses"):
``pending`` → ``accepted`` or ``rejected`` in review; ``submit`` claims an accepted proposal
(``submitting``, one process only) and ends it ``submitted`` (saved exactly as reviewed),
``differs`` (saved, but the saved revision is not exactly the reviewed change), ``applied``
(the fixes were already on the page), ``skipped`` (the wiki or the page refused it),
``failed`` (not saved because the wiki was unavailable: submit again later) or back to
``pending`` (the page changed where the fixes are: review again).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from wikilint import rules
from wikilint.bot.change.core import Change, FindingRecord
from wikilint.bot.files.sqlite import SQLiteFile
from wikilint.rules.model import Edit

# 2: the env column (fetched titles and the date a proposal was made)
# 3: the edits column (the change as edits on the original: the re-check compares them)
# 4: statuses submitting, differs, applied, failed; the claimed_by column
SCHEMA_VERSION = 4
Status = Literal[
    "pending",
    "accepted",
    "rejected",
    "submitting",
    "submitted",
    "differs",
    "applied",
    "skipped",
    "failed",
]
STATUSES: tuple[Status, ...] = get_args(Status)  # in the order the Literal lists them
# Proposals a submit may claim; and the ones still open (a new proposal of the same page and
# revision replaces or meets them).
SUBMITTABLE: tuple[Status, ...] = ("accepted", "failed")
OPEN: tuple[Status, ...] = ("pending", "accepted", "submitting", "failed")

_PROPOSALS_TABLE = """
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
        CHECK (status IN (@STATUSES@)),
    reason TEXT,
    saved_revid INTEGER,
    claimed_by TEXT,              -- host:pid of the submit that holds a 'submitting' proposal
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
""".replace("@STATUSES@", ", ".join(f"'{status}'" for status in STATUSES))
_INDEX = "CREATE INDEX IF NOT EXISTS proposals_status ON proposals (status);"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    + _PROPOSALS_TABLE
    + _INDEX
)
_V3_COLUMNS = (
    "id, site, page, section, base_revid, base_timestamp, original, proposed, "
    "findings, accepted, rule_counts, summary, unsafe, env, edits, status, reason, "
    "saved_revid, created, updated"
)
_MIGRATIONS = {
    2: ("ALTER TABLE proposals ADD COLUMN env TEXT",),
    3: ("ALTER TABLE proposals ADD COLUMN edits TEXT",),
    # SQLite cannot change a CHECK constraint: copy into a new table.
    4: (
        "ALTER TABLE proposals RENAME TO proposals_v3",
        _PROPOSALS_TABLE,
        f"INSERT INTO proposals ({_V3_COLUMNS}) SELECT {_V3_COLUMNS} FROM proposals_v3",
        "DROP TABLE proposals_v3",
        _INDEX,
    ),
}


def default_state_path() -> Path:
    """``$XDG_STATE_HOME/wikilint/state.sqlite`` (``~/.local/state`` by default)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "wikilint" / "state.sqlite"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def this_process() -> str:
    """Who claims a proposal: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim_is_stale(claimed_by: str | None) -> bool:
    """A claim by a process of this host that no longer runs (killed mid-submit)."""
    host, _, pid = (claimed_by or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


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
    claimed_by: str | None = None
    id: int | None = None
    created: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)

    @classmethod
    def from_change(
        cls,
        change: Change,
        *,
        site: str,
        page: str,
        section: str | int | None,
        base_revid: int,
        base_timestamp: str,
        unsafe: bool,
    ) -> Proposal:
        """The one way a proposal is made: ``change`` (from ``compute_change``) on revision
        ``base_revid`` of ``page``. With ``unsafe``, the environment the fixes were computed
        in (fetched titles, the date) is stored: review and submit recompute with exactly it.
        """
        p = cls(
            site=site,
            page=page,
            section=None if section is None else str(section),
            base_revid=base_revid,
            base_timestamp=base_timestamp,
            original=change.original,
            proposed=change.proposed,
            findings=[],
            accepted=[],
            rule_counts={},
            summary=change.summary,
            unsafe=unsafe,
        )
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
            id=row["id"],
            site=row["site"],
            page=row["page"],
            section=row["section"],
            base_revid=row["base_revid"],
            base_timestamp=row["base_timestamp"],
            original=row["original"],
            proposed=row["proposed"],
            findings=[FindingRecord.from_json(f) for f in json.loads(row["findings"])],
            accepted=json.loads(row["accepted"]),
            rule_counts=json.loads(row["rule_counts"]),
            summary=row["summary"],
            unsafe=bool(row["unsafe"]),
            titles=dict(env.get("titles") or {}),
            today=env.get("today"),
            edits=None if edits is None else [Edit(s, e, r) for s, e, r in edits],
            status=row["status"],
            reason=row["reason"],
            saved_revid=row["saved_revid"],
            claimed_by=row["claimed_by"],
            created=row["created"],
            updated=row["updated"],
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
                (
                    p.site,
                    p.page,
                    p.section,
                    p.base_revid,
                    p.base_timestamp,
                    p.original,
                    p.proposed,
                    p.findings_json(),
                    json.dumps(p.accepted),
                    json.dumps(p.rule_counts),
                    p.summary,
                    int(p.unsafe),
                    p.env_json(),
                    p.edits_json(),
                    p.status,
                    p.reason,
                    p.saved_revid,
                    p.created,
                    p.updated,
                ),
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
                   env = ?, edits = ?, status = ?, reason = ?, saved_revid = ?,
                   claimed_by = ?, updated = ?, unsafe = ?, section = ? WHERE id = ?""",
                (
                    p.base_revid,
                    p.base_timestamp,
                    p.original,
                    p.proposed,
                    p.findings_json(),
                    json.dumps(p.accepted),
                    json.dumps(p.rule_counts),
                    p.summary,
                    p.env_json(),
                    p.edits_json(),
                    p.status,
                    p.reason,
                    p.saved_revid,
                    p.claimed_by,
                    p.updated,
                    int(p.unsafe),
                    p.section,
                    p.id,
                ),
            )

    def set_status(
        self, pid: int, status: Status, reason: str | None = None, saved_revid: int | None = None
    ) -> None:
        if status not in STATUSES:
            raise ValueError(f"bad status {status!r}")
        with self.transaction() as db:
            db.execute(
                "UPDATE proposals SET status = ?, reason = ?, saved_revid = COALESCE(?, "
                "saved_revid), claimed_by = NULL, updated = ? WHERE id = ?",
                (status, reason, saved_revid, _now(), pid),
            )

    def claim(self, pid: int) -> Proposal:
        """Take proposal ``pid`` for submitting: one status transition in one transaction, so
        of several processes submitting it at once exactly one gets it. A claim left by a
        process of this host that died is taken over. Raises :class:`NotClaimable` (saying
        why) otherwise, and KeyError for an unknown id."""
        with self.transaction() as db:
            row = db.execute("SELECT * FROM proposals WHERE id = ?", (pid,)).fetchone()
            if row is None:
                raise KeyError(f"no proposal #{pid} in {self.path}")
            p = Proposal.from_row(row)
            if p.status == "submitting" and not _claim_is_stale(p.claimed_by):
                raise NotClaimable(
                    p, f"proposal #{pid} is being submitted by another process ({p.claimed_by})"
                )
            if p.status not in (*SUBMITTABLE, "submitting"):
                raise NotClaimable(p, f"proposal #{pid} is {describe_status(p)}, not accepted")
            p.status, p.claimed_by, p.updated = "submitting", this_process(), _now()
            db.execute(
                "UPDATE proposals SET status = ?, claimed_by = ?, updated = ? WHERE id = ?",
                (p.status, p.claimed_by, p.updated, pid),
            )
        return p

    def find_open(
        self, site: str, page: str, section: str | None, base_revid: int
    ) -> Proposal | None:
        """The open proposal (pending, accepted, being submitted or failed) for this page,
        section and base revision, if any."""
        marks = ", ".join("?" for _ in OPEN)
        row = self.db.execute(
            f"SELECT * FROM proposals WHERE site = ? AND page = ? AND section IS ? AND "
            f"base_revid = ? AND status IN ({marks}) ORDER BY id DESC LIMIT 1",
            (site, page, section, base_revid, *OPEN),
        ).fetchone()
        return None if row is None else Proposal.from_row(row)


class NotClaimable(Exception):
    """The proposal is not in a state ``submit`` may take it from."""

    def __init__(self, proposal: Proposal, message: str) -> None:
        super().__init__(message)
        self.proposal = proposal


def describe_status(p: Proposal) -> str:
    """E.g. ``submitted (revision 123)``, ``skipped (the page is protected)``."""
    detail = f"revision {p.saved_revid}" if p.saved_revid else p.reason
    return f"{p.status} ({detail})" if detail else p.status
