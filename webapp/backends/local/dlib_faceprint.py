"""dlib's ResNet faceprint (face_recognition's model) run in onnxruntime: no dlib, no torch.

The weights are dlib's public-domain ``dlib_face_recognition_resnet_model_v1.dat``
from PyPI ``face_recognition_models``; ``dlib_reader`` parses them and
``dlib_graph`` turns them into ONNX once, cached on disk by the weights' sha256
(``model_cache``) so later start-ups import neither ``onnx`` nor the builder. Faces are aligned
from YuNet's five landmarks onto dlib's 150x150 chip (see REFERENCE_POINTS).
"""
from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from webapp.backends.local.model_cache import cached_build, file_sha256
from webapp.backends.local.onnx_model import OnnxModel
from webapp.errors import BackendUnavailable

log = logging.getLogger(__name__)

WEIGHTS_PACKAGE = "face_recognition_models"
WEIGHTS_FILE = "dlib_face_recognition_resnet_model_v1.dat"
GRAPH_VERSION = "1"  # bump when dlib_graph changes what it builds, to invalidate caches
CACHE_FAMILY = "dlib-resnet-v1-"
CHIP_SIZE = 150
CHIP_PADDING = 0.25  # what face_recognition / dlib's compute_face_descriptor use
DIMENSIONS = 128
MIN_WARP_SCALE = 0.5  # below this, shrink the face first: bilinear warps alias

# dlib's mean face (get_face_chip_details, dlib/image_transforms/interpolation.h):
# positions of the 68-point landmarks, as fractions of the tight face box. dlib's
# 5-point predictor marks eye corners and the nose base, YuNet marks eye centres, the
# nose tip and mouth corners, so YuNet's points are derived from the 68-point table:
# each eye centre = mean of its six eyelid points (36-41, 42-47), the nose tip = point
# 30, the mouth corners = points 48 and 54. Image-left comes first, as in YuNet (the
# person's right eye). A point m maps to chip pixels as (padding + m) / (1 + 2 padding)
# * size, exactly as dlib pads its template.
_MEAN_EYE_RIGHT = (  # points 36-41 (x, y)
    (0.121737, 0.216423), (0.187122, 0.178758), (0.265825, 0.179852),
    (0.334606, 0.231733), (0.260918, 0.245099), (0.182743, 0.244077),
)
_MEAN_EYE_LEFT = (  # points 42-47
    (0.645647, 0.231733), (0.714428, 0.179852), (0.793132, 0.178758),
    (0.858516, 0.216423), (0.797510, 0.244077), (0.719335, 0.245099),
)
_MEAN_NOSE_TIP = (0.490127, 0.515625)  # point 30
_MEAN_MOUTH_RIGHT = (0.254149, 0.780233)  # point 48
_MEAN_MOUTH_LEFT = (0.726104, 0.780233)  # point 54


def reference_points(size: int = CHIP_SIZE, padding: float = CHIP_PADDING) -> np.ndarray:
    """Where YuNet's five landmarks sit on dlib's aligned chip, in chip pixels (5x2)."""
    mean_face = np.array([
        np.mean(_MEAN_EYE_RIGHT, axis=0), np.mean(_MEAN_EYE_LEFT, axis=0),
        _MEAN_NOSE_TIP, _MEAN_MOUTH_RIGHT, _MEAN_MOUTH_LEFT,
    ])
    return (padding + mean_face) / (1 + 2 * padding) * size


REFERENCE_POINTS = reference_points()


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares rotation+scale+shift taking src points to dst (Umeyama), as a 2x3 matrix."""
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    src_c, dst_c = src - src_mean, dst - dst_mean
    u, sigma, vt = np.linalg.svd(dst_c.T @ src_c / len(src))
    d = np.diag([1.0, np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0])
    rotation = u @ d @ vt
    variance = (src_c ** 2).sum() / len(src)
    scale = float((sigma * np.diag(d)).sum() / variance) if variance > 0 else 1.0
    shift = dst_mean - scale * rotation @ src_mean
    return np.hstack([scale * rotation, shift[:, None]])


def align(rgb: np.ndarray, points: Sequence[tuple[float, float]]) -> np.ndarray:
    """dlib's 150x150 face chip from YuNet's 5 landmarks (pixels of rgb); uint8 HxWx3."""
    import cv2  # here, not at module top: keep OpenCV out of import time

    matrix = similarity_transform(np.asarray(points, np.float64), REFERENCE_POINTS)
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    image = rgb
    if scale < MIN_WARP_SCALE:
        image, matrix = _shrink_source(rgb, matrix, scale)
    return cv2.warpAffine(
        image, matrix, (CHIP_SIZE, CHIP_SIZE), flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0),
    )


def _shrink_source(rgb: np.ndarray, matrix: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Crop the face's region and area-average it to chip scale (dlib uses a pyramid here)."""
    import cv2

    inverse = cv2.invertAffineTransform(matrix)
    corners = np.array([[0, 0, 1], [CHIP_SIZE, 0, 1], [0, CHIP_SIZE, 1], [CHIP_SIZE, CHIP_SIZE, 1]])
    region = corners @ inverse.T
    height, width = rgb.shape[:2]
    x0, y0 = (max(0, int(np.floor(v))) for v in region.min(axis=0))
    x1 = min(width, int(np.ceil(region[:, 0].max())) + 1)
    y1 = min(height, int(np.ceil(region[:, 1].max())) + 1)
    if x1 <= x0 or y1 <= y0:
        return rgb, matrix  # the face lies outside the photo: nothing to shrink
    crop = rgb[y0:y1, x0:x1]
    new_w, new_h = max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale))
    small = cv2.resize(crop, (new_w, new_h), interpolation=cv2.INTER_AREA)
    rx, ry = new_w / (x1 - x0), new_h / (y1 - y0)
    # small pixel q maps back to photo pixel p = (q + 0.5) / r - 0.5 + origin (centre-aligned).
    back = np.array([[1 / rx, 0, 0.5 / rx - 0.5 + x0], [0, 1 / ry, 0.5 / ry - 0.5 + y0], [0, 0, 1]])
    return small, matrix @ back


class DlibFaceprint(OnnxModel):
    """128-d L2-normalised faceprints from dlib's ResNet, batched over a photo's faces."""

    def __init__(
        self, threads: int = 1, weights_path: str | Path | None = None,
        cache_dir: str | Path | None = None,
    ) -> None:
        """Remember settings; the network is built or read from cache by load()."""
        super().__init__(threads, Path(cache_dir) if cache_dir else None)
        self._weights_path = Path(weights_path) if weights_path else None

    def _graph_id(self) -> tuple[str, str]:
        """The weights' content and the builder's version name the optimised graph."""
        weights = self._weights_path or default_weights_path()
        return CACHE_FAMILY, f"{file_sha256(weights, self._cache_dir)}-g{GRAPH_VERSION}"

    def _model_source(self) -> bytes:
        """The network built from dlib's weights, or read from the model cache."""
        weights = self._weights_path or default_weights_path()
        return model_bytes(weights, self._cache_dir or default_cache_dir())

    def embed_many(
        self, rgb: np.ndarray, landmarks: Sequence[Sequence[tuple[float, float]]]
    ) -> np.ndarray:
        """N x 128 float32 L2-normalised faceprints, one per 5-landmark set (YuNet order, pixels)."""
        _check_rgb(rgb)
        if len(landmarks) == 0:
            return np.zeros((0, DIMENSIONS), np.float32)
        if any(np.shape(points) != (5, 2) for points in landmarks):
            raise ValueError("each face needs YuNet's 5 (x, y) landmarks")
        chips = np.stack([align(rgb, points) for points in landmarks]).astype(np.float32)
        self.load()
        (raw,) = self._session.run(None, {"rgb": chips})
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        prints: np.ndarray = (raw / np.maximum(norms, 1e-12)).astype(np.float32)
        return prints


def default_weights_path() -> Path:
    """The .dat inside the installed face_recognition_models (its __init__ is not run)."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailable(
            "dlib's face model is missing: install face_recognition_models==0.3.0 (requirements.txt)."
        )
    return Path(list(spec.submodule_search_locations)[0]) / "models" / WEIGHTS_FILE


def default_cache_dir() -> Path:
    """Where the app caches built models: $GLIMPSE_DATA_DIR/models, else the default data folder's."""
    data_dir = os.environ.get("GLIMPSE_DATA_DIR")
    root = Path(data_dir) if data_dir else Path(__file__).resolve().parents[3] / "instance"
    return root / "models"


def model_bytes(weights: Path, cache_dir: Path) -> bytes:
    """The serialized ONNX model: read from cache if built before from these weights, else built (and cached)."""

    def build() -> bytes:
        # Imported only for a build: onnx costs start-up time a cached run never pays.
        from webapp.backends.local.dlib_graph import build_model_bytes
        from webapp.backends.local.dlib_reader import read_dlib_net

        try:
            return build_model_bytes(read_dlib_net(weights))
        except ValueError as exc:  # DlibFormatError, or a shape that cannot hold the weights
            log.error("cannot parse dlib weights %s: %s", weights, exc)
            raise BackendUnavailable("dlib's face model file is damaged; reinstall face_recognition_models.") from exc

    try:
        digest = file_sha256(weights, cache_dir)
    except OSError as exc:
        log.error("cannot read dlib weights %s: %s", weights, exc)
        raise BackendUnavailable("dlib's face model file cannot be read; reinstall face_recognition_models.") from exc
    # Keyed by the weights' content and the builder's version, like the label model.
    name = f"{CACHE_FAMILY}{digest}-g{GRAPH_VERSION}.onnx"
    return cached_build(cache_dir / name, build, family=CACHE_FAMILY)


def _check_rgb(rgb: np.ndarray) -> None:
    """Reject anything but an HxWx3 uint8 array."""
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError("expected an HxWx3 uint8 RGB array")
