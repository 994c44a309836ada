"""Local mode's models loaded ahead of the first request (the ModelPreloader capability)."""
from __future__ import annotations

from webapp.backends.local.fused_engine import FusedEngine
from webapp.backends.local.labels import LocalLabelDetector


class LocalModels:
    """Loads the face models and the label model (building and caching it the first time)."""

    def __init__(self, faces: FusedEngine, labels: LocalLabelDetector) -> None:
        """Remember the two models; nothing is loaded yet."""
        self.faces = faces
        self.labels = labels

    def load(self) -> list[str]:
        """Load both models (each loads once per process); their names."""
        self.faces.load()
        self.labels.load()
        return ["faces (YuNet + SFace + dlib ResNet)", "labels (EfficientNet-Lite0)"]
