"""Local mode's models loaded ahead of the first request (the ModelPreloader capability)."""
from __future__ import annotations

from webapp.backends.local.fused_engine import FusedEngine
from webapp.backends.local.moderation import LocalModerationDetector
from webapp.backends.local.scene import LocalSceneLabels


class LocalModels:
    """Loads what every analysis runs: the face models, the labels (classifier + boxes), moderation.

    The text reader is left out on purpose: it runs only on request (docs/performance.md §6),
    so its three models load with the first "Read text" instead of in every worker.
    """

    def __init__(self, faces: FusedEngine, labels: LocalSceneLabels, moderation: LocalModerationDetector) -> None:
        """Remember the models; nothing is loaded yet."""
        self.faces = faces
        self.labels = labels
        self.moderation = moderation

    def load(self) -> list[str]:
        """Load every model (each loads once per process); their names."""
        self.faces.load()
        self.labels.load()
        self.moderation.load()
        return ["faces (YuNet + SFace + dlib ResNet)", "labels (EfficientNet-Lite0)", "object boxes (NanoDet-g)",
                "moderation (open_nsfw)"]
