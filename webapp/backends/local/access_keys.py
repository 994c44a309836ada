"""Access key ids for the Rekognition endpoint in SQLite (ids, labels and dates only: no secret)."""
from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path

from webapp.backends.local.sqlite_db import connect
from webapp.domain import AccessKey

SCHEMA = """
CREATE TABLE IF NOT EXISTS access_keys (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT);
"""


def _key(row: sqlite3.Row) -> AccessKey:
    """An AccessKey from its row."""
    revoked = datetime.fromisoformat(row["revoked_at"]) if row["revoked_at"] else None
    return AccessKey(row["id"], row["label"], datetime.fromisoformat(row["created_at"]), revoked)


class SqliteAccessKeys:
    """The AccessKeyStore capability on one SQLite file."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _db(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        """A connection context for one operation."""
        return connect(self.path, SCHEMA, write)

    def add(self, key_id: str, label: str) -> AccessKey:
        """Record a new key id."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._db(write=True) as db:
            db.execute("INSERT INTO access_keys VALUES (?,?,?,NULL)", (key_id, label, now))
        return AccessKey(key_id, label, datetime.fromisoformat(now))

    def get(self, key_id: str) -> AccessKey | None:
        """One key, revoked or not."""
        with self._db() as db:
            row = db.execute("SELECT * FROM access_keys WHERE id = ?", (key_id,)).fetchone()
        return _key(row) if row else None

    def list(self) -> list[AccessKey]:
        """Every key, oldest first."""
        with self._db() as db:
            return [_key(r) for r in db.execute("SELECT * FROM access_keys ORDER BY created_at, rowid")]

    def revoke(self, key_id: str) -> bool:
        """Mark a live key revoked (the row stays, so the id is never reused and lists show it)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._db(write=True) as db:
            changed = db.execute("UPDATE access_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                                 (now, key_id)).rowcount
        return changed > 0
