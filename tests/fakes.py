"""Test doubles: a fake face engine and label model over synthetic images.

A "face" is a solid square of one pure colour on a grey background and its colour is
the identity, so tests can compose photos with known people without any model.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image

from webapp.domain import BoundingBox, DetectedFace, Instance, Label, ModerationLabel, TextDetection

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


MAGENTA = (255, 0, 255)  # the fakes' stand-in for an explicit photo: mostly this colour


def _squares(photo) -> list[DetectedFace]:
    """The coloured squares of a synthetic photo (what the fakes see as faces, people and signs)."""
    return FakeEngine().detect(np.asarray(photo.image.convert("RGB")))


class FakeLabels:
    """Sees a test pattern, and a boxed Person for every coloured square (like the Rekognition fake)."""

    def detect(self, photo, min_confidence: float, max_labels: int) -> list[Label]:
        """Pattern and Design, plus Person with one instance per square."""
        labels = [Label("Pattern", 90.0, ("Design",)), Label("Design", 90.0)]
        squares = [f for f in _squares(photo) if f.bounding_box.area < 0.5]
        if squares:
            labels.insert(0, Label("Person", 98.0, (), tuple(Instance(f.bounding_box, 97.0) for f in squares)))
        return labels[:max_labels]


class FakeText:
    """Reads "HELLO WORLD" under the largest square (the fakes' sign); nothing without a square."""

    def __init__(self):
        self.reads = 0

    def read(self, photo) -> list[TextDetection]:
        """One LINE and its two WORDs, or nothing."""
        self.reads += 1
        squares = _squares(photo)
        if not squares:
            return []
        b = squares[0].bounding_box
        top = min(0.95, b.top + b.height)

        def box(left: float, width: float) -> tuple[BoundingBox, tuple]:
            corners = ((left, top), (left + width, top), (left + width, top + 0.04), (left, top + 0.04))
            return BoundingBox(left, top, width, 0.04), corners

        half = b.width / 2
        return [TextDetection("HELLO WORLD", "LINE", 99.1, *box(b.left, b.width), 0),
                TextDetection("HELLO", "WORD", 99.3, *box(b.left, half), 1, 0),
                TextDetection("WORLD", "WORD", 98.9, *box(b.left + half, half), 2, 0)]


class FakeModeration:
    """Flags a photo that is mostly pure magenta as Explicit."""

    def detect(self, photo) -> list[ModerationLabel]:
        """Explicit and Explicit Nudity for magenta photos, nothing otherwise."""
        rgb = np.asarray(photo.image.convert("RGB")).astype(int)
        if (np.abs(rgb - np.array(MAGENTA)).max(axis=2) < 40).mean() <= 0.5:
            return []
        return [ModerationLabel("Explicit Nudity", "Explicit", 96.0), ModerationLabel("Explicit", "", 96.0)]


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
