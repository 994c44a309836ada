"""Rate-limit counters in a small SQLite file, shared by every gunicorn worker on the machine.

Flask-Limiter's own storages are memory (one count per worker, so W workers allow W × the
limit), Redis, Memcached and MongoDB (servers local mode does not have). This is a
`limits` storage for the fixed-window strategy: one row per key with its count and the
moment its window ends; an increment is one `BEGIN IMMEDIATE` transaction, so two workers
never lose each other's hits.
"""
from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from limits.storage import Storage

from webapp.backends.local.sqlite_db import connect
from webapp.config import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS hits (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL);
"""
SCHEME = "glimpse-sqlite"


class SqliteLimitStorage(Storage):
    """Fixed-window counters: `incr` starts a window when the key's previous one has ended."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, path: str = "", **options: Any):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if not path:
            raise ValueError("SqliteLimitStorage needs a path")
        self.path = Path(path)

    @property
    def base_exceptions(self) -> type[Exception]:
        """What this storage raises when the file cannot be used."""
        return sqlite3.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` hits to key's window (a new window of `expiry` seconds if it had ended)."""
        now = time.time()
        with connect(self.path, SCHEMA, write=True) as db:
            db.execute(
                "INSERT INTO hits (key, count, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "count = CASE WHEN expires_at > ? THEN count + excluded.count ELSE excluded.count END, "
                "expires_at = CASE WHEN expires_at > ? THEN expires_at ELSE excluded.expires_at END",
                (key, amount, now + expiry, now, now),
            )
            if random.random() < 0.01:  # now and then, drop rows of clients long gone: the file stays small
                db.execute("DELETE FROM hits WHERE expires_at < ?", (now - 86400,))
            return int(db.execute("SELECT count FROM hits WHERE key = ?", (key,)).fetchone()[0])

    def _row(self, key: str) -> sqlite3.Row | None:
        """Key's row if its window has not ended."""
        with connect(self.path, SCHEMA) as db:
            row: sqlite3.Row | None = db.execute("SELECT count, expires_at FROM hits WHERE key = ? AND expires_at > ?",
                                                 (key, time.time())).fetchone()
            return row

    def get(self, key: str) -> int:
        """Hits in key's current window (0 when none)."""
        row = self._row(key)
        return row["count"] if row else 0

    def get_expiry(self, key: str) -> float:
        """When key's window ends (now when it has no window)."""
        row = self._row(key)
        return row["expires_at"] if row else time.time()

    def check(self) -> bool:
        """Whether the file can be read."""
        with connect(self.path, SCHEMA) as db:
            db.execute("SELECT 1").fetchone()
        return True

    def reset(self) -> int | None:
        """Forget every counter; returns how many there were."""
        with connect(self.path, SCHEMA, write=True) as db:
            return db.execute("DELETE FROM hits").rowcount

    def clear(self, key: str) -> None:
        """Forget one key's counter."""
        with connect(self.path, SCHEMA, write=True) as db:
            db.execute("DELETE FROM hits WHERE key = ?", (key,))


def storage_for(settings: Settings, backend: object) -> tuple[str, dict]:
    """The Flask-Limiter storage URI and options for local mode: a file in the data directory."""
    return f"{SCHEME}://", {"path": str(settings.data_dir / "ratelimits.sqlite3")}
