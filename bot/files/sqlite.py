"""The one way wikilint opens its SQLite files (proposal store, bot journal).

Autocommit connection; every write goes through :meth:`SQLiteFile.transaction`
(``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception), so a crash or a kill
leaves each record whole or absent. The schema carries a version number: an older file is
migrated in place (``MIGRATIONS``), and a file written by a newer wikilint is refused rather
than misread.

A new file is created readable by its owner only (0600; SQLite gives its journal and WAL files
the same mode), and a folder made for it 0700: they hold page text and titles from the
operator's runs.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar, Self


class SchemaError(RuntimeError):
    """The file was written by a newer wikilint."""


def _create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (a umask can only narrow it)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


class SQLiteFile:
    SCHEMA: ClassVar[str]  # CREATE TABLE IF NOT EXISTS … statements
    SCHEMA_VERSION: ClassVar[int]
    # Statements taking a file from version n - 1 to n, run in order in one transaction when
    # an older file is opened (SCHEMA already holds the newest tables for new files).
    MIGRATIONS: ClassVar[dict[int, tuple[str, ...]]] = {}
    META_TABLE: ClassVar[str] = "meta"  # (key TEXT PRIMARY KEY, value TEXT) holding the version
    WAL: ClassVar[bool] = False  # write-ahead log: readers never block the writer
    error: ClassVar[type[Exception]] = SchemaError

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _create_private(self.path)
        self.db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        if self.WAL:
            self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def _migrate(self) -> None:
        # executescript() commits on its own, so the DDL carries its own transaction.
        self.db.executescript("BEGIN IMMEDIATE;" + self.SCHEMA + "COMMIT;")
        with self.transaction() as db:
            row = db.execute(
                f"SELECT value FROM {self.META_TABLE} WHERE key = 'schema_version'"
            ).fetchone()
            if row is None:
                db.execute(
                    f"INSERT INTO {self.META_TABLE} VALUES ('schema_version', ?)",
                    (str(self.SCHEMA_VERSION),),
                )
            elif int(row["value"]) > self.SCHEMA_VERSION:
                raise self.error(
                    f"{self.path} has schema version {row['value']}; this wikilint knows "
                    f"{self.SCHEMA_VERSION}: upgrade wikilint"
                )
            elif int(row["value"]) < self.SCHEMA_VERSION:
                for version in range(int(row["value"]) + 1, self.SCHEMA_VERSION + 1):
                    for statement in self.MIGRATIONS.get(version, ()):
                        db.execute(statement)
                db.execute(
                    f"UPDATE {self.META_TABLE} SET value = ? WHERE key = 'schema_version'",
                    (str(self.SCHEMA_VERSION),),
                )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
