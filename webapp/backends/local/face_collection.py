"""FaceCollection on the CPU: the local face engine plus the on-disk vector index."""
from __future__ import annotations

from typing import Protocol
from uuid import uuid4

import numpy as np

from webapp.backends.local.pixels import photo_rgb
from webapp.backends.local.vector_index import VectorIndex
from webapp.domain import DetectedFace, FaceComparison, FaceMatch
from webapp.images import Photo

# A face with its faceprint. The vector is opaque to callers (services never see numpy);
# they only hand it back to compare_prints.
Faceprint = tuple[DetectedFace, np.ndarray]


class FaceprintEngine(Protocol):
    """What the collection needs from an engine: FaceEngine, FusedEngine or a test's fake."""

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]: ...
    def embed(self, rgb: np.ndarray, face: DetectedFace) -> np.ndarray: ...
    def embed_many(self, rgb: np.ndarray, faces: list[DetectedFace]) -> np.ndarray: ...
    def similarity(self, score: float, /) -> float: ...


class LocalFaceCollection:
    """Detects, embeds and searches faces locally; similarity on the calibrated 0-100 scale."""

    def __init__(self, engine: FaceprintEngine, index: VectorIndex):
        self.engine = engine
        self.index_store = index

    def detect(self, photo: Photo) -> list[DetectedFace]:
        """Every face, largest first."""
        return self.engine.detect(photo_rgb(photo))

    def index(self, photo: Photo, face: DetectedFace, person_id: str) -> str:
        """Embed one face and store its vector under a new face id."""
        vector = self.engine.embed(photo_rgb(photo), face)
        face_id = uuid4().hex
        self.index_store.add(face_id, vector)
        return face_id

    def search(self, photo: Photo, face: DetectedFace, threshold: float, limit: int = 1) -> list[FaceMatch]:
        """Nearest stored faces whose calibrated similarity reaches the threshold."""
        vector = self.engine.embed(photo_rgb(photo), face)
        matches = (FaceMatch(fid, self.engine.similarity(cos)) for fid, cos in self.index_store.search(vector, limit))
        return [m for m in matches if m.similarity >= threshold]

    def delete(self, face_ids: list[str]) -> None:
        """Remove faceprints by id."""
        self.index_store.remove(face_ids)

    def face_ids(self) -> list[str]:
        """Every stored face id."""
        return self.index_store.ids()

    def compare(self, source: Photo, target: Photo, threshold: float) -> FaceComparison:
        """The largest face of source against every face of target; nothing is stored."""
        source_prints = self.faceprints(source, limit=1)
        if not source_prints:
            # Nothing to compare with: the target's faces are still boxed, but not embedded.
            target_faces = self.detect(target)
            return FaceComparison(None, (), tuple(target_faces), len(target_faces))
        return self.compare_prints(source_prints[0], self.faceprints(target), threshold)

    def faceprints(self, photo: Photo, limit: int | None = None) -> list[Faceprint]:
        """Faces (largest first, at most `limit`) with their faceprints, for callers that cache them."""
        rgb = photo_rgb(photo)
        faces = self.engine.detect(rgb)[:limit]
        # One call for all faces: the fused engine runs dlib on them as one batch.
        return list(zip(faces, self.engine.embed_many(rgb, faces), strict=True))

    def compare_prints(self, source: Faceprint | None, target: list[Faceprint], threshold: float) -> FaceComparison:
        """Compare one cached faceprint with cached target faceprints (pure arithmetic, no model call)."""
        target_faces = [face for face, _ in target]
        if source is None:
            return FaceComparison(None, (), tuple(target_faces), len(target))
        scored = [(face, self.engine.similarity(float(np.dot(source[1], vector)))) for face, vector in target]
        matches = sorted((pair for pair in scored if pair[1] >= threshold), key=lambda pair: -pair[1])
        unmatched = tuple(face for face, similarity in scored if similarity < threshold)
        return FaceComparison(source[0], tuple(matches), unmatched, len(target))
