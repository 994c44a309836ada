"""Geometry that lets the adapter check (and force) which face of a crop Rekognition searches or indexes."""
from __future__ import annotations

import io

from PIL import Image

from tests.conftest import BLUE, RED
from tests.fakes import BACKGROUND
from webapp.backends.aws.rekognition_images import face_in_crop, is_same_face, masked_face_crop
from webapp.domain import BoundingBox
from webapp.images import crop_box, decode_photo


def _photo():
    """A tight pair on 400 x 300: RED at x 10-70, BLUE at x 75-125, 5 px apart, both from y 20."""
    image = Image.new("RGB", (400, 300), BACKGROUND)
    image.paste(RED, (10, 20, 70, 80))
    image.paste(BLUE, (75, 20, 125, 70))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return decode_photo(out.getvalue(), 10**8, 10**8)


BLUE_BOX = BoundingBox(75 / 400, 20 / 300, 50 / 400, 50 / 300)


def test_face_in_crop_points_at_the_face_the_crop_was_cut_for():
    image = _photo().image
    crop = crop_box(image, BLUE_BOX, margin=0.3)
    inner = face_in_crop(image.size, BLUE_BOX)
    centre = (int((inner.left + inner.width / 2) * crop.width), int((inner.top + inner.height / 2) * crop.height))
    assert crop.getpixel(centre) == BLUE
    assert inner.width * crop.width == 50 and inner.height * crop.height == 50


def test_masked_crop_keeps_the_face_and_greys_out_the_neighbour():
    image = _photo().image
    masked = Image.open(io.BytesIO(masked_face_crop(image, BLUE_BOX))).convert("RGB")
    unmasked = crop_box(image, BLUE_BOX, margin=0.3)
    assert masked.size == unmasked.size
    assert any(unmasked.getpixel((x, 30)) == RED for x in range(5))  # a sliver of RED sits in the plain crop
    near = lambda a, b: max(abs(p - q) for p, q in zip(a, b, strict=True)) < 12  # noqa: E731 — JPEG tolerance
    assert all(near(masked.getpixel((x, 30)), BACKGROUND) for x in range(5))
    assert near(masked.getpixel((masked.width // 2, masked.height // 2)), BLUE)


def test_the_same_face_is_recognised_by_overlap_and_a_neighbour_is_not():
    ours = BoundingBox(0.2, 0.2, 0.6, 0.6)
    assert is_same_face(ours, BoundingBox(0.22, 0.18, 0.58, 0.63))  # the same face, boxed a little differently
    assert not is_same_face(ours, BoundingBox(0.7, 0.0, 0.3, 0.9))  # a neighbour at the crop's edge
    assert is_same_face(ours, BoundingBox(0.35, 0.35, 0.3, 0.3))  # the same face, boxed much tighter
