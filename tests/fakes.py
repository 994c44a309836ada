"""Test doubles: a fake face engine and label model over synthetic images.

A "face" is a solid square of one pure colour on a grey background and its colour is
the identity, so tests can compose photos with known people without any model.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image

from webapp.domain import BoundingBox, DetectedFace, Label

BACKGROUND = (128, 128, 128)


class FakeEngine:
    """Detects pure-colour squares; embeds each as a vector seeded by its colour."""

    def __init__(self):
        self.loads = 0

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        """One face per distinct non-background colour covering at least 100 pixels."""
        height, width = rgb.shape[:2]
        colours, counts = np.unique(rgb.reshape(-1, 3), axis=0, return_counts=True)
        faces = []
        for colour, count in zip(colours, counts, strict=True):
            if tuple(colour) == BACKGROUND or count < 100:
                continue
            ys, xs = np.nonzero(np.all(rgb == colour, axis=2))
            box = BoundingBox(xs.min() / width, ys.min() / height,
                              (xs.max() - xs.min() + 1) / width, (ys.max() - ys.min() + 1) / height)
            faces.append(DetectedFace(box, 99.0))
        return sorted(faces, key=lambda f: -f.bounding_box.area)

    def embed(self, rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
        """A unit vector determined by the colour at the box centre."""
        height, width = rgb.shape[:2]
        b = face.bounding_box
        r, g, bl = (int(v) for v in rgb[int((b.top + b.height / 2) * height), int((b.left + b.width / 2) * width)])
        vector = np.random.default_rng(r * 65536 + g * 256 + bl).normal(size=128).astype(np.float32)
        return vector / np.linalg.norm(vector)

    def embed_many(self, rgb: np.ndarray, faces: list[DetectedFace]) -> list[np.ndarray]:
        """embed() of each face."""
        return [self.embed(rgb, face) for face in faces]

    @staticmethod
    def similarity(cosine: float) -> float:
        """Cosine mapped linearly onto 0-100."""
        return max(0.0, min(100.0, cosine * 100))


class FakeLabels:
    """Always sees a test pattern."""

    def detect(self, photo, min_confidence: float, max_labels: int) -> list[Label]:
        """One fixed label."""
        return [Label("Pattern", 90.0, ("Design",)), Label("Design", 90.0)][:max_labels]


def make_photo(*colours: tuple[int, int, int], size: tuple[int, int] = (400, 300), fmt: str = "PNG",
               side: int = 60) -> bytes:
    """An image with one square 'face' per colour, biggest first, left to right."""
    image = Image.new("RGB", size, BACKGROUND)
    x = 10
    for i, colour in enumerate(colours):
        s = max(side - 10 * i, 20)
        image.paste(colour, (x, 20, x + s, 20 + s))
        x += s + 15
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()
