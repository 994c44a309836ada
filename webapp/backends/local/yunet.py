"""YuNet face detection in onnxruntime: the network, then OpenCV's FaceDetectorYN decoding in numpy.

OpenCV's FaceDetectorYN ran the same network before. Its float copy (the shipped int8 weights
dequantized once, sface_graph.py, with the image size left free) runs here in onnxruntime with
less than half the CPU (t1.jpg at 640x443: 5.5 vs 13.5 ms, `python bench/yunet_speed.py`) and
no per-call state, so no lock. The decoding below is FaceDetectorYN's postProcess (OpenCV 4.14
face_detect.cpp) step by step: pad to a multiple of 32, score = sqrt(cls * obj), boxes and
landmarks from the grid, then NMS on integer boxes; rows match OpenCV's to 1e-4 px (tested).
"""
from __future__ import annotations

import numpy as np

from webapp.backends.local.onnx_model import DequantizedModel

STRIDES = (8, 16, 32)
PAD_TO = 32  # the network's largest stride: OpenCV pads the image bottom/right to a multiple of it
NMS_THRESHOLD = 0.3
TOP_K = 5000
ORT_FAMILY = "yunet-2023mar-"


class YuNetModel(DequantizedModel):
    """YuNet (2023mar) on onnxruntime: face rows (x, y, w, h, 5 landmarks, score) in pixels."""

    FAMILY = ORT_FAMILY

    def detect(self, bgr: np.ndarray, score_threshold: float) -> np.ndarray:
        """N x 15 float32 rows, as FaceDetectorYN.detect gives them (N may be 0), for an HxWx3 uint8 BGR image."""
        self.load()
        height, width = bgr.shape[:2]
        padded_h, padded_w = -(-height // PAD_TO) * PAD_TO, -(-width // PAD_TO) * PAD_TO
        padded = np.zeros((padded_h, padded_w, 3), np.uint8)
        padded[:height, :width] = bgr
        blob = padded.transpose(2, 0, 1)[None].astype(np.float32)
        names = [output.name for output in self._session.get_outputs()]
        outputs = dict(zip(names, self._session.run(None, {self._session.get_inputs()[0].name: blob}), strict=True))
        rows = [_decode(outputs, stride, padded_w // stride, score_threshold) for stride in STRIDES]
        return _suppress(np.concatenate(rows), score_threshold)


def _decode(outputs: dict[str, np.ndarray], stride: int, cols: int, score_threshold: float) -> np.ndarray:
    """The rows of one stride's grid cells that reach the threshold."""
    cls = np.clip(outputs[f"cls_{stride}"].reshape(-1), 0.0, 1.0)
    obj = np.clip(outputs[f"obj_{stride}"].reshape(-1), 0.0, 1.0)
    score = np.sqrt(cls * obj).astype(np.float32)
    keep = np.nonzero(score >= score_threshold)[0]
    col, row = (keep % cols).astype(np.float32), (keep // cols).astype(np.float32)
    box = outputs[f"bbox_{stride}"].reshape(-1, 4)[keep]
    points = outputs[f"kps_{stride}"].reshape(-1, 10)[keep]
    width, height = np.exp(box[:, 2]) * stride, np.exp(box[:, 3]) * stride
    faces = np.empty((len(keep), 15), np.float32)
    faces[:, 0] = (col + box[:, 0]) * stride - width / 2
    faces[:, 1] = (row + box[:, 1]) * stride - height / 2
    faces[:, 2], faces[:, 3] = width, height
    faces[:, 4:14:2] = (points[:, 0::2] + col[:, None]) * stride
    faces[:, 5:14:2] = (points[:, 1::2] + row[:, None]) * stride
    faces[:, 14] = score[keep]
    return faces


def _suppress(faces: np.ndarray, score_threshold: float) -> np.ndarray:
    """Non-maximum suppression as OpenCV does it: on the boxes truncated to integers."""
    if len(faces) < 2:
        return faces
    import cv2  # here, not at module top: keep OpenCV out of import time

    boxes = [[int(v) for v in face[:4]] for face in faces]
    kept = cv2.dnn.NMSBoxes(boxes, faces[:, 14].tolist(), score_threshold, NMS_THRESHOLD, eta=1.0, top_k=TOP_K)
    return faces[np.asarray(kept, dtype=np.int64).reshape(-1)]
