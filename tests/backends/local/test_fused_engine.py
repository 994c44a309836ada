"""The shipped fused engine (SFace + dlib's ResNet) on real photos: one unit vector, one dot product."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.photos import photo_path
from webapp.backends.local import face_calibration as calibration
from webapp.backends.local.dlib_faceprint import DlibFaceprint
from webapp.backends.local.face_engine import FaceEngine
from webapp.backends.local.fused_engine import FusedEngine

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def fused(tmp_path_factory) -> FusedEngine:
    engine = FusedEngine(FaceEngine(), DlibFaceprint(threads=2, cache_dir=tmp_path_factory.mktemp("models")))
    engine.load()
    return engine


def _print(engine: FusedEngine, name: str, quarters: int = 0) -> np.ndarray:
    rgb = np.ascontiguousarray(np.rot90(np.asarray(Image.open(photo_path(name)).convert("RGB")), quarters))
    return engine.embed(rgb, engine.detect(rgb)[0])


def test_fused_print_is_one_unit_vector_whose_dot_is_the_weighted_cosines(fused: FusedEngine) -> None:
    a, b = _print(fused, "obama.jpg"), _print(fused, "obama2.jpg")
    assert a.shape == (256,) and a.dtype == np.float32 and float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-5)
    share = calibration.FUSED_SFACE_SHARE
    sface = float(np.dot(a[:128], b[:128])) / share
    dlib = float(np.dot(a[128:], b[128:])) / (1 - share)
    assert fused.cosine(a, b) == pytest.approx(share * sface + (1 - share) * dlib, abs=1e-5)


def test_same_person_reaches_80_and_different_people_do_not(fused: FusedEngine) -> None:
    obama = _print(fused, "obama.jpg")
    assert fused.similarity(fused.cosine(obama, _print(fused, "obama2.jpg"))) >= 80
    assert fused.similarity(fused.cosine(obama, _print(fused, "obama3.jpg"))) >= 80
    assert fused.similarity(fused.cosine(obama, _print(fused, "biden.jpg"))) < 80
    group = np.asarray(Image.open(photo_path("t1.jpg")).convert("RGB"))
    faces = fused.detect(group)
    strangers = fused.embed_many(group, faces)
    assert len(strangers) == 6
    assert max(fused.similarity(fused.cosine(obama, s)) for s in strangers) < 80


@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_a_turned_photo_gives_the_fused_print_of_the_upright_one(fused: FusedEngine, quarters: int) -> None:
    upright, turned = _print(fused, "obama2.jpg"), _print(fused, "obama2.jpg", quarters)
    assert fused.similarity(fused.cosine(upright, turned)) >= 95
