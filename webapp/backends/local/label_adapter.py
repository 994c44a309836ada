"""LabelDetector port over the local ImageNet classifier."""
from __future__ import annotations

import numpy as np

from webapp.backends.local.labels import LocalLabelDetector
from webapp.domain import Label
from webapp.images import Photo


class LocalLabels:
    """Adapts Photo → pixels for the on-CPU classifier."""

    def __init__(self, model: LocalLabelDetector):
        self.model = model

    def detect(self, photo: Photo, min_confidence: float, max_labels: int) -> list[Label]:
        """Labels at or above min_confidence, most confident first."""
        return self.model.detect(np.asarray(photo.image, dtype=np.uint8), min_confidence, max_labels)
