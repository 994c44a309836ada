"""YuNet on onnxruntime: the same face rows OpenCV's FaceDetectorYN gave, at any image size."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.photos import photo_path
from webapp.backends.local import face_engine
from webapp.backends.local.face_engine import DEFAULT_SCORE_THRESHOLD, yunet_source
from webapp.backends.local.yunet import YuNetModel


@pytest.fixture(scope="module")
def yunet() -> YuNetModel:
    """The app's detector network, float copy built in memory."""
    return YuNetModel(lambda: yunet_source(None), threads=1)


def _opencv_rows(bgr: np.ndarray) -> np.ndarray:
    """What OpenCV's own detector gives on the shipped int8 file (the engine used it before)."""
    import cv2

    height, width = bgr.shape[:2]
    detector = cv2.FaceDetectorYN.create(str(face_engine.models_dir() / face_engine.DETECTOR_FILE), "",
                                         (width, height), DEFAULT_SCORE_THRESHOLD, 0.3, 5000)
    _, rows = detector.detect(bgr)
    return np.zeros((0, 15), np.float32) if rows is None else rows


@pytest.mark.model
@pytest.mark.parametrize("name", ["t1.jpg", "obama.jpg", "biden.jpg"])
@pytest.mark.parametrize("scale", [1.0, 0.5, 0.37])  # sizes that are and are not multiples of 32
def test_rows_equal_opencvs_face_detector(yunet, name, scale):
    import cv2

    rgb = np.asarray(Image.open(photo_path(name)).convert("RGB"))
    bgr = cv2.cvtColor(cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2BGR)
    ours, theirs = yunet.detect(bgr, DEFAULT_SCORE_THRESHOLD), _opencv_rows(bgr)
    assert len(ours) == len(theirs) > 0
    assert np.allclose(ours, theirs, atol=1e-3)  # boxes and landmarks in pixels, score; same order


@pytest.mark.model
def test_an_image_without_faces_gives_no_rows(yunet):
    assert yunet.detect(np.full((200, 300, 3), 128, np.uint8), DEFAULT_SCORE_THRESHOLD).shape == (0, 15)


@pytest.mark.model
def test_the_threshold_is_applied_to_the_decoded_scores(yunet):
    """t1.jpg's six faces score 0.90-0.94 and one weak candidate 0.15: each threshold keeps what reaches it."""
    rgb = np.asarray(Image.open(photo_path("t1.jpg")).convert("RGB"))
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    low, usual, high = (yunet.detect(bgr, threshold) for threshold in (0.1, DEFAULT_SCORE_THRESHOLD, 0.93))
    assert (len(low), len(usual), len(high)) == (7, 6, 1)
    assert high[0, 14] >= 0.93 and usual[:, 14].min() >= DEFAULT_SCORE_THRESHOLD and low[:, 14].min() < 0.3
