"""The ImportLedger port on the directory's SQLite file (rows go with their person: ON DELETE CASCADE)."""
from __future__ import annotations

from webapp.backends.local.sqlite_directory import SqliteTables


class SqliteImports(SqliteTables):
    """Folder key → person, and the photos (by digest) already imported for a person."""

    def claim(self, folder_key: str, person_id: str) -> str:
        """Tie a folder to a person unless it is tied already; returns the person it is tied to."""
        with self._db(write=True) as db:
            db.execute("INSERT OR IGNORE INTO import_folders VALUES (?, ?)", (folder_key, person_id))
            row = db.execute("SELECT person_id FROM import_folders WHERE folder_key = ?", (folder_key,)).fetchone()
            return str(row[0])

    def person_for(self, folder_key: str) -> str | None:
        """The person a folder was imported as, if any."""
        with self._db() as db:
            row = db.execute("SELECT person_id FROM import_folders WHERE folder_key = ?", (folder_key,)).fetchone()
        return row[0] if row else None

    def release(self, folder_key: str) -> None:
        """Untie a folder (its person is gone)."""
        with self._db(write=True) as db:
            db.execute("DELETE FROM import_folders WHERE folder_key = ?", (folder_key,))

    def sources(self, person_id: str) -> set[str]:
        """Digests of the photos already imported for a person."""
        with self._db() as db:
            return {r[0] for r in db.execute("SELECT digest FROM import_sources WHERE person_id = ?", (person_id,))}

    def add_source(self, person_id: str, digest: str, face_id: str) -> None:
        """Record that a photo became a face of the person."""
        with self._db(write=True) as db:
            db.execute("INSERT OR IGNORE INTO import_sources VALUES (?, ?, ?)", (person_id, digest, face_id))
