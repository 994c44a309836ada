"""The directory in one SQLite file: its schema, a base for its adapters, and the people/faces adapter."""
from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from webapp.backends.local.sqlite_db import connect
from webapp.domain import BoundingBox, FaceRecord, Person
from webapp.errors import NotFound

SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL,
    consent_by TEXT NOT NULL, consent_text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS faces (
    face_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    image_key TEXT NOT NULL, crop_key TEXT NOT NULL,
    box_left REAL, box_top REAL, box_width REAL, box_height REAL);
CREATE INDEX IF NOT EXISTS faces_person ON faces(person_id);
CREATE TABLE IF NOT EXISTS analyses (
    id TEXT PRIMARY KEY, created_at TEXT NOT NULL, image_key TEXT NOT NULL,
    thumb_key TEXT NOT NULL, width INTEGER, height INTEGER, filename TEXT, labels TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS analyses_created ON analyses(created_at);
CREATE TABLE IF NOT EXISTS analysis_vision (
    analysis_id TEXT PRIMARY KEY REFERENCES analyses(id) ON DELETE CASCADE,
    moderation TEXT NOT NULL, text TEXT);
CREATE TABLE IF NOT EXISTS analysis_faces (
    analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, confidence REAL,
    box_left REAL, box_top REAL, box_width REAL, box_height REAL,
    -- a forgotten person is unlinked from past analyses: no name, no similarity remains
    person_id TEXT REFERENCES people(id) ON DELETE SET NULL, similarity REAL,
    PRIMARY KEY (analysis_id, position));
-- photos whose faces were found turned (rows only for 90/180/270; a table of its own, so older files need no
-- migration): the local detector picks one orientation per photo
CREATE TABLE IF NOT EXISTS analysis_orientation (
    analysis_id TEXT PRIMARY KEY REFERENCES analyses(id) ON DELETE CASCADE, degrees INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS forget_similarity AFTER UPDATE OF person_id ON analysis_faces
    WHEN NEW.person_id IS NULL BEGIN
    UPDATE analysis_faces SET similarity = NULL
     WHERE analysis_id = NEW.analysis_id AND position = NEW.position; END;
CREATE INDEX IF NOT EXISTS analysis_faces_person ON analysis_faces(person_id);
-- who made an analysis (histories list only their own), and its labels (with parents) to filter by
CREATE TABLE IF NOT EXISTS analysis_owners (
    analysis_id TEXT PRIMARY KEY REFERENCES analyses(id) ON DELETE CASCADE,
    owner TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS analysis_owners_owner ON analysis_owners(owner, created_at);
CREATE TABLE IF NOT EXISTS analysis_labels (
    analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE, name TEXT NOT NULL,
    PRIMARY KEY (analysis_id, name));
CREATE INDEX IF NOT EXISTS analysis_labels_name ON analysis_labels(name);
-- the words of the text read (webapp.words), to filter by; deleted with the analysis
CREATE TABLE IF NOT EXISTS analysis_words (
    word TEXT NOT NULL, analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
    PRIMARY KEY (word, analysis_id));
CREATE INDEX IF NOT EXISTS analysis_words_analysis ON analysis_words(analysis_id);
-- the enrolled face each analysed face matched (moving or removing that face relinks the analysis)
CREATE TABLE IF NOT EXISTS analysis_matches (
    analysis_id TEXT NOT NULL, position INTEGER NOT NULL, face_id TEXT NOT NULL,
    PRIMARY KEY (analysis_id, position),
    FOREIGN KEY (analysis_id, position) REFERENCES analysis_faces(analysis_id, position) ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS analysis_matches_face ON analysis_matches(face_id);
CREATE TRIGGER IF NOT EXISTS forget_match AFTER UPDATE OF person_id ON analysis_faces
    WHEN NEW.person_id IS NULL BEGIN
    DELETE FROM analysis_matches WHERE analysis_id = NEW.analysis_id AND position = NEW.position; END;
-- operations of several steps (merge, move, remove a face) until they finish: the doctor resumes them
CREATE TABLE IF NOT EXISTS journal (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, args TEXT NOT NULL, actor TEXT NOT NULL, started_at TEXT NOT NULL);
-- bulk import: which folder made which person, which photo (sha256 of its bytes) made which face
CREATE TABLE IF NOT EXISTS import_folders (
    folder_key TEXT PRIMARY KEY, person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS import_sources (
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE, digest TEXT NOT NULL, face_id TEXT NOT NULL,
    PRIMARY KEY (person_id, digest));
-- unknown faces kept for "who is this?" while their analysis is kept; their prints are in unknown.sqlite3
CREATE TABLE IF NOT EXISTS unknown_faces (
    face_id TEXT PRIMARY KEY, analysis_id TEXT NOT NULL, position INTEGER NOT NULL,
    box_left REAL, box_top REAL, box_width REAL, box_height REAL, cluster_id TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS unknown_faces_cluster ON unknown_faces(cluster_id, created_at);
CREATE INDEX IF NOT EXISTS unknown_faces_analysis ON unknown_faces(analysis_id);
CREATE TABLE IF NOT EXISTS admins (
    username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, label TEXT NOT NULL,
    created_at TEXT NOT NULL);
"""


def _now() -> str:
    """The current UTC time as ISO text."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _box(row: sqlite3.Row) -> BoundingBox:
    """A BoundingBox from a row's box_* columns."""
    return BoundingBox(row["box_left"], row["box_top"], row["box_width"], row["box_height"])


class SqliteTables:
    """A base for the adapters that share the directory's SQLite file (WAL mode, one connection per call)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _db(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        """A connection context for one operation."""
        return connect(self.path, SCHEMA, write)


class SqlitePeople(SqliteTables):
    """The PeopleDirectory port: people and faceprint → person rows."""

    def _person(self, row: sqlite3.Row) -> Person:
        """A Person from a people row joined with its face count."""
        return Person(
            id=row["id"], name=row["name"], created_at=datetime.fromisoformat(row["created_at"]),
            face_count=row["face_count"], consent_by=row["consent_by"], consent_text=row["consent_text"],
        )

    _PEOPLE = (
        "SELECT p.*, (SELECT COUNT(*) FROM faces f WHERE f.person_id = p.id) AS face_count FROM people p"
    )

    def add_person(self, name: str, consent_by: str, consent_text: str) -> Person:
        """Create a person with a new id and the consent record."""
        return self.claim_person(uuid4().hex, name, consent_by, consent_text)[0]

    def claim_person(self, person_id: str, name: str, consent_by: str, consent_text: str) -> tuple[Person, bool]:
        """Create the person with this id unless it exists: (the person, created now?)."""
        with self._db(write=True) as db:
            created = db.execute(
                "INSERT OR IGNORE INTO people (id, name, created_at, consent_by, consent_text) VALUES (?,?,?,?,?)",
                (person_id, name, _now(), consent_by, consent_text),
            ).rowcount == 1
            row = db.execute(self._PEOPLE + " WHERE p.id = ?", (person_id,)).fetchone()
        return self._person(row), created

    def get_person(self, person_id: str) -> Person | None:
        """One person, or None."""
        with self._db() as db:
            row = db.execute(self._PEOPLE + " WHERE p.id = ?", (person_id,)).fetchone()
        return self._person(row) if row else None

    def list_people(self) -> list[Person]:
        """Everyone, sorted by name (case-insensitive)."""
        with self._db() as db:
            rows = db.execute(self._PEOPLE + " ORDER BY p.name COLLATE NOCASE, p.created_at").fetchall()
        return [self._person(r) for r in rows]

    def rename_person(self, person_id: str, name: str) -> None:
        """Give a person another name (past analyses show it at once: names are read by id)."""
        with self._db(write=True) as db:
            db.execute("UPDATE people SET name = ? WHERE id = ?", (name, person_id))

    def move_faces(self, face_ids: list[str], person_id: str) -> None:
        """Point these face rows at another person (rows already there are left alone)."""
        if not face_ids:
            return
        marks = ",".join("?" * len(face_ids))
        with self._db(write=True) as db:
            db.execute(f"UPDATE faces SET person_id = ? WHERE face_id IN ({marks})", (person_id, *face_ids))

    def delete_person(self, person_id: str) -> None:
        """Delete the person; faces cascade and past analyses are unlinked."""
        with self._db(write=True) as db:
            db.execute("DELETE FROM people WHERE id = ?", (person_id,))

    def add_face(self, record: FaceRecord) -> None:
        """Record one faceprint of a person."""
        b = record.bounding_box
        with self._db(write=True) as db:
            try:
                db.execute(
                    "INSERT INTO faces VALUES (?,?,?,?,?,?,?,?)",
                    (record.face_id, record.person_id, record.image_key, record.crop_key,
                     b.left, b.top, b.width, b.height),
                )
            except sqlite3.IntegrityError as exc:  # the person was deleted meanwhile (foreign key)
                raise NotFound("There is no person with that id.") from exc

    def delete_faces(self, face_ids: list[str]) -> None:
        """Remove face rows by id."""
        if not face_ids:
            return
        marks = ",".join("?" * len(face_ids))
        with self._db(write=True) as db:
            db.execute(f"DELETE FROM faces WHERE face_id IN ({marks})", face_ids)

    def faces_of(self, person_id: str) -> list[FaceRecord]:
        """The face rows of one person, in insertion order."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM faces WHERE person_id = ? ORDER BY rowid", (person_id,)).fetchall()
        return [FaceRecord(r["face_id"], r["person_id"], r["image_key"], r["crop_key"], _box(r)) for r in rows]

    def people_for_faces(self, face_ids: list[str]) -> dict[str, Person]:
        """Map each known face id to its person."""
        if not face_ids:
            return {}
        marks = ",".join("?" * len(face_ids))
        with self._db() as db:
            rows = db.execute(
                f"SELECT f.face_id, p.*, 0 AS face_count FROM faces f JOIN people p ON p.id = f.person_id "
                f"WHERE f.face_id IN ({marks})",
                face_ids,
            ).fetchall()
        return {r["face_id"]: self._person(r) for r in rows}

    def all_face_ids(self) -> list[str]:
        """Every face id known here."""
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT face_id FROM faces ORDER BY face_id")]
