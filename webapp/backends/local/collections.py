"""Collections for the Rekognition endpoint: rows in SQLite, one vector index file per collection.

A collection's faceprints live in a VectorIndex of their own (`collections/<file>.sqlite3`),
so deleting a collection is deleting its file, a search never has to filter out other
collections, and the web app's index (and `flask doctor`) never sees a face indexed over
the wire. The web app's own collection is a row here too: its wire-indexed faces have
their own file, and searches of it also look in the web app's index for enrolled faces.
"""
from __future__ import annotations

import builtins
import sqlite3
import threading
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import numpy as np

from webapp.backends.local.face_collection import LocalFaceCollection
from webapp.backends.local.os_errors import storage_errors
from webapp.backends.local.pixels import photo_rgb
from webapp.backends.local.sqlite_db import connect
from webapp.backends.local.vector_index import VectorIndex
from webapp.domain import BoundingBox, CollectionInfo, DetectedFace, FaceMatch, StoredFace
from webapp.errors import Conflict, NotFound
from webapp.images import Photo

SCHEMA = """
CREATE TABLE IF NOT EXISTS collections (
    name TEXT PRIMARY KEY, file TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collection_faces (
    face_id TEXT PRIMARY KEY,
    collection TEXT NOT NULL REFERENCES collections(name) ON DELETE CASCADE,
    image_id TEXT NOT NULL, external_image_id TEXT, confidence REAL,
    box_left REAL, box_top REAL, box_width REAL, box_height REAL);
CREATE INDEX IF NOT EXISTS collection_faces_by_collection ON collection_faces(collection, face_id);
"""
_FACES = "SELECT * FROM collection_faces WHERE collection = ?"


def _stored(row: sqlite3.Row) -> StoredFace:
    """A StoredFace from a collection_faces row."""
    box = BoundingBox(row["box_left"], row["box_top"], row["box_width"], row["box_height"])
    return StoredFace(row["face_id"], box, row["image_id"], row["confidence"], row["external_image_id"])


class SqliteCollections:
    """The Collections capability on SQLite and the local face engine."""

    def __init__(self, path: Path, folder: Path, web: LocalFaceCollection, web_name: str):
        """`web` is the web app's FaceCollection; its faces are part of the collection `web_name`."""
        self.path = Path(path)
        self.folder = Path(folder)
        self.web = web
        self.web_name = web_name
        self._indexes: dict[str, VectorIndex] = {}
        self._lock = threading.Lock()

    def _db(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        """A connection context for one operation."""
        return connect(self.path, SCHEMA, write)

    def _row(self, db: sqlite3.Connection, name: str) -> sqlite3.Row | None:
        """The collection row, creating the web app's collection the first time it is asked for."""
        row: sqlite3.Row | None = db.execute("SELECT * FROM collections WHERE name = ?", (name,)).fetchone()
        if row is None and name == self.web_name:
            db.execute("INSERT INTO collections VALUES (?,?,?)", (name, uuid4().hex, _now()))
            row = db.execute("SELECT * FROM collections WHERE name = ?", (name,)).fetchone()
        return row

    def _require(self, db: sqlite3.Connection, name: str) -> sqlite3.Row:
        """The collection row, or NotFound."""
        row = self._row(db, name)
        if row is None:
            raise NotFound(f"The collection id: {name} does not exist")
        return row

    def _index(self, file: str) -> VectorIndex:
        """This process's VectorIndex of one collection file."""
        with self._lock:
            if file not in self._indexes:
                # Same engine and size as the web app's index: faceprints of one engine are comparable.
                web = self.web.index_store
                self._indexes[file] = VectorIndex(self.folder / f"{file}.sqlite3", dim=web.dim, engine=web.engine)
            return self._indexes[file]

    def create(self, name: str) -> CollectionInfo:
        """A new, empty collection."""
        with self._db(write=True) as db:
            if self._row(db, name) is not None:
                raise Conflict(f"The collection id: {name} already exists")
            created = _now()
            db.execute("INSERT INTO collections VALUES (?,?,?)", (name, uuid4().hex, created))
        return CollectionInfo(name, datetime.fromisoformat(created), 0)

    def delete(self, name: str) -> None:
        """Rows first (the collection is gone at once), then its vector file and the files beside it."""
        with self._db(write=True) as db:
            file = self._require(db, name)["file"]
            db.execute("DELETE FROM collections WHERE name = ?", (name,))
        with self._lock:
            self._indexes.pop(file, None)
        with storage_errors(self.folder / file):
            for path in self.folder.glob(f"{file}.*"):
                path.unlink(missing_ok=True)

    def get(self, name: str) -> CollectionInfo | None:
        """One collection with the number of faces indexed into it over the wire."""
        with self._db(write=name == self.web_name) as db:
            row = self._row(db, name)
            if row is None:
                return None
            count = db.execute("SELECT COUNT(*) FROM collection_faces WHERE collection = ?", (name,)).fetchone()[0]
        return CollectionInfo(name, datetime.fromisoformat(row["created_at"]), count)

    def list(self) -> list[CollectionInfo]:
        """Every collection (the web app's included), by name."""
        with self._db(write=True) as db:
            self._row(db, self.web_name)
            rows = db.execute(
                "SELECT c.name, c.created_at, (SELECT COUNT(*) FROM collection_faces f WHERE f.collection = c.name) "
                "AS face_count FROM collections c ORDER BY c.name").fetchall()
        return [CollectionInfo(r["name"], datetime.fromisoformat(r["created_at"]), r["face_count"]) for r in rows]

    def index(self, name: str, photo: Photo, faces: builtins.list[DetectedFace],
              external_image_id: str | None) -> builtins.list[StoredFace]:
        """Embed each face, store its vector in the collection's file, then its row."""
        with self._db(write=name == self.web_name) as db:
            file = self._require(db, name)["file"]
        pixels = photo_rgb(photo)
        image_id = uuid4().hex
        stored = [StoredFace(uuid4().hex, f.bounding_box, image_id, f.confidence, external_image_id) for f in faces]
        vectors = [(s.face_id, self.web.engine.embed(pixels, f)) for s, f in zip(stored, faces, strict=True)]
        index = self._index(file)
        index.add_many(vectors)
        try:
            with self._db(write=True) as db:
                self._require(db, name)  # deleted meanwhile: fail rather than leave rows of no collection
                db.executemany("INSERT INTO collection_faces VALUES (?,?,?,?,?,?,?,?,?)", [
                    (s.face_id, name, s.image_id, s.external_image_id, s.confidence, s.bounding_box.left,
                     s.bounding_box.top, s.bounding_box.width, s.bounding_box.height) for s in stored])
        except BaseException:
            index.remove([s.face_id for s in stored])  # no faceprint without its row
            raise
        return stored

    def faces(self, name: str, face_ids: builtins.list[str] | None = None) -> builtins.list[StoredFace]:
        """Faces indexed into the collection over the wire, by face id."""
        with self._db(write=name == self.web_name) as db:
            self._require(db, name)
            if face_ids is None:
                rows = db.execute(_FACES + " ORDER BY face_id", (name,)).fetchall()
            else:
                marks = ",".join("?" * len(face_ids))
                rows = db.execute(_FACES + f" AND face_id IN ({marks}) ORDER BY face_id", (name, *face_ids)).fetchall()
        return [_stored(r) for r in rows]

    def delete_faces(self, name: str, face_ids: builtins.list[str]) -> builtins.list[str]:
        """Rows first, then faceprints; returns the ids that were in the collection."""
        with self._db(write=True) as db:
            file = self._require(db, name)["file"]
            marks = ",".join("?" * len(face_ids))
            found = [r[0] for r in db.execute(_FACES.replace("*", "face_id") + f" AND face_id IN ({marks})",
                                              (name, *face_ids))]
            db.execute(f"DELETE FROM collection_faces WHERE face_id IN ({','.join('?' * len(found))})", found)
        self._index(file).remove(found)
        return found

    def search(self, name: str, photo: Photo, face: DetectedFace, threshold: float,
               limit: int) -> builtins.list[FaceMatch]:
        """Embed the face once and search the collection (plus enrolled faces for the web app's)."""
        with self._db(write=name == self.web_name) as db:
            file = self._require(db, name)["file"]
        vector = self.web.engine.embed(photo_rgb(photo), face)
        return self._search(name, file, vector, threshold, limit)

    def search_face(self, name: str, face_id: str, threshold: float, limit: int) -> builtins.list[FaceMatch] | None:
        """Search with a stored face's vector; the face itself is not among the matches."""
        with self._db(write=name == self.web_name) as db:
            file = self._require(db, name)["file"]
            own = db.execute("SELECT 1 FROM collection_faces WHERE collection = ? AND face_id = ?",
                             (name, face_id)).fetchone()
        vector = self._index(file).vector(face_id) if own else None
        if vector is None and name == self.web_name:
            vector = self.web.index_store.vector(face_id)
        if vector is None:
            return None
        matches = self._search(name, file, vector, threshold, limit + 1)
        return [m for m in matches if m.face_id != face_id][:limit]

    def _search(self, name: str, file: str, vector: np.ndarray, threshold: float,
                limit: int) -> builtins.list[FaceMatch]:
        """Nearest faces of the collection's file (and the web app's index) at or above the threshold."""
        found = self._index(file).search(vector, limit)
        if name == self.web_name:
            found += self.web.index_store.search(vector, limit)
        similarity = self.web.engine.similarity
        matches = [FaceMatch(face_id, similarity(cosine)) for face_id, cosine in found]
        matches = [m for m in matches if m.similarity >= threshold]
        return sorted(matches, key=lambda m: -m.similarity)[:limit]


def _now() -> str:
    """The current UTC time as ISO text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")
