"""The AnalysisStore port on the directory's SQLite file (analyses and their face rows)."""
from __future__ import annotations

import json
from datetime import datetime

from webapp.backends.local.sqlite_directory import SqliteTables, _box
from webapp.domain import Analysis, Label, RecognizedFace


class SqliteAnalyses(SqliteTables):
    """Analyses, linked to people by id so that forgetting a person unlinks them."""

    def save_analysis(self, analysis: Analysis) -> None:
        """Store an analysis and its faces (linked to people by id, so forgetting unlinks)."""
        labels = json.dumps([label.to_dict() for label in analysis.labels])
        with self._db(write=True) as db:
            db.execute(
                "INSERT INTO analyses VALUES (?,?,?,?,?,?,?,?)",
                (analysis.id, analysis.created_at.isoformat(), analysis.image_key, analysis.thumb_key,
                 analysis.width, analysis.height, analysis.filename, labels),
            )
            for i, f in enumerate(analysis.faces):
                b = f.bounding_box
                db.execute(
                    "INSERT INTO analysis_faces VALUES (?,?,?,?,?,?,?,?,?)",
                    (analysis.id, i, f.confidence, b.left, b.top, b.width, b.height, f.person_id, f.similarity),
                )
            if analysis.orientation:
                db.execute("INSERT INTO analysis_orientation VALUES (?,?)", (analysis.id, analysis.orientation))

    def get_analysis(self, analysis_id: str) -> Analysis | None:
        """One analysis with current names, or None."""
        with self._db() as db:
            row = db.execute("SELECT * FROM analyses WHERE id = ?", (analysis_id,)).fetchone()
            return self._analysis(db, row) if row else None

    def list_analyses(self, limit: int) -> list[Analysis]:
        """The newest analyses first."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM analyses ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,))
            return [self._analysis(db, r) for r in rows.fetchall()]

    def analyses_before(self, cutoff: datetime, limit: int) -> list[Analysis]:
        """Analyses older than cutoff, oldest first."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM analyses WHERE created_at < ? ORDER BY created_at LIMIT ?",
                              (cutoff.isoformat(), limit))
            return [self._analysis(db, r) for r in rows.fetchall()]

    def delete_analysis(self, analysis_id: str) -> None:
        """Delete an analysis; its face rows cascade."""
        with self._db(write=True) as db:
            db.execute("DELETE FROM analyses WHERE id = ?", (analysis_id,))

    def _analysis(self, db, row) -> Analysis:
        """Rebuild an Analysis from its row and face rows."""
        faces = db.execute(
            "SELECT af.*, p.name FROM analysis_faces af LEFT JOIN people p ON p.id = af.person_id "
            "WHERE af.analysis_id = ? ORDER BY af.position",
            (row["id"],),
        ).fetchall()
        turned = db.execute("SELECT degrees FROM analysis_orientation WHERE analysis_id = ?", (row["id"],)).fetchone()
        degrees = turned[0] if turned else 0
        return Analysis(
            id=row["id"], created_at=datetime.fromisoformat(row["created_at"]),
            image_key=row["image_key"], thumb_key=row["thumb_key"], width=row["width"], height=row["height"],
            filename=row["filename"] or "",
            faces=tuple(
                RecognizedFace(_box(f), f["confidence"], f["person_id"], f["name"], f["similarity"], degrees)
                for f in faces
            ),
            labels=tuple(
                Label(d["name"], d["confidence"], tuple(d["parents"])) for d in json.loads(row["labels"])
            ),
        )
