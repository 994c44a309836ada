"""A photo's pixels: one shared array per Photo for the face engine, the PIL image itself for the others."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from PIL import Image

from tests.fakes import FakeEngine
from webapp.backends.local.face_collection import LocalFaceCollection
from webapp.backends.local.pixels import photo_rgb, rgb_image, rgb_uint8
from webapp.backends.local.vector_index import VectorIndex
from webapp.images import Photo


def _photo(mode: str = "RGB") -> Photo:
    image = Image.new("RGB", (200, 120), (128, 128, 128))
    image.paste((255, 0, 0), (20, 20, 60, 60))
    image.paste((0, 0, 255), (120, 30, 150, 60))
    return Photo(image.convert(mode), "png")


def test_a_photo_becomes_one_read_only_array_however_often_it_is_asked_for():
    photo = _photo()
    first = photo_rgb(photo)
    assert photo_rgb(photo) is first and rgb_uint8(photo) is first
    assert first.shape == (120, 200, 3) and first.dtype == np.uint8 and first.flags.c_contiguous
    assert np.array_equal(first, np.asarray(photo.image))
    with pytest.raises(ValueError, match="read-only"):
        first[0, 0] = 0  # shared by every engine: none may change it for the others


def test_two_photos_have_their_own_arrays():
    one, other = _photo(), Photo(Image.new("RGB", (200, 120), (9, 9, 9)), "png")
    assert photo_rgb(one) is not photo_rgb(other)
    assert photo_rgb(other)[0, 0].tolist() == [9, 9, 9]


def test_the_array_goes_when_its_photo_does():
    photo = _photo()
    array = weakref.ref(photo_rgb(photo))
    del photo
    gc.collect()
    assert array() is None  # no cache keeps a dead photo's pixels


def test_a_grey_photo_becomes_three_equal_channels():
    grey = photo_rgb(_photo("L"))
    assert grey.shape == (120, 200, 3) and np.array_equal(grey[..., 0], grey[..., 2])


def test_label_box_and_moderation_engines_get_the_photos_own_image():
    photo = _photo()
    assert rgb_image(photo) is photo.image  # no copy: these engines only shrink it
    assert rgb_image(_photo("L")).mode == "RGB"
    array = np.zeros((10, 20, 3), np.uint8)
    assert rgb_image(array).size == (20, 10)


class _RecordingEngine(FakeEngine):
    """FakeEngine that remembers which array each call was given."""

    def __init__(self):
        super().__init__()
        self.arrays: list[np.ndarray] = []  # the arrays themselves: ids of freed ones could repeat

    def detect(self, rgb):
        self.arrays.append(rgb)
        return super().detect(rgb)

    def embed(self, rgb, face):
        self.arrays.append(rgb)
        return super().embed(rgb, face)


def test_detecting_and_searching_every_face_of_a_photo_share_one_array(tmp_path):
    engine = _RecordingEngine()
    faces = LocalFaceCollection(engine, VectorIndex(tmp_path / "vectors.sqlite3"))
    photo = _photo()
    found = faces.detect(photo)
    faces.index(photo, found[0], "someone")
    for face in found:
        faces.search(photo, face, 80.0)
    assert len(found) == 2 and len(engine.arrays) == 4
    assert all(rgb is photo_rgb(photo) for rgb in engine.arrays)  # one full-size copy for the four calls
