"""Faceprint vectors in SQLite with an exact in-memory cosine search.

SQLite keeps the vectors durable and consistent across gunicorn workers; each worker
holds a numpy copy for fast search and reloads it only when another process changed
the index (a generation counter bumped in the same transaction as the change).
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from webapp.backends.local.sqlite_db import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (face_id TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', 0);
"""
_BUMP = "UPDATE meta SET value = value + 1 WHERE key = 'generation'"


class VectorIndex:
    """L2-normalised float32 vectors by face id; search returns cosine similarities."""

    def __init__(self, path: Path, dim: int = 128):
        self.path = Path(path)
        self.dim = dim
        self._lock = threading.Lock()
        self._generation = -1
        self._ids: list[str] = []
        self._matrix = np.zeros((0, dim), dtype=np.float32)

    def add(self, face_id: str, vector: np.ndarray) -> None:
        """Store one vector (normalised here so search is a dot product)."""
        vec = np.asarray(vector, dtype=np.float32).reshape(self.dim)
        vec = vec / max(float(np.linalg.norm(vec)), 1e-12)
        with connect(self.path, SCHEMA, write=True) as db:
            db.execute("INSERT INTO vectors VALUES (?, ?)", (face_id, vec.tobytes()))
            db.execute(_BUMP)

    def remove(self, face_ids: list[str]) -> int:
        """Delete vectors by id; returns how many existed."""
        if not face_ids:
            return 0
        marks = ",".join("?" * len(face_ids))
        with connect(self.path, SCHEMA, write=True) as db:
            removed = db.execute(f"DELETE FROM vectors WHERE face_id IN ({marks})", face_ids).rowcount
            db.execute(_BUMP)
        return removed

    def ids(self) -> list[str]:
        """Every stored face id, sorted."""
        with connect(self.path, SCHEMA) as db:
            return [r[0] for r in db.execute("SELECT face_id FROM vectors ORDER BY face_id")]

    def search(self, vector: np.ndarray, limit: int = 1) -> list[tuple[str, float]]:
        """The `limit` nearest face ids with their cosine similarity, best first."""
        ids, matrix = self._snapshot()
        if not ids:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(self.dim)
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        scores = matrix @ query
        k = min(limit, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(ids[i], float(scores[i])) for i in top]

    def _snapshot(self) -> tuple[list[str], np.ndarray]:
        """The current ids and matrix, reloaded only if the generation moved on."""
        with connect(self.path, SCHEMA) as db:
            generation = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
            with self._lock:
                if generation == self._generation:
                    return self._ids, self._matrix
                rows = db.execute("SELECT face_id, vector FROM vectors ORDER BY face_id").fetchall()
        ids = [r[0] for r in rows]
        matrix = (
            np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), self.dim)
            if rows else np.zeros((0, self.dim), dtype=np.float32)
        )
        with self._lock:
            self._generation, self._ids, self._matrix = generation, ids, matrix
        return ids, matrix
