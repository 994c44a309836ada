"""FaceCollection on the CPU: the local face engine plus the on-disk vector index."""
from __future__ import annotations

from uuid import uuid4

import numpy as np

from webapp.backends.local.face_engine import FaceEngine
from webapp.backends.local.vector_index import VectorIndex
from webapp.domain import DetectedFace, FaceMatch
from webapp.images import Photo


def _pixels(photo: Photo) -> np.ndarray:
    """The photo as an HxWx3 uint8 RGB array (numpy stops at this adapter)."""
    return np.asarray(photo.image, dtype=np.uint8)


class LocalFaceCollection:
    """Detects, embeds and searches faces locally; similarity on the calibrated 0-100 scale."""

    def __init__(self, engine: FaceEngine, index: VectorIndex):
        self.engine = engine
        self.index_store = index

    def detect(self, photo: Photo) -> list[DetectedFace]:
        """Every face, largest first."""
        return self.engine.detect(_pixels(photo))

    def index(self, photo: Photo, face: DetectedFace, person_id: str) -> str:
        """Embed one face and store its vector under a new face id."""
        vector = self.engine.embed(_pixels(photo), face)
        face_id = uuid4().hex
        self.index_store.add(face_id, vector)
        return face_id

    def search(self, photo: Photo, face: DetectedFace, threshold: float, limit: int = 1) -> list[FaceMatch]:
        """Nearest stored faces whose calibrated similarity reaches the threshold."""
        vector = self.engine.embed(_pixels(photo), face)
        matches = (FaceMatch(fid, self.engine.similarity(cos)) for fid, cos in self.index_store.search(vector, limit))
        return [m for m in matches if m.similarity >= threshold]

    def delete(self, face_ids: list[str]) -> None:
        """Remove faceprints by id."""
        self.index_store.remove(face_ids)

    def face_ids(self) -> list[str]:
        """Every stored face id."""
        return self.index_store.ids()
