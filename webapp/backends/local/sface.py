"""SFace faceprints in onnxruntime: the face aligned to SFace's 112x112 template, then the network.

OpenCV's FaceRecognizerSF did both steps before. The same network (the float copy of the shipped
int8 file, webapp/backends/local/sface_graph.py) runs here in onnxruntime instead: 18 instead of
25 ms of CPU per face on 2 cores (`python bench/sface_batch.py`), with no per-call state, so
two photos' faceprints (and, with yunet.py, detections) run at the same time without a lock.
The alignment is OpenCV's alignCrop redone in numpy (the same Umeyama similarity onto the same
five points, then the same bilinear warp), so faceprints match the old ones (cosine >= 0.9999,
tested) and the stored vectors and the calibration stay valid.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from webapp.backends.local.dlib_faceprint import similarity_transform
from webapp.backends.local.onnx_model import DequantizedModel

CHIP_SIDE = 112
# Where SFace expects the eyes, nose tip and mouth corners (OpenCV's face_recognize.cpp).
TEMPLATE = np.array([
    [38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041],
])
ORT_FAMILY = "sface-2021dec-"


def align(rgb: np.ndarray, points: Sequence[tuple[float, float]]) -> np.ndarray:
    """SFace's 112x112 RGB face chip from YuNet's five landmarks (pixels of rgb), as OpenCV's alignCrop."""
    import cv2  # here, not at module top: keep OpenCV out of import time

    # float32 landmarks as OpenCV read them from YuNet's row, so both warps start from the same points
    source = np.asarray(points, np.float32).astype(np.float64)
    matrix = similarity_transform(source, TEMPLATE)
    return cv2.warpAffine(np.ascontiguousarray(rgb), matrix, (CHIP_SIDE, CHIP_SIDE), flags=cv2.INTER_LINEAR)


class SFaceModel(DequantizedModel):
    """SFace (2021dec) on onnxruntime: 128-d faceprints of aligned face chips."""

    FAMILY = ORT_FAMILY

    def embed(self, chips: Sequence[np.ndarray]) -> np.ndarray:
        """N x 128 float32 raw faceprints (not normalised) of 112x112 RGB chips, one network call each.

        One call per face: batching measured 0-9 % less CPU (docs/performance.md §5), not worth a
        second graph with a free batch size.
        """
        self.load()
        name = self._session.get_inputs()[0].name
        rows = [self._session.run(None, {name: _blob(chip)})[0].reshape(-1) for chip in chips]
        return np.stack(rows).astype(np.float32) if rows else np.zeros((0, 128), np.float32)


def _blob(chip: np.ndarray) -> np.ndarray:
    """1x3x112x112 float32 in RGB order, 0-255: what OpenCV's blobFromImage(swapRB=True) gave from BGR."""
    return np.ascontiguousarray(chip.transpose(2, 0, 1)[None], dtype=np.float32)
