"""Faces at any quarter-turn: the geometry (pure) and the real detector on turned real photos."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from skimage import data

from tests.photos import photo_path
from webapp.backends.local.face_engine import FaceEngine
from webapp.backends.local.face_orientation import TURNED_MIN, choose_orientation, orientation_of, unturn
from webapp.domain import BoundingBox, DetectedFace


def _marked(height: int, width: int, y: int, x: int) -> np.ndarray:
    """A black image with one white pixel."""
    image = np.zeros((height, width), dtype=np.uint8)
    image[y, x] = 255
    return image


@pytest.mark.parametrize("quarters", [0, 1, 2, 3])
def test_unturn_maps_a_point_of_the_turned_image_back_to_the_same_pixel(quarters: int) -> None:
    height, width, y, x = 40, 60, 7, 45
    turned = np.rot90(_marked(height, width, y, x), quarters)
    ty, tx = (int(v) for v in np.argwhere(turned)[0])
    # Pixel centres as ratios, so the mapping is exact.
    face = DetectedFace(BoundingBox(0, 0, 0, 0), 90.0, (((tx + 0.5) / turned.shape[1], (ty + 0.5) / turned.shape[0]),))
    mapped = unturn(face, quarters).landmarks[0]
    assert mapped == pytest.approx(((x + 0.5) / width, (y + 0.5) / height))


def test_unturn_keeps_the_box_inside_the_photo_and_records_the_orientation() -> None:
    face = DetectedFace(BoundingBox(0.1, 0.2, 0.3, 0.4), 95.0, ((0.2, 0.3),) * 5)
    back = unturn(face, 1)
    assert back.bounding_box == BoundingBox(pytest.approx(0.4), pytest.approx(0.1), pytest.approx(0.4),
                                            pytest.approx(0.3))
    assert back.orientation == 270 and back.confidence == 95.0
    assert unturn(face, 0) is face


def test_orientation_is_the_turn_of_the_photo_counter_clockwise() -> None:
    assert [orientation_of(q) for q in range(4)] == [0, 270, 180, 90]


def _face(confidence: float) -> DetectedFace:
    return DetectedFace(BoundingBox(0.4, 0.4, 0.2, 0.2), confidence, ())


def test_a_sure_upright_face_skips_the_turned_passes() -> None:
    calls = []
    quarters, faces = choose_orientation(np.zeros((4, 6, 3), np.uint8), lambda im: calls.append(im) or [_face(95)])
    assert (quarters, len(faces), len(calls)) == (0, 1, 1)


def test_the_most_confident_turn_wins_and_weak_turned_faces_do_not_count() -> None:
    # The image's first pixel tells the fake detector which turn it sees.
    image = np.zeros((2, 2, 3), np.uint8)
    image[0, 0], image[0, 1], image[1, 1], image[1, 0] = 1, 2, 3, 4
    scores = {1: 80.0, 2: 60.0, 4: 88.0, 3: TURNED_MIN - 1}
    quarters, faces = choose_orientation(image, lambda im: [_face(scores[int(im[0, 0, 0])])])
    assert quarters == 3 and faces[0].confidence == 88.0  # rot90(image, 3) puts pixel (1, 0) first
    scores[4] = 79.0
    assert choose_orientation(image, lambda im: [_face(scores[int(im[0, 0, 0])])])[0] == 0  # ties go upright


# --- real models -----------------------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    eng = FaceEngine()
    eng.load()
    return eng


def _rgb(name: str) -> np.ndarray:
    return np.asarray(Image.open(photo_path(name)).convert("RGB"))


@pytest.mark.model
@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_turned_group_photo_finds_all_six_faces_where_they_are(engine: FaceEngine, quarters: int) -> None:
    upright = _rgb("t1.jpg")
    expected = {round(f.bounding_box.left + f.bounding_box.width / 2, 2) for f in engine.detect(upright)}
    faces = engine.detect(np.rot90(upright, quarters))
    assert len(faces) == 6 and {f.orientation for f in faces} == {orientation_of(4 - quarters)}
    # Mapped from the turned photo back to the upright one, each box centre lands where the upright pass put it.
    back = [unturn(f, quarters) for f in faces]
    assert {round(f.bounding_box.left + f.bounding_box.width / 2, 2) for f in back} == expected


@pytest.mark.model
@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_turned_face_gives_the_same_faceprint(engine: FaceEngine, quarters: int) -> None:
    upright = _rgb("obama.jpg")
    reference = engine.embed(upright, engine.detect(upright)[0])
    turned = np.ascontiguousarray(np.rot90(upright, quarters))
    face = engine.detect(turned)[0]
    assert face.orientation == orientation_of(4 - quarters)
    assert engine.similarity(engine.cosine(reference, engine.embed(turned, face))) >= 95.0


def _sample(name: str) -> np.ndarray:
    image = getattr(data, name)()
    return np.stack([image] * 3, axis=-1) if image.ndim == 2 else image


FACE_FREE = ["coffee", "chelsea", "rocket", "hubble_deep_field", "moon", "cell", "retina"]


@pytest.mark.model
@pytest.mark.parametrize("name", FACE_FREE)
def test_face_free_photo_stays_face_free(engine: FaceEngine, name: str) -> None:
    assert engine.detect(_sample(name)) == []


@pytest.mark.model
@pytest.mark.parametrize("name", FACE_FREE)
@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_turned_face_free_photo_gains_no_face_from_the_turned_passes(engine: FaceEngine, name: str,
                                                                     quarters: int) -> None:
    turned = np.ascontiguousarray(np.rot90(_sample(name), quarters))
    # The upright pass alone may see a weak "face" (the cat upside down scores 0.61, as before
    # turned passes existed); what the turned passes add must be nothing.
    upright_only = engine._detect_scaled(turned)
    faces = engine.detect(turned)
    assert [f.orientation for f in faces] == [0] * len(faces)
    assert len(faces) == len(upright_only)
