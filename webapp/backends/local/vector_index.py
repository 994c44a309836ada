"""Faceprint vectors in SQLite, searched exactly in memory or through an approximate index when large.

SQLite is the source of truth, shared safely by gunicorn workers. Each row gets a key
that only grows (AUTOINCREMENT), every change bumps a generation counter in the same
transaction, and every removal leaves a tombstone (key, generation). So a worker whose
copy is at generation g catches up from SQLite alone: rows with key > its largest key
are new, tombstones newer than g are gone. Below `ann_threshold` vectors the copy is a
numpy matrix searched exactly; above it, a quantised faiss index (ann_index.py) finds
candidates that are re-scored exactly from SQLite. That index is checkpointed to a file
next to the database; a worker starting up loads it and replays only what changed since.
"""
from __future__ import annotations

import fcntl
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from webapp.backends.local import ann_index
from webapp.backends.local.ann_index import AnnIndex
from webapp.backends.local.sqlite_db import connect
from webapp.backends.local.vector_schema import BUMP as _BUMP
from webapp.backends.local.vector_schema import LEGACY_ENGINE, SCHEMA, upgrade

log = logging.getLogger(__name__)
# bench/scale.py: an exact scan costs ~0.017 ms per 1k faces (0.14 ms at 10k, 1.7 ms at
# 100k, 17 ms at 1M); the approximate index ~0.3 ms at 100k, ~1.5 ms at 1M, plus a build.
# They cross between 20k and 50k; below 20k the build is not worth it.
ANN_THRESHOLD = 20_000
RERANK = 10  # approximate candidates re-scored exactly per search
SAVE_EVERY = 1_000  # changes replayed in memory before the checkpoint file is rewritten


@dataclass
class _State:
    """One process's copy of the index as of a generation."""

    generation: int
    max_key: int = 0
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ids: list[str] = field(default_factory=list)
    matrix: np.ndarray | None = None
    ann: AnnIndex | None = None
    unsaved: int = 0


def _unit(vector: np.ndarray, dim: int) -> np.ndarray:
    """A float32 copy scaled to length 1 (so cosine similarity is a dot product)."""
    vec = np.asarray(vector, dtype=np.float32).reshape(dim)
    return vec / max(float(np.linalg.norm(vec)), 1e-12)


def _matrix(blobs: list[bytes], dim: int) -> np.ndarray:
    """Stack vector blobs into an (n, dim) float32 matrix."""
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), dim)


class VectorIndex:
    """L2-normalised float32 vectors by face id; search returns cosine similarities."""

    def __init__(self, path: Path, dim: int = 128, ann_threshold: int = ANN_THRESHOLD, ann_path: Path | None = None,
                 engine: str = LEGACY_ENGINE):
        """Remember where the vectors live and which engine's rows to search; nothing is read yet."""
        self.path = Path(path)
        self.dim = dim
        self.engine = engine
        self.ann_threshold = ann_threshold
        self.ann_path = Path(ann_path) if ann_path else self.path.with_suffix(".ann.npz")
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._migrated = False

    def add(self, face_id: str, vector: np.ndarray) -> None:
        """Store one vector (normalised here so search is a dot product)."""
        self.add_many([(face_id, vector)])

    def add_many(self, items: list[tuple[str, np.ndarray]]) -> None:
        """Store several vectors in one transaction (bulk imports, benchmarks)."""
        rows = [(face_id, _unit(vector, self.dim).tobytes(), self.engine) for face_id, vector in items]
        with self._db(write=True) as db:
            db.executemany("INSERT INTO vectors (face_id, vector, engine) VALUES (?, ?, ?)", rows)
            db.execute(_BUMP).fetchone()

    def replace(self, face_id: str, vector: np.ndarray) -> bool:
        """Swap a face's vector for one made by this index's engine, in one transaction (the face id stays).

        The old row is tombstoned and a new one added, so other workers catch up as for any
        change; an interruption leaves either the old row or the new one, never neither.
        Returns False if the face id is not stored (forgotten meanwhile).
        """
        with self._db(write=True) as db:
            generation = db.execute(_BUMP).fetchone()[0]
            db.execute("INSERT INTO removed SELECT key, ? FROM vectors WHERE face_id = ?", (generation, face_id))
            if not db.execute("DELETE FROM vectors WHERE face_id = ?", (face_id,)).rowcount:
                return False
            db.execute("INSERT INTO vectors (face_id, vector, engine) VALUES (?, ?, ?)",
                       (face_id, _unit(vector, self.dim).tobytes(), self.engine))
        with self._checkpoint_lock():  # it holds the old faceprint: rebuilt on next load
            self.ann_path.unlink(missing_ok=True)
        return True

    def stale_ids(self) -> list[str]:
        """Face ids whose vectors another engine made (not searched until re-embedded), oldest first."""
        with self._db() as db:
            rows = db.execute("SELECT face_id FROM vectors WHERE engine != ? ORDER BY key", (self.engine,))
            return [r[0] for r in rows]

    def remove(self, face_ids: list[str]) -> int:
        """Delete vectors by id, leaving a tombstone per key for other workers; returns how many existed."""
        if not face_ids:
            return 0
        marks = ",".join("?" * len(face_ids))
        with self._db(write=True) as db:
            generation = db.execute(_BUMP).fetchone()[0]
            db.execute(
                f"INSERT INTO removed SELECT key, ? FROM vectors WHERE face_id IN ({marks})", [generation, *face_ids]
            )
            removed = db.execute(f"DELETE FROM vectors WHERE face_id IN ({marks})", face_ids).rowcount
        if removed:
            # The checkpoint holds (compressed) faceprints: a forgotten face must not stay on disk
            # in it. The next worker to load rebuilds it; running workers drop theirs on catch-up.
            with self._checkpoint_lock():
                self.ann_path.unlink(missing_ok=True)
        return removed

    def vector(self, face_id: str) -> np.ndarray | None:
        """This engine's stored (unit) vector of one face id, or None (Rekognition's SearchFaces by face id)."""
        with self._db() as db:
            row = db.execute("SELECT vector FROM vectors WHERE face_id = ? AND engine = ?",
                             (face_id, self.engine)).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype=np.float32).copy()

    def ids(self) -> list[str]:
        """Every stored face id, sorted."""
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT face_id FROM vectors ORDER BY face_id")]

    def search(self, vector: np.ndarray, limit: int = 1) -> list[tuple[str, float]]:
        """The `limit` nearest face ids with their cosine similarity, best first."""
        query = _unit(vector, self.dim)
        with self._db() as db:
            state = self._refresh(db)
            if state.ann is None:
                return self._search_exact(state, query, limit)
            with self._lock:  # faiss must not search while another thread changes the index
                keys = state.ann.search(query, max(limit, RERANK))
            return self._rescore(db, keys, query, limit)

    def rebuild(self) -> dict:
        """Rebuild this process's copy and the checkpoint from SQLite; prune old tombstones."""
        with self._db(write=True) as db:
            generation = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
            # Workers whose copy predates this point reload fully instead of replaying.
            db.execute("DELETE FROM removed WHERE generation <= ?", (generation,))
            db.execute("UPDATE meta SET value = ? WHERE key = 'pruned'", (generation,))
        with self._db() as db, self._lock:
            self.ann_path.unlink(missing_ok=True)
            self._state = self._load(db, self._meta(db, "generation"))
        return self.status()

    def status(self) -> dict:
        """Size, mode and checkpoint of the index as this process sees it."""
        with self._db() as db:
            state = self._refresh(db)
            engines = dict(db.execute("SELECT engine, COUNT(*) FROM vectors GROUP BY engine").fetchall())
        return {
            "vectors": engines.get(self.engine, 0), "engine": self.engine,
            "stale": sum(n for e, n in engines.items() if e != self.engine),
            "generation": state.generation, "mode": "approximate" if state.ann else "exact",
            "threshold": self.ann_threshold, "checkpoint": str(self.ann_path) if self.ann_path.exists() else None,
        }

    def _db(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        """A connection to the vectors database (migrating a pre-key schema once)."""
        if not self._migrated:
            self._migrate()
        return connect(self.path, SCHEMA, write=write)

    def _migrate(self) -> None:
        """Upgrade an older file once per process (vector_schema.upgrade)."""
        upgrade(self.path)
        self._migrated = True

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> int:
        """One counter from the meta table."""
        return int(db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

    def _refresh(self, db: sqlite3.Connection) -> _State:
        """This process's copy, caught up with the generation visible in `db`'s snapshot."""
        generation = self._meta(db, "generation")
        with self._lock:
            state = self._state
            if state is not None and state.generation >= generation:
                return state
            if state is None or state.generation < self._meta(db, "pruned"):
                state = self._load(db, generation)
            else:
                state = self._catch_up(db, state, generation)
            self._state = self._maintain(db, state) if state.ann is not None else state
            return self._state

    def _load(self, db: sqlite3.Connection, generation: int) -> _State:
        """A fresh copy: the whole table when small, else the checkpoint (or a build) plus the delta."""
        count = db.execute("SELECT COUNT(*) FROM vectors WHERE engine = ?", (self.engine,)).fetchone()[0]
        if count < self.ann_threshold or not ann_index.available():
            if count >= self.ann_threshold:
                log.warning("faiss is not installed: searching %d faces exactly (slower)", count)
            return self._catch_up(db, _State(generation=generation), generation)
        with self._checkpoint_lock():  # one worker builds while the others wait, then load its file
            state = self._from_checkpoint(db, generation)
            if state is None:
                rows = db.execute("SELECT key, vector FROM vectors WHERE engine = ? ORDER BY key",
                                  (self.engine,)).fetchall()
                keys = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
                ann = AnnIndex.build(keys, _matrix([r[1] for r in rows], self.dim))
                self._save_locked(ann, generation, self._meta(db, "origin"))
                state = _State(generation=generation, max_key=ann.max_key, ann=ann)
        return state

    def _from_checkpoint(self, db: sqlite3.Connection, generation: int) -> _State | None:
        """The saved index of this very database, caught up to now; None if there is none usable."""
        loaded = AnnIndex.load(self.ann_path, self.dim, self._meta(db, "origin"))
        if loaded is None or loaded[1] < self._meta(db, "pruned"):
            return None
        ann, saved_at = loaded
        # A checkpoint saved after our snapshot began is newer than what we can see: keep its generation.
        return self._catch_up(db, _State(generation=saved_at, max_key=ann.max_key, ann=ann), max(generation, saved_at))

    def _catch_up(self, db: sqlite3.Connection, state: _State, generation: int) -> _State:
        """Replay tombstones and new rows since state.generation onto a copy of the state."""
        gone = [r[0] for r in db.execute("SELECT key FROM removed WHERE generation > ?", (state.generation,))]
        rows = db.execute(
            "SELECT key, face_id, vector FROM vectors WHERE key > ? AND engine = ? ORDER BY key",
            (state.max_key, self.engine),
        ).fetchall()
        new_keys = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        new_matrix = _matrix([r[2] for r in rows], self.dim)
        max_key = int(new_keys[-1]) if len(rows) else state.max_key
        if state.ann is not None:
            state.ann.remove(gone)
            state.ann.add(new_keys, new_matrix)
            state.generation, state.max_key = generation, max_key
            state.unsaved += len(gone) + len(rows)
            return state
        # Exact copies are replaced, never changed in place, so a search in flight keeps its snapshot.
        base = state.matrix if state.matrix is not None else np.zeros((0, self.dim), dtype=np.float32)
        keep = ~np.isin(state.keys, gone)
        fresh = _State(
            generation=generation, max_key=max_key, keys=np.concatenate([state.keys[keep], new_keys]),
            ids=[i for i, k in zip(state.ids, keep, strict=True) if k] + [r[1] for r in rows],
            matrix=np.concatenate([base[keep], new_matrix]),
        )
        if len(fresh.keys) >= self.ann_threshold and ann_index.available():
            return self._load(db, generation)
        return fresh

    def _maintain(self, db: sqlite3.Connection, state: _State) -> _State:
        """Go back to exact search when the collection shrank well below the threshold; checkpoint."""
        if state.ann is None:  # an exact copy has no index to maintain
            return state
        if state.ann.size < self.ann_threshold // 2:  # half: no flapping around the threshold
            self.ann_path.unlink(missing_ok=True)
            return self._load(db, state.generation)
        if state.unsaved >= SAVE_EVERY:
            with self._checkpoint_lock():
                self._save_locked(state.ann, state.generation, self._meta(db, "origin"))
            state.unsaved = 0
        return state

    @contextmanager
    def _checkpoint_lock(self) -> Iterator[None]:
        """An exclusive lock (across processes) on writing or deleting the checkpoint file."""
        lock_path = self.ann_path.with_name(self.ann_path.name + ".lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _save_locked(self, ann: AnnIndex, generation: int, origin: int) -> None:
        """Checkpoint `ann` unless a face was forgotten after `generation` (its print must not be saved)."""
        with self._db() as fresh:  # a new transaction sees removals committed since our snapshot
            newest = fresh.execute("SELECT COALESCE(MAX(generation), 0) FROM removed").fetchone()[0]
        if newest <= generation:
            ann.save(self.ann_path, generation, origin)

    @staticmethod
    def _search_exact(state: _State, query: np.ndarray, limit: int) -> list[tuple[str, float]]:
        """Brute-force cosine over the in-memory matrix."""
        if not state.ids or state.matrix is None:
            return []
        # einsum, not matmul: numpy's BLAS splits this matrix-vector product over threads, which
        # on 2 busy cores (gunicorn's 8 threads plus the models' pools) waits for a time slice:
        # 20k faces took 0.08 ms median but 21 ms p95 with matmul, 0.27 / 4.3 ms with einsum.
        scores = np.einsum("ij,j->i", state.matrix, query)
        k = min(limit, len(state.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(state.ids[i], float(scores[i])) for i in top]

    def _rescore(
        self, db: sqlite3.Connection, keys: list[int], query: np.ndarray, limit: int
    ) -> list[tuple[str, float]]:
        """Exact similarities of the candidates still in SQLite, best `limit` of them."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = db.execute(f"SELECT face_id, vector FROM vectors WHERE key IN ({marks})", keys).fetchall()
        scored = [(r[0], float(np.frombuffer(r[1], dtype=np.float32) @ query)) for r in rows]
        return sorted(scored, key=lambda item: -item[1])[:limit]
