"""Tests of the YuNet + SFace face engine: pure maths, then real models on real photos."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image
from skimage import data

from tests.photos import photo_path
from webapp.backends.local import face_engine
from webapp.backends.local.face_engine import MATCH_COSINE, FaceEngine
from webapp.domain import DetectedFace


def _photo(name: str) -> np.ndarray:
    """A cached test photo as an RGB uint8 array."""
    return np.asarray(Image.open(photo_path(name)).convert("RGB"))


@pytest.fixture(scope="module")
def engine() -> FaceEngine:
    """One loaded engine shared by the model tests of this module."""
    eng = FaceEngine()
    eng.load()
    return eng


def _only_face(engine: FaceEngine, rgb: np.ndarray) -> DetectedFace:
    """The single face the photo must contain."""
    faces = engine.detect(rgb)
    assert len(faces) == 1
    return faces[0]


def _print(engine: FaceEngine, name: str) -> np.ndarray:
    """Faceprint of the only face in a named test photo."""
    rgb = _photo(name)
    return engine.embed(rgb, _only_face(engine, rgb))


# --- pure unit tests -------------------------------------------------------------


def test_similarity_is_monotonic_and_bounded() -> None:
    scores = [FaceEngine.similarity(c) for c in np.linspace(-1.0, 1.0, 401)]
    assert all(b >= a for a, b in itertools.pairwise(scores))
    assert 0.0 <= scores[0] < 1.0
    assert 99.0 < scores[-1] <= 100.0


def test_similarity_is_80_at_the_match_threshold() -> None:
    assert FaceEngine.similarity(MATCH_COSINE) == pytest.approx(80.0, abs=1e-9)
    assert (
        FaceEngine.similarity(MATCH_COSINE - 0.01)
        < 80.0
        < FaceEngine.similarity(MATCH_COSINE + 0.01)
    )


def test_similarity_is_low_for_typical_strangers_and_survives_wild_input() -> None:
    assert FaceEngine.similarity(0.15) < 50.0
    assert FaceEngine.similarity(1e6) == pytest.approx(100.0)
    assert FaceEngine.similarity(-1e6) == pytest.approx(0.0, abs=1e-12)


def test_row_to_face_clips_box_but_keeps_landmarks() -> None:
    row = np.array([-10, 20, 60, 100, 5, 40, 30, 40, 20, 60, 8, 80, 28, 80, 0.9], dtype=np.float32)
    face = face_engine._row_to_face(row, width=100, height=100)
    box = face.bounding_box
    assert (box.left, box.top) == pytest.approx((0.0, 0.2))
    assert (box.width, box.height) == pytest.approx((0.5, 0.8))
    assert face.confidence == pytest.approx(90.0)
    assert face.landmarks[0] == pytest.approx((0.05, 0.4))


def test_detect_rejects_non_rgb_without_loading_models() -> None:
    engine = FaceEngine()
    with pytest.raises(ValueError):
        engine.detect(np.zeros((10, 10), dtype=np.uint8))
    with pytest.raises(ValueError):
        engine.detect(np.zeros((10, 10, 3), dtype=np.float32))
    assert not engine._yunet.loaded and not engine._sface.loaded


# --- real models -----------------------------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("t1.jpg", 6),
        ("obama.jpg", 1),
        ("chelsea", 0),
        ("coffee", 0),
        ("rocket", 0),
        ("astronaut", 1),
    ],
)
def test_detection_counts(engine: FaceEngine, source: str, expected: int) -> None:
    rgb = _photo(source) if "." in source else getattr(data, source)()
    faces = engine.detect(rgb)
    assert len(faces) == expected
    areas = [f.bounding_box.area for f in faces]
    assert areas == sorted(areas, reverse=True)
    for face in faces:
        box = face.bounding_box
        assert 0.0 <= box.left <= box.left + box.width <= 1.0
        assert 0.0 <= box.top <= box.top + box.height <= 1.0
        assert 60.0 <= face.confidence <= 100.0
        assert len(face.landmarks) == 5


@pytest.mark.model
def test_mirrored_view_is_accepted(engine: FaceEngine) -> None:
    faces = engine.detect(data.astronaut()[:, ::-1])
    assert len(faces) == 1


@pytest.mark.model
def test_embedding_is_unit_float32(engine: FaceEngine) -> None:
    vector = _print(engine, "obama.jpg")
    assert vector.dtype == np.float32
    assert vector.shape == (128,)
    assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.model
def test_same_person_scores_at_least_80(engine: FaceEngine) -> None:
    cosine = engine.cosine(_print(engine, "obama.jpg"), _print(engine, "obama2.jpg"))
    assert FaceEngine.similarity(cosine) >= 80.0


@pytest.mark.model
def test_different_people_score_below_80(engine: FaceEngine) -> None:
    obama = _print(engine, "obama.jpg")
    assert FaceEngine.similarity(engine.cosine(obama, _print(engine, "biden.jpg"))) < 80.0
    group = _photo("t1.jpg")
    faces = engine.detect(group)
    assert len(faces) == 6
    for face in faces:
        assert FaceEngine.similarity(engine.cosine(obama, engine.embed(group, face))) < 80.0


@pytest.mark.model
def test_load_twice_builds_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from webapp.backends.local import onnx_model

    calls: list[str] = []
    real_session = onnx_model.OnnxModel._cached_session

    def counting_session(self):
        calls.append(type(self).__name__)
        return real_session(self)

    monkeypatch.setattr(onnx_model.OnnxModel, "_cached_session", counting_session)
    engine = FaceEngine()
    engine.load()
    engine.load()
    assert sorted(calls) == ["SFaceModel", "YuNetModel"]


@pytest.mark.model
def test_boxes_map_back_from_padded_big_canvas(engine: FaceEngine) -> None:
    astronaut = data.astronaut()
    small = _only_face(engine, astronaut)
    canvas = np.full((1500, 3000, 3), 127, dtype=np.uint8)
    x0, y0 = 2100, 700
    canvas[y0 : y0 + 512, x0 : x0 + 512] = astronaut
    big = _only_face(engine, canvas)
    expected_left = (small.bounding_box.left * 512 + x0) / 3000
    expected_top = (small.bounding_box.top * 512 + y0) / 1500
    assert big.bounding_box.left == pytest.approx(expected_left, abs=0.005)
    assert big.bounding_box.top == pytest.approx(expected_top, abs=0.01)
    assert big.bounding_box.width == pytest.approx(small.bounding_box.width * 512 / 3000, rel=0.15)
    # The faceprint is taken from full-resolution pixels, so it matches the original's.
    cosine = engine.cosine(engine.embed(astronaut, small), engine.embed(canvas, big))
    assert cosine > 0.9


@pytest.mark.model
def test_boxes_are_stable_under_upscaling(engine: FaceEngine) -> None:
    import cv2

    astronaut = data.astronaut()
    small = _only_face(engine, astronaut)
    big = _only_face(engine, cv2.resize(astronaut, (2048, 2048), interpolation=cv2.INTER_CUBIC))
    for attr in ("left", "top", "width", "height"):
        assert getattr(big.bounding_box, attr) == pytest.approx(
            getattr(small.bounding_box, attr), abs=0.01
        )
    for (bx, by), (sx, sy) in zip(big.landmarks, small.landmarks, strict=True):
        # Landmarks may jitter by a few percent of the face width between resolutions.
        assert (bx, by) == pytest.approx((sx, sy), abs=0.1 * small.bounding_box.width)
