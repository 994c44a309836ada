"""The Journal port on the directory's SQLite file: operations of several steps until they finish."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

from webapp.backends.local.sqlite_directory import SqliteTables
from webapp.domain import Operation


class SqliteJournal(SqliteTables):
    """One row per operation that has started and not finished."""

    def begin(self, kind: str, args: dict, actor: str) -> Operation:
        """Record that an operation starts; its steps follow."""
        op = Operation(uuid4().hex, kind, dict(args), actor, datetime.now(UTC))
        with self._db(write=True) as db:
            db.execute("INSERT INTO journal VALUES (?,?,?,?,?)",
                       (op.id, kind, json.dumps(op.args), actor, op.started_at.isoformat()))
        return op

    def pending(self) -> list[Operation]:
        """Operations started and not finished, oldest first."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM journal ORDER BY started_at").fetchall()
        return [Operation(r["id"], r["kind"], json.loads(r["args"]), r["actor"],
                          datetime.fromisoformat(r["started_at"])) for r in rows]

    def finish(self, operation_id: str) -> None:
        """Forget a finished operation."""
        with self._db(write=True) as db:
            db.execute("DELETE FROM journal WHERE id = ?", (operation_id,))
