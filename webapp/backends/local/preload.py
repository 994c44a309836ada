"""Local mode's models loaded ahead of the first request (the ModelPreloader capability)."""
from __future__ import annotations

from webapp.backends.local.face_engine import FaceEngine
from webapp.backends.local.labels import LocalLabelDetector


class LocalModels:
    """Loads the face models and the label model (building and caching it the first time)."""

    def __init__(self, faces: FaceEngine, labels: LocalLabelDetector) -> None:
        """Remember the two models; nothing is loaded yet."""
        self.faces = faces
        self.labels = labels

    def load(self) -> list[str]:
        """Load both models (each loads once per process); their names."""
        self.faces.load()
        self.labels.load()
        return ["faces (YuNet + SFace)", "labels (EfficientNet-Lite0)"]
