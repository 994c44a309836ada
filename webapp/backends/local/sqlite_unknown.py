"""The UnknownFaceStore port on the directory's SQLite file."""
from __future__ import annotations

import sqlite3
from datetime import datetime

from webapp.backends.local.sqlite_directory import SqliteTables, _box
from webapp.domain import UnknownCluster, UnknownFace


def _face(row: sqlite3.Row) -> UnknownFace:
    """An UnknownFace from its row."""
    return UnknownFace(row["face_id"], row["analysis_id"], row["position"], _box(row), row["cluster_id"],
                       datetime.fromisoformat(row["created_at"]))


class SqliteUnknown(SqliteTables):
    """One row per unknown face; a cluster is the rows sharing a cluster id."""

    def add_unknown(self, face: UnknownFace) -> None:
        """Keep one unknown face's row."""
        b = face.bounding_box
        with self._db(write=True) as db:
            db.execute("INSERT OR REPLACE INTO unknown_faces VALUES (?,?,?,?,?,?,?,?,?)",
                       (face.face_id, face.analysis_id, face.position, b.left, b.top, b.width, b.height,
                        face.cluster_id, face.created_at.isoformat()))

    def clusters_of(self, face_ids: list[str]) -> dict[str, str]:
        """Face id → cluster id."""
        if not face_ids:
            return {}
        marks = ",".join("?" * len(face_ids))
        with self._db() as db:
            rows = db.execute(f"SELECT face_id, cluster_id FROM unknown_faces WHERE face_id IN ({marks})", face_ids)
            return {r[0]: r[1] for r in rows}

    def merge_clusters(self, into: str, others: list[str]) -> None:
        """Every face of the other clusters joins `into`."""
        if not others:
            return
        marks = ",".join("?" * len(others))
        with self._db(write=True) as db:
            db.execute(f"UPDATE unknown_faces SET cluster_id = ? WHERE cluster_id IN ({marks})", (into, *others))

    def list_clusters(self, limit: int, sample: int) -> list[UnknownCluster]:
        """The biggest clusters first (ties: the most recent first), each with a sample of faces."""
        with self._db() as db:
            heads = db.execute("SELECT cluster_id, COUNT(*) AS size, MAX(created_at) AS latest FROM unknown_faces "
                               "GROUP BY cluster_id ORDER BY size DESC, latest DESC LIMIT ?", (limit,)).fetchall()
            return [UnknownCluster(h["cluster_id"], h["size"], tuple(_face(r) for r in db.execute(
                "SELECT * FROM unknown_faces WHERE cluster_id = ? ORDER BY created_at DESC LIMIT ?",
                (h["cluster_id"], sample)))) for h in heads]

    def unknown_in(self, cluster_id: str) -> list[UnknownFace]:
        """Every face of one cluster, oldest first."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM unknown_faces WHERE cluster_id = ? ORDER BY created_at", (cluster_id,))
            return [_face(r) for r in rows]

    def unknown_of_analysis(self, analysis_id: str) -> list[UnknownFace]:
        """The unknown faces kept from one analysis."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM unknown_faces WHERE analysis_id = ? ORDER BY position", (analysis_id,))
            return [_face(r) for r in rows]

    def all_unknown_ids(self) -> list[str]:
        """Every unknown face id with a row."""
        with self._db() as db:
            return [r[0] for r in db.execute("SELECT face_id FROM unknown_faces ORDER BY face_id")]

    def delete_unknown(self, face_ids: list[str]) -> None:
        """Forget these rows."""
        if not face_ids:
            return
        marks = ",".join("?" * len(face_ids))
        with self._db(write=True) as db:
            db.execute(f"DELETE FROM unknown_faces WHERE face_id IN ({marks})", face_ids)
