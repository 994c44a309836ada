"""Analysis is rate-limited per caller: visitors by address, admins and API tokens on their own limits."""
import io

import pytest

from tests.conftest import ADMIN_PASSWORD, RED, AuthActions, csrf_token
from tests.fakes import make_photo
from webapp import create_app

LIMITS = {"analysis_rate_limit": "3/minute", "admin_rate_limit": "5/minute", "token_rate_limit": "4/minute"}


def _app(data_dir, backend, **extra):
    settings = {"data_dir": data_dir, "testing": True, "secret_key": "test-secret", "admin_password": ADMIN_PASSWORD}
    return create_app({**settings, **LIMITS, **extra}, backend=backend)


@pytest.fixture
def limited(data_dir, backend):
    return _app(data_dir, backend)


def _upload(client):
    token = csrf_token(client, "/")
    return client.post("/analyses", data={"image": (io.BytesIO(make_photo(RED)), "p.png"), "csrf_token": token},
                       content_type="multipart/form-data")


def _api_upload(client, headers=None):
    return client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "p.png")},
                       headers=headers or {})


def test_repeated_anonymous_uploads_get_a_429_page_with_retry_after(limited):
    client = limited.test_client()
    assert [_upload(client).status_code for _ in range(3)] == [302, 302, 302]
    refused = _upload(client)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "Too many photos" in page and "at most 3 per minute" in page and "Try again in" in page


def test_api_answers_429_json_with_retry_after(limited, services):
    client = limited.test_client()
    assert [_api_upload(client).status_code for _ in range(3)] == [201] * 3
    refused = _api_upload(client)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["error"].startswith("Too many photos")
    assert len(limited.extensions["services"].recognizer.history(10)) == 3  # the refused photo was not analysed


def test_compare_counts_against_the_same_limit(limited):
    client = limited.test_client()
    for _ in range(3):
        _api_upload(client)
    photos = {"source": (io.BytesIO(make_photo(RED)), "a.png"), "target": (io.BytesIO(make_photo(RED)), "b.png")}
    assert client.post("/api/v1/comparisons", data=photos).status_code == 429


def test_an_admin_has_a_limit_of_their_own(limited):
    visitor, admin = limited.test_client(), limited.test_client()
    for _ in range(3):
        _upload(visitor)
    assert _upload(visitor).status_code == 429
    AuthActions(admin).login()
    assert [_upload(admin).status_code for _ in range(5)] == [302] * 5  # same address, the admin's own count
    assert _upload(admin).status_code == 429


def test_an_api_token_has_a_limit_of_its_own(limited):
    token = limited.extensions["services"].accounts.create_token("script")[1]
    client = limited.test_client()
    for _ in range(3):
        _api_upload(client)
    assert _api_upload(client).status_code == 429
    bearer = {"Authorization": f"Bearer {token}"}
    assert [_api_upload(client, bearer).status_code for _ in range(4)] == [201] * 4
    assert _api_upload(client, bearer).status_code == 429


def test_workers_share_one_count(data_dir, backend):
    # Two apps over one data directory stand for two gunicorn workers: in-memory counting would
    # give each its own three photos.
    first, second = _app(data_dir, backend), _app(data_dir, backend)
    for _ in range(2):
        assert _api_upload(first.test_client()).status_code == 201
    assert _api_upload(second.test_client()).status_code == 201
    assert _api_upload(second.test_client()).status_code == 429


def test_behind_a_trusted_proxy_each_client_address_has_its_own_count(data_dir, backend):
    app = _app(data_dir, backend, trusted_proxies=1)
    one, other = app.test_client(), app.test_client()
    one.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    other.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.9"
    for _ in range(3):
        _api_upload(one)
    assert _api_upload(one).status_code == 429
    assert _api_upload(other).status_code == 201


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_reset_the_count(limited):
    client = limited.test_client()
    for n in range(3):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{n}"
        _api_upload(client)
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.99"
    assert _api_upload(client).status_code == 429


def test_pages_that_only_show_things_are_not_counted(limited):
    client = limited.test_client()
    for _ in range(3):
        _upload(client)
    assert client.get("/").status_code == 200 and client.get("/history").status_code == 200
