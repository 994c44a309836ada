"""Model files built from weights, cached on disk so later starts only read them.

A cache file is its payload preceded by the payload's sha256, written atomically (temp
file + rename): two workers building at once, a crash mid-write or a damaged file never
hand a bad model to the runtime, because a file whose digest does not match is rebuilt.
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)
_DIGEST_SIZE = hashlib.sha256().digest_size


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def read_cached(path: Path) -> bytes | None:
    """The payload of a cache file, or None when it is missing or damaged."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("Cannot read the cached model %s (%s); building it again.", path, exc)
        return None
    payload = data[_DIGEST_SIZE:]
    if len(data) <= _DIGEST_SIZE or hashlib.sha256(payload).digest() != data[:_DIGEST_SIZE]:
        log.warning("The cached model %s is damaged; building it again.", path)
        return None
    return payload


def write_cached(path: Path, payload: bytes) -> bool:
    """Write digest + payload atomically; returns False (and logs) if the cache is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(hashlib.sha256(payload).digest())
                f.write(payload)
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
        # Files built from other weights or by an older builder are never read again.
        for stale in path.parent.glob(f"{family}*"):
            if stale.name != path.name and not stale.name.startswith("."):
                stale.unlink(missing_ok=True)
    return payload
