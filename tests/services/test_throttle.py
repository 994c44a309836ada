"""The login throttle counts failures per key inside a sliding window."""
from webapp.services.throttle import LoginThrottle


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_throttle_blocks_after_limit_and_releases_after_window():
    clock = Clock()
    throttle = LoginThrottle(limit=3, window=60, clock=clock)
    for _ in range(3):
        assert throttle.retry_after("ip:1") == 0
        throttle.failed("ip:1")
    assert 0 < throttle.retry_after("ip:1") <= 61
    assert throttle.retry_after("ip:2") == 0
    clock.now += 61
    assert throttle.retry_after("ip:1") == 0


def test_success_clears_the_count():
    throttle = LoginThrottle(limit=2, window=60, clock=Clock())
    throttle.failed("user:a")
    throttle.succeeded("user:a")
    throttle.failed("user:a")
    assert throttle.retry_after("user:a") == 0
