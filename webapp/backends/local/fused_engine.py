"""The shipped local engine: YuNet finds faces, SFace and dlib's ResNet both make a faceprint, fused.

Measured on LFW-dev (docs/accuracy.md): at similarity 80 (a false-match rate of 0.1 % per pair) SFace alone
accepts 99.29 % of same-person pairs, the fusion 99.59 %; 5-fold pair accuracy 99.53 % vs 99.37 %
(`flask compare` semantics). One faceprint is the two unit prints side by side, scaled by
sqrt(share) and sqrt(1 - share): still a unit vector, and the dot product of two is the weighted
sum of the two cosines (face_calibration.FUSED_SFACE_SHARE), so the vector index and compare stay
one dot product and only face_calibration.FUSED says what it means.
"""
from __future__ import annotations

import math

import numpy as np

from webapp.backends.local import face_calibration as calibration
from webapp.backends.local.dlib_faceprint import DlibFaceprint
from webapp.backends.local.face_engine import FaceEngine
from webapp.domain import DetectedFace


class FusedEngine:
    """Detects with FaceEngine; faceprints are 256-d (SFace then dlib), L2-normalised."""

    TAG = f"{FaceEngine.TAG}+dlib-resnet-v1"  # stored with every faceprint (vector_index)
    DIM = 256
    _WEIGHTS = (math.sqrt(calibration.FUSED_SFACE_SHARE), math.sqrt(1.0 - calibration.FUSED_SFACE_SHARE))

    def __init__(self, faces: FaceEngine, dlib: DlibFaceprint):
        """Wrap a detector/SFace engine and a dlib faceprint; models load lazily."""
        self.faces = faces
        self.dlib = dlib

    def load(self) -> None:
        """Load every model now (workers that preload; otherwise the first use does)."""
        self.faces.load()
        self.dlib.load()

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        """Faces at any quarter-turn, largest first (FaceEngine.detect)."""
        return self.faces.detect(rgb)

    def embed(self, rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
        """The fused faceprint of one face: float32 (256,), unit length."""
        vector: np.ndarray = self.embed_many(rgb, [face])[0]
        return vector

    def embed_many(self, rgb: np.ndarray, faces: list[DetectedFace]) -> np.ndarray:
        """Fused faceprints of several faces of one photo (dlib runs once for all of them)."""
        if not faces:
            return np.zeros((0, self.DIM), np.float32)
        height, width = rgb.shape[:2]
        sface = np.stack([self.faces.embed(rgb, face) for face in faces])
        # dlib aligns from the same five landmarks, in pixels; turned faces align upright by themselves.
        dlib = self.dlib.embed_many(rgb, [tuple((x * width, y * height) for x, y in f.landmarks) for f in faces])
        return np.hstack([self._WEIGHTS[0] * sface, self._WEIGHTS[1] * dlib]).astype(np.float32)

    @staticmethod
    def cosine(a: np.ndarray, b: np.ndarray) -> float:
        """Dot product of two fused faceprints (the weighted sum of the two cosines)."""
        return float(np.dot(a, b))

    @staticmethod
    def similarity(score: float) -> float:
        """Calibrated 0-100 similarity of a fused score: 80 at face_calibration.MATCH_FUSED."""
        return calibration.FUSED.similarity(score)
