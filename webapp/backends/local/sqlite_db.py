"""A small helper for SQLite files shared by several gunicorn workers."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from webapp.backends.local.os_errors import storage_errors

_schema_lock = threading.Lock()
_schema_ready: set[tuple[str, int]] = set()


def _ensure_schema(conn: sqlite3.Connection, path: Path, schema: str) -> None:
    """Create tables once per process and file (the statements are idempotent anyway)."""
    marker = (str(path), hash(schema))
    with _schema_lock:
        if marker in _schema_ready and path.exists():
            return
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(schema)
        _schema_ready.add(marker)


@contextmanager
def connect(path: Path, schema: str, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection in WAL mode with a busy timeout, in one transaction committed on success.

    One short-lived connection per operation keeps workers and threads independent; WAL
    lets readers go on while another process writes; writers take the lock up front
    (BEGIN IMMEDIATE) so two writers queue on the busy timeout instead of failing.
    """
    with storage_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as conn:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA foreign_keys = ON")
            # deleted rows (a forgotten person's faceprint) are overwritten, not left in free pages
            conn.execute("PRAGMA secure_delete = ON")
            _ensure_schema(conn, path, schema)
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
