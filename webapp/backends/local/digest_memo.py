"""Checksums of model files remembered between starts, so an unchanged file is hashed once, not every start.

Hashing the weights and the cached models took ~0.1 s of CPU per process (~190 MB of sha256).
A file's digest is remembered in ``.digests.json`` in the model cache with the file's size,
inode, and modification and change times; while all four are unchanged the digest is
trusted. Writing a file changes its mtime and ctime, and ctime cannot be set back by a
program, so an edited, replaced or truncated file is hashed again (and rebuilt if damaged).
File times tick coarsely (a few ms), so a file changed less than SETTLE_NS ago is not
remembered: a second write in the same tick could otherwise keep the stamp.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)
MEMO_NAME = ".digests.json"  # a dot name: model_cache never treats it as a stale model
SETTLE_NS = 2_000_000_000
_lock = threading.Lock()
_memos: dict[Path, dict[str, list]] = {}  # memo file -> {absolute file path: [stamp..., digest]}


def _stamp(path: Path) -> list[int]:
    """What changes whenever a file's bytes do: size, inode, mtime and ctime (ns)."""
    st = path.stat()
    return [st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]


def _memo(memo_dir: Path) -> dict[str, list]:
    """The memo of memo_dir, read once per process (empty when missing or unreadable). Call under _lock."""
    memo_file = memo_dir / MEMO_NAME
    if memo_file not in _memos:
        try:
            loaded = json.loads(memo_file.read_text())
            _memos[memo_file] = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            _memos[memo_file] = {}
    return _memos[memo_file]


def remembered(path: Path, memo_dir: Path | None) -> str | None:
    """The digest remembered for path if the file is unchanged since, else None."""
    if memo_dir is None:
        return None
    with _lock:
        entry = _memo(memo_dir).get(str(path.resolve()))
    try:
        if entry is not None and entry[:-1] == _stamp(path):
            return str(entry[-1])
    except OSError:
        pass
    return None


def remember(path: Path, digest: str, memo_dir: Path | None) -> None:
    """Remember path's digest with its current stamp; the memo file is rewritten atomically (best effort)."""
    if memo_dir is None:
        return
    try:
        stamp = _stamp(path)
        entry: list = [*stamp, digest]
        if time.time_ns() - stamp[3] < SETTLE_NS:
            return  # changed moments ago: hashed again next time, remembered once it has settled
        with _lock:
            memo = _memo(memo_dir)
            memo[str(path.resolve())] = entry
            memo_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=memo_dir, prefix=f"{MEMO_NAME}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "w") as f:
                    json.dump(memo, f)
                os.replace(tmp, memo_dir / MEMO_NAME)
            finally:
                Path(tmp).unlink(missing_ok=True)  # gone already when the rename succeeded
    except OSError as exc:  # only costs a hash next start
        log.info("Cannot remember the checksum of %s (%s).", path, exc)


def file_sha256(path: Path, memo_dir: Path | None = None) -> str:
    """The hex sha256 of a file's bytes, hashed only when memo_dir has none for its current stamp."""
    digest = remembered(path, memo_dir)
    if digest is None:
        with path.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        remember(path, digest, memo_dir)
    return digest
