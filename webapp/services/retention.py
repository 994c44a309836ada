"""Keep visitors' uploads and their analyses only for the retention period (purged off the request path)."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from webapp.backends.base import Backend
from webapp.storage_keys import analysis_prefix

log = logging.getLogger(__name__)
BATCH = 200


def _utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class Retention:
    """Deletes analyses (rows and stored photos) older than `days`; 0 keeps them forever."""

    def __init__(self, backend: Backend, days: int, every_seconds: float = 3600.0,
                 clock: Callable[[], datetime] = _utc_now, on_delete: Callable[[str], None] | None = None):
        self.backend = backend
        self.on_delete = on_delete  # runs first for each analysis that goes (its unknown faces go with it)
        self.days = days
        self.every_seconds = every_seconds
        self.clock = clock
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def purge(self, now: datetime | None = None) -> int:
        """Delete every expired analysis now; returns how many were deleted.

        Each batch is asked for again after deleting the previous one. An index that lags
        behind (DynamoDB's GSI) may return analyses already deleted: those are skipped, and
        a batch with nothing new ends the run — what is left waits for the next one.
        """
        if self.days <= 0:
            return 0
        cutoff = (now or self.clock()) - timedelta(days=self.days)
        deleted: set[str] = set()
        while batch := [a for a in self.backend.analyses.analyses_before(cutoff, BATCH) if a.id not in deleted]:
            for analysis in batch:
                if self.on_delete:
                    self.on_delete(analysis.id)
                # the row first: if we stop here, only unreferenced images remain (doctor removes them)
                self.backend.analyses.delete_analysis(analysis.id)
                self.backend.store.delete_prefix(analysis_prefix(analysis.id))
                deleted.add(analysis.id)
        return len(deleted)

    def start_background(self) -> bool:
        """Start this process's purge thread (once; not when retention is off); True if it started now."""
        if self._thread is not None or self.days <= 0:
            return False
        with self._lock:
            if self._thread is not None:
                return False
            self._thread = threading.Thread(target=self._run, name="glimpse-retention", daemon=True)
            self._thread.start()
            return True

    def stop(self) -> None:
        """Ask the purge thread to finish (it ends at its next wake-up)."""
        self._stop.set()

    def _run(self) -> None:
        """Purge now and then every `every_seconds` until stopped; a failure waits for the next round."""
        while not self._stop.is_set():
            try:
                deleted = self.purge()
                if deleted:
                    log.info("retention: deleted %d analyses older than %d days", deleted, self.days)
            except Exception:  # noqa: BLE001 — the thread must outlive a failing backend; the cause is logged
                log.exception("retention purge failed; trying again in %.0f s", self.every_seconds)
            self._stop.wait(self.every_seconds)
