"""Pose, brightness, sharpness and Rekognition's quality filter, on faces with known geometry."""
import math

import pytest
from PIL import Image, ImageDraw

from webapp.domain import BoundingBox, DetectedFace
from webapp.images import Photo
from webapp.services.face_quality import filter_reasons, pose, quality

SIZE = 400
LEVEL_FACE = ((150, 170), (250, 170), (200, 220), (160, 270), (240, 270))  # eyes, nose, mouth corners (px)


def _face(points, box=(100, 100, 200, 220), confidence=95.0) -> DetectedFace:
    left, top, width, height = box
    return DetectedFace(BoundingBox(left / SIZE, top / SIZE, width / SIZE, height / SIZE), confidence,
                        tuple((x / SIZE, y / SIZE) for x, y in points))


def _rotated(points, degrees):
    angle = math.radians(degrees)
    return tuple((200 + (x - 200) * math.cos(angle) - (y - 200) * math.sin(angle),
                  200 + (x - 200) * math.sin(angle) + (y - 200) * math.cos(angle)) for x, y in points)


def _photo(fill=(128, 128, 128), checker=False) -> Photo:
    image = Image.new("RGB", (SIZE, SIZE), fill)
    if checker:
        draw = ImageDraw.Draw(image)
        for x in range(0, SIZE, 4):
            for y in range(0, SIZE, 4):
                if (x + y) // 4 % 2:
                    draw.rectangle((x, y, x + 3, y + 3), fill=(255, 255, 255))
    return Photo(image, "png")


def test_level_frontal_face_has_no_roll_or_yaw():
    found = pose(_photo(), _face(LEVEL_FACE))
    assert abs(found.roll) < 0.01 and abs(found.yaw) < 0.01 and abs(found.pitch) < 1


@pytest.mark.parametrize("degrees", [-30, 12, 45])
def test_roll_is_the_tilt_of_the_eye_line(degrees):
    assert pose(_photo(), _face(_rotated(LEVEL_FACE, degrees))).roll == pytest.approx(degrees, abs=0.01)


def test_nose_off_centre_turns_into_yaw_of_that_sign():
    turned = list(LEVEL_FACE)
    turned[2] = (230, 220)
    assert pose(_photo(), _face(turned)).yaw > 20
    turned[2] = (170, 220)
    assert pose(_photo(), _face(turned)).yaw < -20


def test_no_landmarks_means_no_pose():
    assert pose(_photo(), DetectedFace(BoundingBox(0.2, 0.2, 0.5, 0.5), 99.0)) is None


def test_brightness_and_sharpness_follow_the_pixels():
    flat_dark, detailed = quality(_photo((10, 10, 10)), _face(LEVEL_FACE)), quality(_photo(checker=True),
                                                                                   _face(LEVEL_FACE))
    assert flat_dark.brightness < 5 and flat_dark.sharpness < 1
    assert detailed.brightness > 40 and detailed.sharpness > 50


def test_quality_filter_levels():
    small = _face(LEVEL_FACE, box=(100, 100, 20, 20))
    assert filter_reasons(_photo(), small, "NONE") == []
    assert filter_reasons(_photo(), small, "AUTO") == ["SMALL_BOUNDING_BOX"]
    unsure = _face(LEVEL_FACE, confidence=65)
    assert filter_reasons(_photo(), unsure, "LOW") == [] and filter_reasons(_photo(), unsure, "AUTO") == [
        "LOW_CONFIDENCE"]
    dark = filter_reasons(_photo((10, 10, 10)), _face(LEVEL_FACE), "MEDIUM")
    assert dark == ["LOW_BRIGHTNESS", "LOW_SHARPNESS"] and filter_reasons(_photo((10, 10, 10)),
                                                                         _face(LEVEL_FACE), "AUTO") == []
