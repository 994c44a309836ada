"""The vector index's SQLite schema and its upgrades (each idempotent, run once per process).

Every row says which engine made its faceprint (`engine`), because faceprints of two engines
cannot be compared: search reads only the rows of the engine the app runs, and
`flask index reembed` brings the others over from the stored enrolment photos.
"""
from __future__ import annotations

from pathlib import Path

from webapp.backends.local.sqlite_db import connect

# What every row stored before engine tags existed was made by: there was only ever this one.
LEGACY_ENGINE = "sface-2021dec-int8bq"
VECTORS = f"""CREATE TABLE IF NOT EXISTS vectors (
    key INTEGER PRIMARY KEY AUTOINCREMENT, face_id TEXT NOT NULL UNIQUE, vector BLOB NOT NULL,
    engine TEXT NOT NULL DEFAULT '{LEGACY_ENGINE}')"""
SCHEMA = VECTORS + """;
CREATE INDEX IF NOT EXISTS vectors_by_engine ON vectors (engine, key);
CREATE TABLE IF NOT EXISTS removed (key INTEGER PRIMARY KEY, generation INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS removed_by_generation ON removed (generation);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', 0);
INSERT OR IGNORE INTO meta VALUES ('pruned', 0);
INSERT OR IGNORE INTO meta VALUES ('origin', abs(random()));
"""
BUMP = "UPDATE meta SET value = value + 1 WHERE key = 'generation' RETURNING value"


def upgrade(path: Path) -> None:
    """Bring an older vectors file up to SCHEMA: add the key column, then the engine column."""
    # The base tables first, without the engine index (an old table has no engine column yet).
    base = SCHEMA.replace("CREATE INDEX IF NOT EXISTS vectors_by_engine ON vectors (engine, key);", "")
    with connect(path, base, write=True) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(vectors)")}
        if "key" not in columns:
            # Before keys: rebuild the table, rows keep their order (all made by the legacy engine).
            db.execute("ALTER TABLE vectors RENAME TO vectors_old")
            db.execute(VECTORS)
            db.execute("INSERT INTO vectors (face_id, vector) SELECT face_id, vector FROM vectors_old ORDER BY rowid")
            db.execute("DROP TABLE vectors_old")
            db.execute(BUMP).fetchone()
        elif "engine" not in columns:
            # Keys but no engine tag: every existing row was made by the legacy engine.
            db.execute(f"ALTER TABLE vectors ADD COLUMN engine TEXT NOT NULL DEFAULT '{LEGACY_ENGINE}'")
