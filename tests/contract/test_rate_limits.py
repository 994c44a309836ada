"""The analysis rate limit counts in each backend's shared storage (SQLite file / DynamoDB table)."""
from __future__ import annotations

import io
from dataclasses import replace

from tests.conftest import RED
from tests.fakes import make_photo


def _post(client):
    return client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "a.png")})


def test_anonymous_analyses_are_refused_past_the_limit(subject):
    subject.services.settings = replace(subject.services.settings, analysis_rate_limit="2/minute")
    client = subject.app.test_client()
    assert [_post(client).status_code for _ in range(2)] == [201, 201]
    refused = _post(client)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert len(subject.services.recognizer.history(10)) == 2


def test_counters_add_up_and_start_a_new_window_when_the_old_one_has_ended(subject):
    storage = subject.app.extensions["glimpse_limiter"].storage
    assert storage.incr("k", expiry=60) == 1 and storage.incr("k", expiry=60, amount=2) == 3
    assert storage.get("k") == 3 and storage.get_expiry("k") > storage.get_expiry("never-used")
    assert storage.incr("short", expiry=0) == 1  # a window of 0 s has ended at once
    assert storage.incr("short", expiry=0) == 1 and storage.get("short") == 0
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()
