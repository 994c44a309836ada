"""ImageStore on the local disk, under the data directory."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from webapp.backends.local.os_errors import storage_errors
from webapp.errors import NotFound
from webapp.storage_keys import valid_key


class DiskImageStore:
    """Files under one root folder, written atomically."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        """The file for a key, refusing keys that could escape the root."""
        if not valid_key(key):
            raise ValueError(f"invalid image key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write bytes atomically (temp file + rename) so readers never see half a file."""
        path = self._path(key)
        with storage_errors(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def get(self, key: str) -> bytes:
        """The bytes under key, or NotFound."""
        path = self._path(key)
        with storage_errors(path):
            try:
                return path.read_bytes()
            except (FileNotFoundError, IsADirectoryError):
                raise NotFound("That image no longer exists.") from None

    def delete(self, key: str) -> None:
        """Remove one key; a missing key is fine."""
        path = self._path(key)
        with storage_errors(path):
            path.unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        """Remove every file under a key prefix (a folder)."""
        path = self._path(prefix.rstrip("/"))
        with storage_errors(path):
            if not path.exists():
                return 0
            count = sum(1 for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        return count or 1

    def list(self, prefix: str = "") -> list[str]:
        """Every key under a prefix, sorted."""
        base = self._path(prefix.rstrip("/")) if prefix else self.root
        with storage_errors(base):
            if not base.exists():
                return []
            return sorted(
                p.relative_to(self.root).as_posix()
                for p in base.rglob("*")
                if p.is_file() and not p.name.startswith(".tmp-")
            )
