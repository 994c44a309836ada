"""One home for the local models' lazy onnxruntime session (the Immich-ml model pattern).

Each model subclasses ``OnnxModel`` and says only where its ONNX graph comes from
(``_model_source``); the session is built once per instance, on first use, under a lock.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

PROVIDERS = ["CPUExecutionProvider"]


class OnnxModel(ABC):
    """A CPU onnxruntime session built lazily, once, thread-safely; subclasses add pre/postprocessing."""

    def __init__(self, threads: int = 1) -> None:
        """Remember the thread count; nothing is loaded until load() or the first inference."""
        self.threads = threads
        self._lock = threading.Lock()
        self._session: Any = None

    @property
    def loaded(self) -> bool:
        """Whether the inference session has been built."""
        return self._session is not None

    def load(self) -> None:
        """Create the ONNX session once (thread-safe); later calls return immediately."""
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            # Imported here so importing a model module stays cheap for apps not using it, and
            # before _model_source: a missing runtime fails before minutes of model building.
            import onnxruntime  # noqa: F401

            self._session = self._new_session(self._model_source())

    @abstractmethod
    def _model_source(self) -> bytes | str | Path:
        """The serialized ONNX model, or the path of its file (called once, under the lock)."""

    def _new_session(self, source: bytes | str | Path) -> Any:
        """An onnxruntime session over source; a subclass may override to translate load errors."""
        import onnxruntime as ort

        model = source if isinstance(source, bytes) else str(source)
        return ort.InferenceSession(model, sess_options=self._session_options(), providers=PROVIDERS)

    def _session_options(self) -> Any:
        """intra-op threads as configured, one inter-op thread, no spinning."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # idle onnxruntime threads otherwise busy-wait and slow the face models that run next
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return options
