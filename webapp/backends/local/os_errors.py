"""Disk and SQLite failures turned into BackendUnavailable with a sentence a person can act on."""
from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from webapp.errors import BackendUnavailable, GlimpseError

log = logging.getLogger(__name__)
_FULL = (errno.ENOSPC, errno.EDQUOT)
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)


def _sentence(exc: Exception, path: Path) -> str:
    """What went wrong and what to do about it, without the vendor's jargon."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    if code in _FULL or "disk is full" in text:
        return (f"The disk holding {path.parent} is full, so nothing was saved. "
                "Free some space there (or move GLIMPSE_DATA_DIR) and try again.")
    if "locked" in text or "busy" in text:
        return (f"The database {path.name} stayed locked by another process for 30 seconds. "
                "Try again in a minute; if it keeps happening, stop whatever else has it open.")
    if code in _DENIED or "readonly" in text or "read-only" in text:
        return (f"Glimpse may not write to {path.parent} (read-only or no permission). "
                "Give the Glimpse user write access to GLIMPSE_DATA_DIR.")
    return f"Local storage failed on {path.name}; try again, and check the disk holding {path.parent} if it persists."


@contextmanager
def storage_errors(path: Path) -> Iterator[None]:
    """Translate sqlite3 and OS errors raised on `path`; the cause is logged here, once."""
    try:
        yield
    except GlimpseError:
        raise
    except (sqlite3.Error, OSError) as exc:
        log.warning("local storage error on %s: %r", path, exc)
        raise BackendUnavailable(_sentence(exc, Path(path))) from exc
