"""What Rekognition says about a face beyond its box: pose, brightness, sharpness, and quality filtering.

The local detector gives a box, a confidence and five landmarks. From those and the pixels:
- Pose (degrees): roll is the tilt of the eye line; yaw and pitch are rough geometric
  estimates from where the nose tip sits between the eyes and the mouth (about ±15°).
  YuNet's landmarks lean upright, so a face tilted 15° reads about 8° of roll.
- Brightness (0-100): mean luminance of the face box.
- Sharpness (0-100): strength of fine edges (a Laplacian) in the face box scaled to
  the 112 px the recogniser sees, so it means "sharp enough to recognise".
Quality filtering (IndexFaces, SearchFacesByImage, CompareFaces) drops faces by size and
detector confidence at every level but NONE, and by pose, brightness and sharpness at
MEDIUM and HIGH. Thresholds are documented in docs/rekognition-api.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import ImageFilter, ImageStat

from webapp.domain import DetectedFace
from webapp.images import Photo

RECOGNISER_SIDE = 112
# Nose-tip depth in front of the eyes, as a fraction of the distance between the eyes
# (adult faces: about 35 mm against 63 mm), used to turn the nose's offset into an angle.
NOSE_DEPTH = 0.55
# Where the nose tip sits between the eye line (0) and the mouth line (1) on a level face.
NOSE_LEVEL = 0.5

# Per level: smallest face side in pixels, lowest detector confidence, largest |yaw|/|pitch|,
# lowest brightness and sharpness. None means "not checked at this level".
LEVELS = {
    "LOW": (16, 60.0, None, None, None),
    "AUTO": (24, 70.0, None, None, None),
    "MEDIUM": (32, 80.0, 60.0, 15.0, 10.0),
    "HIGH": (48, 90.0, 40.0, 25.0, 20.0),
}


@dataclass(frozen=True)
class FacePose:
    """Roll, yaw and pitch in degrees."""

    roll: float
    yaw: float
    pitch: float


@dataclass(frozen=True)
class FaceQuality:
    """Brightness and sharpness of the face region, 0-100."""

    brightness: float
    sharpness: float


def pose(photo: Photo, face: DetectedFace) -> FacePose | None:
    """The face's pose from its five landmarks (None when the detector gave none)."""
    if len(face.landmarks) != 5:
        return None
    width, height = photo.size
    (ex1, ey1), (ex2, ey2), (nx, ny), (mx1, my1), (mx2, my2) = (
        (x * width, y * height) for x, y in face.landmarks)
    roll = math.atan2(ey2 - ey1, ex2 - ex1)
    cos, sin = math.cos(-roll), math.sin(-roll)

    def level(x: float, y: float) -> tuple[float, float]:
        """Rotate a point so the eye line is horizontal."""
        return x * cos - y * sin, x * sin + y * cos

    (lx1, ly1), (lx2, ly2) = level(ex1, ey1), level(ex2, ey2)
    (lnx, lny), (_, lmy1), (_, lmy2) = level(nx, ny), level(mx1, my1), level(mx2, my2)
    eye_distance = max(abs(lx2 - lx1), 1e-6)
    yaw = math.atan2(lnx - (lx1 + lx2) / 2, NOSE_DEPTH * eye_distance)
    eye_y, mouth_y = (ly1 + ly2) / 2, (lmy1 + lmy2) / 2
    span = mouth_y - eye_y if abs(mouth_y - eye_y) > 1e-6 else 1e-6
    pitch = math.asin(max(-1.0, min(1.0, 2 * (NOSE_LEVEL - (lny - eye_y) / span))))
    return FacePose(*(round(math.degrees(a), 3) for a in (roll, yaw, pitch)))


def quality(photo: Photo, face: DetectedFace) -> FaceQuality:
    """Brightness and sharpness of the face box."""
    width, height = photo.size
    box = face.bounding_box
    left, top = int(box.left * width), int(box.top * height)
    right = max(left + 1, int((box.left + box.width) * width))
    bottom = max(top + 1, int((box.top + box.height) * height))
    grey = photo.image.crop((left, top, right, bottom)).convert("L")
    brightness = ImageStat.Stat(grey).mean[0] / 255 * 100
    edges = grey.resize((RECOGNISER_SIDE, RECOGNISER_SIDE)).filter(
        ImageFilter.Kernel((3, 3), (0, 1, 0, 1, -4, 1, 0, 1, 0), scale=1, offset=128))
    # Pillow leaves the 1-pixel border unfiltered (original grey levels, not edges): measure inside it.
    edges = edges.crop((1, 1, RECOGNISER_SIDE - 1, RECOGNISER_SIDE - 1))
    # 2.5 x the Laplacian's stddev: the test photos' largest faces give 36-64 sharp, 10-27 after a
    # Gaussian blur of radius 2 and 5-12 after radius 4 (MEDIUM needs 10, HIGH 20)
    sharpness = min(100.0, ImageStat.Stat(edges).stddev[0] * 2.5)
    return FaceQuality(round(brightness, 3), round(sharpness, 3))


def filter_reasons(photo: Photo, face: DetectedFace, level: str) -> list[str]:
    """Rekognition's reasons to leave this face out at a QualityFilter level (empty: keep it)."""
    if level == "NONE":
        return []
    min_side, min_confidence, max_angle, min_brightness, min_sharpness = LEVELS[level]
    width, height = photo.size
    reasons = []
    if min(face.bounding_box.width * width, face.bounding_box.height * height) < min_side:
        reasons.append("SMALL_BOUNDING_BOX")
    if face.confidence < min_confidence:
        reasons.append("LOW_CONFIDENCE")
    found = pose(photo, face)
    if max_angle is not None and found is not None and max(abs(found.yaw), abs(found.pitch)) > max_angle:
        reasons.append("EXTREME_POSE")
    if min_brightness is not None and min_sharpness is not None:  # MEDIUM and HIGH check both
        measured = quality(photo, face)
        if measured.brightness < min_brightness:
            reasons.append("LOW_BRIGHTNESS")
        if measured.sharpness < min_sharpness:
            reasons.append("LOW_SHARPNESS")
    return reasons
