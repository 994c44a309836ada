"""The AnalysisStore port on the directory's SQLite file (analyses, their face rows, moderation and text).

Moderation labels and text live in their own table (analysis_vision), created beside the old
ones: analyses saved before it existed have no row there and read back with no moderation
label and text not yet read. The words of the text are indexed in analysis_words for the
history's word filter. Label boxes ride in the labels JSON ("instances", absent in old rows).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from webapp.backends.local.sqlite_directory import SqliteTables, _box
from webapp.domain import Analysis, HistoryFilter, Label, ModerationLabel, RecognizedFace, TextDetection
from webapp.errors import NotFound
from webapp.words import word_key, words_in


def _text_json(text: Sequence[TextDetection] | None) -> str | None:
    """Text detections as JSON, or None for text not read yet."""
    return None if text is None else json.dumps([t.to_dict() for t in text])


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
            db.execute("INSERT INTO analysis_vision VALUES (?,?,?)", (
                analysis.id, json.dumps([m.to_dict() for m in analysis.moderation_labels]),
                _text_json(analysis.text)))
            for i, f in enumerate(analysis.faces):
                b = f.bounding_box
                db.execute(
                    "INSERT INTO analysis_faces VALUES (?,?,?,?,?,?,?,?,?)",
                    (analysis.id, i, f.confidence, b.left, b.top, b.width, b.height, f.person_id, f.similarity),
                )
            if analysis.orientation:
                db.execute("INSERT INTO analysis_orientation VALUES (?,?)", (analysis.id, analysis.orientation))
            db.executemany("INSERT INTO analysis_matches VALUES (?,?,?)",
                           [(analysis.id, i, f.face_id) for i, f in enumerate(analysis.faces) if f.face_id])
            if analysis.owner:
                db.execute("INSERT INTO analysis_owners VALUES (?,?,?)",
                           (analysis.id, analysis.owner, analysis.created_at.isoformat()))
            db.executemany("INSERT INTO analysis_labels VALUES (?,?)",
                           [(analysis.id, name) for name in sorted(analysis.label_keys())])
            self._save_words(db, analysis.id, analysis.word_keys())

    def save_text(self, analysis_id: str, text: list[TextDetection]) -> None:
        """Keep the text read later; NotFound if the analysis was deleted meanwhile."""
        with self._db(write=True) as db:
            if db.execute("SELECT 1 FROM analyses WHERE id = ?", (analysis_id,)).fetchone() is None:
                raise NotFound("There is no analysis with that id.")
            db.execute(
                "INSERT INTO analysis_vision VALUES (?, '[]', ?) "
                "ON CONFLICT(analysis_id) DO UPDATE SET text = excluded.text",
                (analysis_id, _text_json(text)))
            self._save_words(db, analysis_id, words_in(t.detected_text for t in text))

    @staticmethod
    def _save_words(db: sqlite3.Connection, analysis_id: str, words: list[str]) -> None:
        """Index the words of an analysis's text (replacing any indexed before)."""
        db.execute("DELETE FROM analysis_words WHERE analysis_id = ?", (analysis_id,))
        db.executemany("INSERT INTO analysis_words VALUES (?,?)", [(w, analysis_id) for w in words])

    def get_analysis(self, analysis_id: str) -> Analysis | None:
        """One analysis with current names, or None."""
        with self._db() as db:
            row = db.execute(f"SELECT a.*, {self._OWNER} FROM analyses a WHERE id = ?", (analysis_id,)).fetchone()
            return self._analysis(db, row) if row else None

    def list_analyses(self, limit: int, only: HistoryFilter | None = None) -> list[Analysis]:
        """The newest analyses first: all of them, or those `only` lets through."""
        only = only or HistoryFilter()
        joins, where, args = "", [], []
        if only.owner is not None:
            joins, args = "JOIN analysis_owners o ON o.analysis_id = a.id AND o.owner = ?", [only.owner]
        if only.person_id is not None:
            where.append("EXISTS (SELECT 1 FROM analysis_faces f WHERE f.analysis_id = a.id AND f.person_id = ?)")
            args.append(only.person_id)
        if only.label is not None:
            where.append("EXISTS (SELECT 1 FROM analysis_labels l WHERE l.analysis_id = a.id AND l.name = ?)")
            args.append(only.label.casefold())
        if only.word is not None:
            where.append("EXISTS (SELECT 1 FROM analysis_words w WHERE w.word = ? AND w.analysis_id = a.id)")
            args.append(word_key(only.word))
        sql = f"SELECT a.*, {self._OWNER} FROM analyses a {joins} {'WHERE ' + ' AND '.join(where) if where else ''}"
        with self._db() as db:
            rows = db.execute(f"{sql} ORDER BY a.created_at DESC, a.rowid DESC LIMIT ?", (*args, limit))
            return [self._analysis(db, r) for r in rows.fetchall()]

    _OWNER = "(SELECT owner FROM analysis_owners WHERE analysis_id = a.id) AS owner"

    def analyses_before(self, cutoff: datetime, limit: int) -> list[Analysis]:
        """Analyses older than cutoff, oldest first."""
        with self._db() as db:
            rows = db.execute(f"SELECT a.*, {self._OWNER} FROM analyses a WHERE created_at < ? "
                              "ORDER BY created_at LIMIT ?",
                              (cutoff.isoformat(), limit))
            return [self._analysis(db, r) for r in rows.fetchall()]

    def relink(self, from_person_id: str, to_person_id: str | None, face_ids: list[str] | None = None) -> None:
        """Past analyses naming from_person (through these faces, or through any) name to_person instead.

        `to_person_id=None` leaves those faces Unknown, with no similarity (as after a forget).
        """
        where, args = "person_id = ?", [from_person_id]
        if face_ids is not None:
            marks = ",".join("?" * len(face_ids))
            where += (f" AND (analysis_id, position) IN "
                      f"(SELECT analysis_id, position FROM analysis_matches WHERE face_id IN ({marks}))")
            args += face_ids
        with self._db(write=True) as db:
            db.execute(f"UPDATE analysis_faces SET person_id = ? WHERE {where}", (to_person_id, *args))

    def name_face(self, analysis_id: str, position: int, person_id: str, face_id: str) -> None:
        """Name one face of a past analysis, through the enrolled face made from it."""
        with self._db(write=True) as db:
            db.execute("UPDATE analysis_faces SET person_id = ?, similarity = NULL "
                       "WHERE analysis_id = ? AND position = ?", (person_id, analysis_id, position))
            db.execute("INSERT OR REPLACE INTO analysis_matches VALUES (?,?,?)", (analysis_id, position, face_id))

    def delete_analysis(self, analysis_id: str) -> None:
        """Delete an analysis; its face, label and word rows cascade."""
        with self._db(write=True) as db:
            db.execute("DELETE FROM analyses WHERE id = ?", (analysis_id,))

    def _analysis(self, db: sqlite3.Connection, row: sqlite3.Row) -> Analysis:
        """Rebuild an Analysis from its row and face rows."""
        faces = db.execute(
            "SELECT af.*, p.name, m.face_id FROM analysis_faces af LEFT JOIN people p ON p.id = af.person_id "
            "LEFT JOIN analysis_matches m ON m.analysis_id = af.analysis_id AND m.position = af.position "
            "WHERE af.analysis_id = ? ORDER BY af.position",
            (row["id"],),
        ).fetchall()
        turned = db.execute("SELECT degrees FROM analysis_orientation WHERE analysis_id = ?", (row["id"],)).fetchone()
        degrees = turned[0] if turned else 0
        return Analysis(
            id=row["id"], created_at=datetime.fromisoformat(row["created_at"]),
            image_key=row["image_key"], thumb_key=row["thumb_key"], width=row["width"], height=row["height"],
            filename=row["filename"] or "", owner=row["owner"] or "",
            faces=tuple(
                RecognizedFace(_box(f), f["confidence"], f["person_id"], f["name"], f["similarity"], degrees,
                               f["face_id"] if f["person_id"] else None)
                for f in faces
            ),
            labels=tuple(Label.from_dict(d) for d in json.loads(row["labels"])),
            **self._vision(db, row["id"]),
        )

    @staticmethod
    def _vision(db: sqlite3.Connection, analysis_id: str) -> dict:
        """Moderation labels and text of an analysis (none, and not read, for rows older than the table)."""
        row = db.execute("SELECT moderation, text FROM analysis_vision WHERE analysis_id = ?",
                         (analysis_id,)).fetchone()
        if row is None:
            return {}
        text = None if row["text"] is None else tuple(TextDetection.from_dict(t) for t in json.loads(row["text"]))
        return {"moderation_labels": tuple(ModerationLabel.from_dict(m) for m in json.loads(row["moderation"])),
                "text": text}
