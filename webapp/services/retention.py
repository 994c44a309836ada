"""Keep visitors' uploads and their analyses only for the retention period."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from webapp.backends.base import Backend
from webapp.storage_keys import analysis_prefix

BATCH = 200


class Retention:
    """Deletes analyses (rows and stored photos) older than `days`; 0 keeps them forever."""

    def __init__(self, backend: Backend, days: int, every_seconds: float = 3600.0):
        self.backend = backend
        self.days = days
        self.every_seconds = every_seconds
        self._last = float("-inf")
        self._lock = threading.Lock()

    def purge(self, now: datetime | None = None) -> int:
        """Delete every expired analysis now; returns how many were deleted."""
        if self.days <= 0:
            return 0
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.days)
        deleted = 0
        while batch := self.backend.analyses.analyses_before(cutoff, BATCH):
            for analysis in batch:
                # the row first: if we stop here, only unreferenced images remain (doctor removes them)
                self.backend.analyses.delete_analysis(analysis.id)
                self.backend.store.delete_prefix(analysis_prefix(analysis.id))
            deleted += len(batch)
        return deleted

    def maybe_purge(self) -> int:
        """Purge at most once per `every_seconds` in this process (called after each upload)."""
        with self._lock:
            if time.monotonic() - self._last < self.every_seconds:
                return 0
            self._last = time.monotonic()
        return self.purge()
