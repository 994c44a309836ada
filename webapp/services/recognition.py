"""Analyse a photo: find every face, name the ones enrolled, label the rest of the scene."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import uuid4

from webapp.backends.base import Backend
from webapp.domain import Analysis, DetectedFace, HistoryFilter, Label, Recognition, RecognizedFace, TextDetection
from webapp.errors import NotFound
from webapp.images import Photo, decode_photo
from webapp.services.limits import Limits, clean_filename
from webapp.storage_keys import analysis_photo, analysis_thumb

if TYPE_CHECKING:
    from webapp.services.unknown import UnknownFaces

DISPLAY_SIDE = 1600  # stored copy for the result page; boxes are ratios so any size works
THUMB_SIDE = 320


class Recognizer:
    """The analyse use case and the history."""

    def __init__(self, backend: Backend, limits: Limits, unknown: UnknownFaces | None = None):
        self.backend = backend
        self.limits = limits
        self.unknown = unknown  # keeps the faces nobody matched, for "who is this?"

    def decode(self, data: bytes) -> Photo:
        """Validate and decode upload bytes under the configured limits."""
        return decode_photo(data, self.limits.max_bytes, self.limits.max_pixels)

    def recognize(self, photo: Photo) -> Recognition:
        """Faces (each searched, named or unknown), labels with boxes and moderation labels; stores nothing.

        Text is not read here: it is the slow engine (seconds, not milliseconds, on a CPU), so it
        runs on request (`read_text`); docs/performance.md has the numbers behind that choice.
        """
        # Sequential on purpose: labels in a second thread (both runtimes release the GIL) was
        # never faster on 2 cores and up to 30% slower with 6 faces, because each model already
        # uses both cores (`python bench/latency.py --ab`, docs/performance.md).
        return self._recognize(photo)[1]

    def recognize_faces(self, photo: Photo) -> tuple[RecognizedFace, ...]:
        """Only the faces, each searched and named or unknown: no labels, boxes or moderation (stores nothing)."""
        return tuple(self._name_faces(photo, self.backend.faces.detect(photo)))

    def _recognize(self, photo: Photo) -> tuple[list[DetectedFace], Recognition]:
        """The detected faces too (their landmarks), in the order of the recognized ones."""
        detected = self.backend.faces.detect(photo)
        faces = self._name_faces(photo, detected)
        labels = self.backend.labels.detect(photo, self.limits.min_label_confidence, self.limits.max_labels)
        moderation = self.backend.moderation.detect(photo)
        return detected, Recognition(tuple(faces), tuple(with_person_labels(labels, detected)), tuple(moderation))

    def analyse(self, data: bytes, filename: str | None = None, owner: str = "", read_text: bool = False) -> Analysis:
        """Decode, recognize, store the photo and thumbnail, save the analysis as `owner`'s (its text too if asked)."""
        photo = self.decode(data)
        detected, seen = self._recognize(photo)
        text = tuple(self.backend.text.read(photo)) if read_text else None
        analysis_id = uuid4().hex
        image_key, thumb_key = analysis_photo(analysis_id), analysis_thumb(analysis_id)
        self.backend.store.put(image_key, photo.jpeg(DISPLAY_SIDE), "image/jpeg")
        self.backend.store.put(thumb_key, photo.jpeg(THUMB_SIDE, quality=80), "image/jpeg")
        width, height = photo.size
        analysis = Analysis(
            id=analysis_id, created_at=datetime.now(UTC), image_key=image_key, thumb_key=thumb_key,
            width=width, height=height, faces=seen.faces, labels=seen.labels, filename=clean_filename(filename),
            owner=owner, moderation_labels=seen.moderation_labels, text=text,
        )
        self.backend.analyses.save_analysis(analysis)
        if self.unknown is not None:
            self.unknown.remember(analysis, photo, detected)
        return analysis

    def read_text(self, analysis_id: str) -> Analysis:
        """Read the text of a stored analysis's photo (once; later calls return what was read)."""
        analysis = self.get(analysis_id)
        if analysis.text is not None:
            return analysis
        # The stored display copy (longer side 1600) is enough: the text detector works at 960.
        photo = self.decode(self.backend.store.get(analysis.image_key))
        text = self.backend.text.read(photo)
        self.backend.analyses.save_text(analysis_id, text)
        return replace(analysis, text=tuple(text))

    def text_of(self, photo: Photo) -> list[TextDetection]:
        """The text of a decoded photo (stores nothing)."""
        return self.backend.text.read(photo)

    def _name_faces(self, photo: Photo, detected: list[DetectedFace]) -> list[RecognizedFace]:
        """Search every face (not only the largest) and attach the matching person."""
        best: list[tuple[DetectedFace, str | None, float | None]] = []
        for face in detected:
            matches = self.backend.faces.search(photo, face, self.limits.match_threshold, limit=1)
            best.append((face, matches[0].face_id, matches[0].similarity) if matches else (face, None, None))
        people = self.backend.people.people_for_faces([fid for _, fid, _ in best if fid])
        named = []
        for face, fid, similarity in best:
            person = people.get(fid) if fid else None
            named.append(
                RecognizedFace(
                    face.bounding_box, face.confidence,
                    person.id if person else None, person.name if person else None,
                    similarity if person else None, face.orientation, fid if person else None,
                )
            )
        return named

    def get(self, analysis_id: str) -> Analysis:
        """One past analysis, or NotFound."""
        analysis = self.backend.analyses.get_analysis(analysis_id)
        if analysis is None:
            raise NotFound("There is no analysis with that id.")
        return analysis

    def history(self, limit: int, only: HistoryFilter | None = None) -> list[Analysis]:
        """Past analyses, newest first: all of them, or those `only` lets through."""
        return self.backend.analyses.list_analyses(limit, only)


def with_person_labels(labels: list[Label], faces: list[DetectedFace]) -> list[Label]:
    """Add Person and Face labels when faces were found (unless the detector gave them)."""
    if not faces:
        return labels
    confidence = max(f.confidence for f in faces)
    names = {label.name for label in labels}
    extra = [Label("Person", confidence), Label("Face", confidence, ("Person",))]
    merged = labels + [label for label in extra if label.name not in names]
    return sorted(merged, key=lambda label: -label.confidence)
