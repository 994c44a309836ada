"""Local mode's models loaded ahead of the first request (the ModelPreloader capability)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from webapp.backends.local.fused_engine import FusedEngine
from webapp.backends.local.moderation import LocalModerationDetector
from webapp.backends.local.scene import LocalSceneLabels

log = logging.getLogger(__name__)


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
        self._started: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def _chains(self, faces_only: bool) -> list[list[Callable[[], None]]]:
        """The loads in two chains of similar cost (~0.1 s of CPU each), each in the order an analysis needs them."""
        if faces_only:  # `flask recognize --faces-only`: the scene models would never run
            return [[self.faces.faces.load], [self.faces.dlib.load]]
        return [[self.faces.faces.load, self.faces.dlib.load],
                [self.labels.classifier.load, self.labels.objects.load, self.moderation.load]]

    def load(self, faces_only: bool = False) -> list[str]:
        """Load every model (each loads once per process), two at a time; their names.

        Building a session or an OpenCV net runs in C++ without the GIL, so the two chains
        overlap on two cores; a request waiting for one model waits only for that one's lock.
        """
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="glimpse-load") as pool:
            for done in [pool.submit(_run_all, chain) for chain in self._chains(faces_only)]:
                done.result()  # re-raises a load's error here
        if faces_only:
            return ["faces (YuNet + SFace + dlib ResNet)"]
        return ["faces (YuNet + SFace + dlib ResNet)", "labels (EfficientNet-Lite0)", "object boxes (NanoDet-g)",
                "moderation (open_nsfw)"]

    def start(self, faces_only: bool = False) -> None:
        """Start load() in a background thread and return at once (once per process; later calls do nothing).

        With faces_only only the face models load: the scene models still load on first use if needed.
        """
        with self._start_lock:
            if self._started is not None:
                return
            self._started = threading.Thread(
                target=self._load_logged, args=(faces_only,), name="glimpse-preload", daemon=True
            )
            self._started.start()

    def join(self, timeout: float | None = None) -> None:
        """Wait for a background load started by start() (nothing to wait for if none was)."""
        if self._started is not None:
            self._started.join(timeout)

    def _load_logged(self, faces_only: bool) -> None:
        """load(), logging a failure: the request that needs the model loads it again and reports the error."""
        try:
            self.load(faces_only)
        except Exception:  # noqa: BLE001 - a background thread has no caller to raise to
            log.exception("Loading the models in the background failed; they load on first use instead.")


def _run_all(steps: list[Callable[[], None]]) -> None:
    """Call each step in order."""
    for step in steps:
        step()
