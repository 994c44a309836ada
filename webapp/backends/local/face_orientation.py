"""Faces in photos turned 90, 180 or 270 degrees (no EXIF tag): pick the orientation, map faces back.

YuNet only finds upright faces well: on a turned photo it finds nothing, or (upside down) a face
whose landmarks are in the wrong places, which no faceprint can match. Its score is an excellent
judge of orientation, though: on 400 LFW-dev images turned each of four ways, the orientation
whose best face scored highest was the right one every time (1,600 / 1,600); a wrong orientation
never scored above 0.90 and the right one never below 0.889. So the detector runs on the
downscaled photo as it is; unless a face there scores >= SURE_UPRIGHT, it runs again on the three
quarter-turns and the orientation with the best face wins. A turned orientation needs a face of
at least TURNED_MIN: scikit-image's cat photo turned upside down gives a 0.62 "face", real faces
score >= 0.73 even when tiny or blurred (bench/rotation.py measures both).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from webapp.domain import BoundingBox, DetectedFace

SURE_UPRIGHT = 92.0  # confidence above any wrong orientation measured (0.90): skip the three extra passes
TURNED_MIN = 70.0  # a turned orientation counts only with a face at least this confident


def choose_orientation(
    small: np.ndarray, detect: Callable[[np.ndarray], list[DetectedFace]]
) -> tuple[int, list[DetectedFace]]:
    """(quarter-turns counter-clockwise that make the faces upright, faces found in the turned image).

    `detect` returns faces as ratios of the image it is given; the faces returned here are
    ratios of np.rot90(small, quarters) and still need unturn().
    """
    upright = detect(small)
    best = max((f.confidence for f in upright), default=0.0)
    if best >= SURE_UPRIGHT:
        return 0, upright
    choice: tuple[int, list[DetectedFace]] = (0, upright)
    for quarters in (1, 2, 3):
        found = [f for f in detect(np.ascontiguousarray(np.rot90(small, quarters))) if f.confidence >= TURNED_MIN]
        top = max((f.confidence for f in found), default=0.0)
        if top > best:  # strictly better: an upright photo keeps its orientation on a tie
            choice, best = (quarters, found), top
    return choice


def orientation_of(quarters: int) -> int:
    """Degrees counter-clockwise the photo is turned (Rekognition's OrientationCorrection) for a correction
    of `quarters` counter-clockwise quarter-turns: turning it back needs the rest of the circle."""
    return (4 - quarters) % 4 * 90


def _point(x: float, y: float, quarters: int) -> tuple[float, float]:
    """A point (ratios) of np.rot90(image, quarters) as ratios of the image itself."""
    if quarters == 1:
        return 1.0 - y, x
    if quarters == 2:
        return 1.0 - x, 1.0 - y
    if quarters == 3:
        return y, 1.0 - x
    return x, y


def unturn(face: DetectedFace, quarters: int) -> DetectedFace:
    """A face found in np.rot90(image, quarters), with box and landmarks as ratios of the image as given.

    Landmarks keep their meaning (right eye first, ...) but now lie at any angle; alignment for
    the faceprint is a similarity transform from them, so it undoes the turn by itself.
    """
    if quarters % 4 == 0:
        return face
    box = face.bounding_box
    corners = [_point(x, y, quarters) for x, y in ((box.left, box.top), (box.left + box.width, box.top + box.height))]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    mapped = BoundingBox(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    landmarks = tuple(_point(x, y, quarters) for x, y in face.landmarks)
    return DetectedFace(mapped, face.confidence, landmarks, orientation_of(quarters))
