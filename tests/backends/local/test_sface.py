"""SFace on onnxruntime: the same chips and faceprints as OpenCV's FaceRecognizerSF gave."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.photos import photo_path
from webapp.backends.local import face_engine
from webapp.backends.local.face_engine import FaceEngine
from webapp.backends.local.sface import align
from webapp.domain import BoundingBox, DetectedFace


def _row(face: DetectedFace, width: int, height: int) -> np.ndarray:
    """YuNet's 15-value row in pixels, what OpenCV's alignCrop reads."""
    box = face.bounding_box
    values = [box.left * width, box.top * height, box.width * width, box.height * height]
    for x, y in face.landmarks:
        values += [x * width, y * height]
    return np.asarray([[*values, face.confidence / 100.0]], dtype=np.float32)


@pytest.fixture(scope="module")
def faces_of_t1():
    """t1.jpg (six faces), an engine, and the faces it found."""
    rgb = np.asarray(Image.open(photo_path("t1.jpg")).convert("RGB"))
    engine = FaceEngine(threads=1)
    faces = engine.detect(rgb)
    assert len(faces) == 6
    return rgb, engine, faces


@pytest.fixture(scope="module")
def opencv_sface():
    """OpenCV's own SFace recogniser over the shipped int8 file (the engine used it before)."""
    import cv2

    return cv2.FaceRecognizerSF.create(str(face_engine.models_dir() / face_engine.RECOGNIZER_FILE), "")


@pytest.mark.model
def test_align_cuts_the_chip_opencv_alignCrop_cuts(faces_of_t1, opencv_sface):
    rgb, _, faces = faces_of_t1
    height, width = rgb.shape[:2]
    for face in faces:
        ours = align(rgb, [(x * width, y * height) for x, y in face.landmarks])
        theirs = opencv_sface.alignCrop(rgb, _row(face, width, height))
        assert ours.shape == (112, 112, 3)
        # the same warp from the same points; OpenCV's float32 matrix rounds a few values differently
        difference = np.abs(ours.astype(int) - theirs.astype(int))
        assert difference.max() <= 2 and np.count_nonzero(difference) < 0.01 * difference.size


@pytest.mark.model
def test_faceprints_equal_opencvs_so_stored_vectors_and_calibration_stay_valid(faces_of_t1, opencv_sface):
    rgb, engine, faces = faces_of_t1
    height, width = rgb.shape[:2]
    ours = engine.embed_many(rgb, faces)
    for face, vector in zip(faces, ours, strict=True):
        crop = opencv_sface.alignCrop(rgb, _row(face, width, height))
        theirs = np.asarray(opencv_sface.feature(np.ascontiguousarray(crop[:, :, ::-1])), np.float32).reshape(-1)
        assert float(vector @ theirs / np.linalg.norm(theirs)) >= 0.9999


def test_a_face_without_five_landmarks_is_refused_before_any_model_loads():
    engine = FaceEngine()
    face = DetectedFace(BoundingBox(0.1, 0.1, 0.5, 0.5), 90.0, ())
    with pytest.raises(ValueError, match="5 landmarks"):
        engine.embed(np.zeros((100, 100, 3), np.uint8), face)
    assert not engine._yunet.loaded and not engine._sface.loaded
