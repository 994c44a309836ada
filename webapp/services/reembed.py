"""Re-embed enrolled faces with the engine the app runs now, from the enrolment photos kept for that purpose.

Faceprints of two engines cannot be compared, so when the engine changes the stored faces stop
being searched until they are re-embedded. Each face is redone from its stored enrolment photo
(people/<pid>/<fid>.jpg, the face found again at the same place) or, failing that, from its
stored crop, and swapped in one transaction under the same face id: an interrupted run leaves
every face either old or new, and running again carries on with the old ones.
"""
from __future__ import annotations

from webapp.backends.base import Backend, FaceprintCache, VectorIndexAdmin
from webapp.domain import BoundingBox, FaceRecord
from webapp.errors import BackendUnavailable, GlimpseError
from webapp.images import decode_photo
from webapp.services.limits import Limits

MIN_OVERLAP = 0.5  # the re-found face must cover the stored box this well (intersection over union)


def overlap(a: BoundingBox, b: BoundingBox) -> float:
    """Intersection over union of two boxes (ratios)."""
    width = max(0.0, min(a.left + a.width, b.left + b.width) - max(a.left, b.left))
    height = max(0.0, min(a.top + a.height, b.top + b.height) - max(a.top, b.top))
    union = a.area + b.area - width * height
    return width * height / union if union > 0 else 0.0


class Reembedder:
    """Finds faces made by another engine and redoes them from the stored photos."""

    def __init__(self, backend: Backend, limits: Limits):
        if backend.vector_index is None or backend.faceprints is None:
            raise BackendUnavailable("Re-embedding works in local mode only; Rekognition keeps its own faceprints.")
        self.backend = backend
        self.index: VectorIndexAdmin = backend.vector_index
        self.prints: FaceprintCache = backend.faceprints
        self.limits = limits

    def pending(self) -> list[FaceRecord]:
        """The enrolled faces whose faceprint another engine made, person by person."""
        stale = set(self.index.stale_ids())
        if not stale:
            return []
        people = self.backend.people
        return [r for p in people.list_people() for r in people.faces_of(p.id) if r.face_id in stale]

    def reembed(self, record: FaceRecord) -> str | None:
        """Redo one face; None when done, else why it could not be (the old faceprint stays)."""
        for key, box in ((record.image_key, record.bounding_box), (record.crop_key, None)):
            try:
                photo = decode_photo(self.backend.store.get(key), self.limits.max_bytes, self.limits.max_pixels)
            except GlimpseError:  # missing or unreadable: try the next stored image
                continue
            prints = self.prints.faceprints(photo)
            if box is not None:  # the enrolment photo: the face at the stored place, not any face
                prints = [p for p in prints if overlap(p[0].bounding_box, box) >= MIN_OVERLAP]
                prints.sort(key=lambda p: -overlap(p[0].bounding_box, box))
            if prints:
                self.index.replace(record.face_id, prints[0][1])
                return None
        return "no face found again in its stored photo or crop"
