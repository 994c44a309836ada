"""Rate-limit failed admin logins (per worker process, in memory)."""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class LoginThrottle:
    """Allow at most `limit` failures per key in `window` seconds; then refuse until they age out.

    Keys are the client address and the username, so neither one address guessing many
    usernames nor many addresses guessing one username get far. Each gunicorn worker
    keeps its own counts: with W workers an attacker gets at most W × limit tries.
    """

    def __init__(self, limit: int = 5, window: float = 600.0, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        """The failures of a key inside the window (older ones dropped)."""
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, *keys: str) -> int:
        """Seconds until another try is allowed (0 = allowed now)."""
        now = self.clock()
        with self._lock:
            waits = [self._recent(k, now)[0] + self.window - now
                     for k in keys if len(self._recent(k, now)) >= self.limit]
        return int(max(waits, default=0)) + (1 if waits else 0)

    def failed(self, *keys: str) -> None:
        """Record one failed attempt for each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of these keys."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
