"""Model files built from weights, cached on disk so later starts only read them.

A cache file is its payload preceded by the payload's sha256, written atomically (temp
file + rename): two workers building at once, a crash mid-write or a damaged file never
hand a bad model to the runtime, because a file whose digest does not match is rebuilt.
A runtime that only reads a path (OpenCV: from a path it loads ~4x faster than from bytes)
gets a plain file instead, its digest in a ``.sha256`` file beside it (``cached_file``).
A file unchanged since its digest was last checked is not hashed again (``digest_memo``).
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from webapp.backends.local.digest_memo import file_sha256, remember, remembered

__all__ = ["cached_build", "cached_file", "file_sha256", "read_cached", "write_cached"]
log = logging.getLogger(__name__)
_DIGEST_SIZE = hashlib.sha256().digest_size


def read_cached(path: Path) -> bytes | None:
    """The payload of a cache file, or None when it is missing or damaged (checked once per change: digest_memo)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("Cannot read the cached model %s (%s); building it again.", path, exc)
        return None
    payload, digest = data[_DIGEST_SIZE:], data[:_DIGEST_SIZE].hex()
    if len(data) > _DIGEST_SIZE and remembered(path, path.parent) == digest:
        return payload
    if len(data) <= _DIGEST_SIZE or hashlib.sha256(payload).hexdigest() != digest:
        log.warning("The cached model %s is damaged; building it again.", path)
        return None
    remember(path, digest, path.parent)
    return payload


def write_cached(path: Path, payload: bytes) -> bool:
    """Write digest + payload atomically; returns False (and logs) if the cache is not writable."""
    return _write_atomic(path, hashlib.sha256(payload).digest() + payload)


def _write_atomic(path: Path, data: bytes) -> bool:
    """Write data to path through a fsynced temp file and a rename; False (and a log line) on OSError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)  # readers see the old file or the whole new one, never half
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        # Not fatal: the model still works from memory, it is only built again next start.
        log.warning("Cannot cache the built model at %s (%s); it will be built again next start.", path, exc)
        return False
    return True


def cached_build(path: Path, build: Callable[[], bytes], family: str = "") -> bytes:
    """The bytes cached at path, or build them, cache them and drop stale files of the same family."""
    payload = read_cached(path)
    if payload is not None:
        return payload
    payload = build()
    if write_cached(path, payload) and family:
        _drop_stale(path, family)
    return payload


def cached_file(path: Path, build: Callable[[], bytes], family: str = "") -> Path | None:
    """A plain model file (for runtimes that read a path) whose sha256 matches the one stored beside it.

    Built and written when missing or damaged (payload first, then its digest: a crash between
    the two leaves a file that is simply built again); None when it cannot be written.
    """
    digest_path = path.with_name(path.name + ".sha256")
    try:
        if digest_path.read_text().strip() == file_sha256(path, path.parent):
            return path
        log.warning("The cached model %s is damaged; building it again.", path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("Cannot read the cached model %s (%s); building it again.", path, exc)
    payload = build()
    if not (_write_atomic(path, payload) and _write_atomic(digest_path, hashlib.sha256(payload).hexdigest().encode())):
        return None
    if family:
        _drop_stale(path, family)
    return path


def _drop_stale(path: Path, family: str) -> None:
    """Delete the family's other files: built from other weights or by an older builder, never read again."""
    keep = {path.name, path.name + ".sha256"}
    for stale in path.parent.glob(f"{family}*"):
        if stale.name not in keep and not stale.name.startswith("."):
            stale.unlink(missing_ok=True)
