"""onnxruntime's optimised graphs saved once in the model cache, so later sessions skip graph optimisation.

onnxruntime rewrites every graph when a session is built (fusions, constant folding, the
NCHWc layout for this CPU's vector width): 13-24 ms of CPU per model in a fresh process.
The rewritten graph is saved the first time (``optimized_model_filepath``) and later sessions
load it with optimisation off: outputs are bit-identical (tested). The saved graph depends on
the onnxruntime version and the CPU's instruction set, so both are in the file name with the
source graph's own digest; a file from another version, CPU or graph is never read.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import platform
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from webapp.backends.local.digest_memo import file_sha256

log = logging.getLogger(__name__)
FAMILY = "ort-"


@functools.cache
def cpu_tag() -> str:
    """A short digest of what the optimised graph may depend on: the machine type and its CPU's flags."""
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith(("flags", "Features"))), "")
    except OSError:
        flags = platform.processor()
    return hashlib.sha256(f"{platform.machine()} {flags}".encode()).hexdigest()[:12]


def optimized_path(cache_dir: Path, family: str, digest: str) -> Path:
    """Where the optimised graph of a source (its family and content digest) lives for this onnxruntime and CPU."""
    import onnxruntime

    return cache_dir / f"{FAMILY}{family}{digest}-ort{onnxruntime.__version__}-{cpu_tag()}.onnx"


def read_optimized(path: Path) -> Path | None:
    """path if it holds an intact optimised graph (its digest matches the .sha256 beside it), else None."""
    try:
        if (path.parent / f"{path.name}.sha256").read_text().strip() == file_sha256(path, path.parent):
            return path
        log.warning("The optimised graph %s is damaged; it is made again.", path)
    except OSError:  # missing (the first start) or unreadable: made again
        pass
    return None


def build_and_save(path: Path, family: str, build: Callable[[Path | None], Any]) -> Any:
    """build(save_to) makes the session and has onnxruntime write its optimised graph to a temp file, published here."""
    tmp = _temp_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        session = build(tmp)
    except Exception as exc:  # noqa: BLE001 - onnxruntime's own classes; e.g. a read-only cache
        log.warning("Cannot save the optimised graph at %s (%s); building the session without saving.", path, exc)
        tmp.unlink(missing_ok=True)
        return build(None)  # a model that cannot load at all raises its own error here
    try:
        with tmp.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # the graph first, its digest second: a crash in between leaves a file made again
        side = path.parent / f"{path.name}.sha256"
        side_tmp = side.with_name(f".{side.name}.{os.getpid()}.tmp")
        side_tmp.write_text(digest)
        os.replace(side_tmp, side)
        _drop_stale(path, family)
    except OSError as exc:  # not fatal: the session works, the graph is only optimised again next start
        log.warning("Cannot save the optimised graph at %s (%s).", path, exc)
        tmp.unlink(missing_ok=True)
    return session


def _temp_path(path: Path) -> Path:
    """A temp name beside path, unique per process and thread (two loads may save at once)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def _drop_stale(path: Path, family: str) -> None:
    """Delete the family's other optimised graphs: other weights, another onnxruntime or another CPU."""
    for stale in path.parent.glob(f"{FAMILY}{family}*"):
        if stale.name not in (path.name, f"{path.name}.sha256"):
            stale.unlink(missing_ok=True)
