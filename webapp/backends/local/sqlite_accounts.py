"""The AuditLog and AccountStore ports on the directory's SQLite file."""
from __future__ import annotations

from datetime import datetime

from webapp.backends.local.sqlite_directory import SqliteTables, _now
from webapp.domain import AuditEntry


class SqliteAudit(SqliteTables):
    """The audit log table."""

    def add_audit(self, entry: AuditEntry) -> None:
        """Append to the audit log."""
        with self._db(write=True) as db:
            db.execute("INSERT INTO audit VALUES (?,?,?,?,?)",
                       (entry.at.isoformat(), entry.actor, entry.action, entry.subject, entry.detail))

    def list_audit(self, limit: int) -> list[AuditEntry]:
        """Newest entries first."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM audit ORDER BY at DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        return [AuditEntry(datetime.fromisoformat(r["at"]), r["actor"], r["action"], r["subject"], r["detail"])
                for r in rows]


class SqliteAccounts(SqliteTables):
    """Admins and API token hashes."""

    def add_admin(self, username: str, password_hash: str) -> None:
        """Create or replace an admin."""
        with self._db(write=True) as db:
            db.execute("INSERT OR REPLACE INTO admins VALUES (?,?,?)", (username, password_hash, _now()))

    def admin_password_hash(self, username: str) -> str | None:
        """The hash for username, or None."""
        with self._db() as db:
            row = db.execute("SELECT password_hash FROM admins WHERE username = ?", (username,)).fetchone()
        return row[0] if row else None

    def count_admins(self) -> int:
        """How many admins exist."""
        with self._db() as db:
            return int(db.execute("SELECT COUNT(*) FROM admins").fetchone()[0])

    def add_token(self, token_id: str, token_hash: str, label: str) -> None:
        """Store an API token hash."""
        with self._db(write=True) as db:
            db.execute("INSERT INTO tokens VALUES (?,?,?,?)", (token_id, token_hash, label, _now()))

    def token_exists(self, token_hash: str) -> bool:
        """Whether a token with this hash exists."""
        with self._db() as db:
            return db.execute("SELECT 1 FROM tokens WHERE token_hash = ?", (token_hash,)).fetchone() is not None

    def revoke_token(self, token_id: str) -> bool:
        """Delete a token; False if it did not exist."""
        with self._db(write=True) as db:
            return db.execute("DELETE FROM tokens WHERE id = ?", (token_id,)).rowcount > 0
