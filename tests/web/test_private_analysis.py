"""GLIMPSE_PUBLIC_ANALYSIS=false: analysis and compare need an admin session or an API token."""
import io

import pytest

from tests.conftest import ADMIN_PASSWORD, RED, AuthActions, csrf_token
from tests.fakes import make_photo
from webapp import create_app


@pytest.fixture
def private(data_dir, backend):
    return create_app({"data_dir": data_dir, "testing": True, "secret_key": "test-secret",
                       "admin_password": ADMIN_PASSWORD, "public_analysis": False}, backend=backend)


def _photos():
    return {"source": (io.BytesIO(make_photo(RED)), "a.png"), "target": (io.BytesIO(make_photo(RED)), "b.png")}


@pytest.mark.parametrize("path", ["/", "/compare"])
def test_visitors_are_sent_to_the_login_page(private, path):
    response = private.test_client().get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_visitor_form_posts_are_refused_and_nothing_is_analysed(private):
    client = private.test_client()
    token = csrf_token(client, "/login")
    upload = client.post("/analyses", data={"image": (io.BytesIO(make_photo(RED)), "p.png"), "csrf_token": token})
    assert upload.status_code == 302 and "/login" in upload.headers["Location"]
    assert client.post("/compare", data={**_photos(), "csrf_token": token}).status_code == 302
    assert private.extensions["services"].recognizer.history(10) == []


def test_api_without_a_token_is_401_with_a_sentence(private):
    client = private.test_client()
    refused = client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "p.png")})
    assert refused.status_code == 401 and "API token" in refused.get_json()["error"]
    assert client.post("/api/v1/comparisons", data=_photos()).status_code == 401
    bad = {"Authorization": "Bearer glm_not_a_token"}
    assert client.post("/api/v1/comparisons", data=_photos(), headers=bad).status_code == 401


def test_an_api_token_may_analyse_and_compare(private):
    token = private.extensions["services"].accounts.create_token("script")[1]
    client, bearer = private.test_client(), {"Authorization": f"Bearer {token}"}
    image = {"image": (io.BytesIO(make_photo(RED)), "p.png")}
    assert client.post("/api/v1/analyses", data=image, headers=bearer).status_code == 201
    assert client.post("/api/v1/comparisons", data=_photos(), headers=bearer).status_code == 201


def test_a_logged_in_admin_may_analyse(private):
    client = private.test_client()
    AuthActions(client).login()
    token = csrf_token(client, "/")
    response = client.post("/analyses", data={"image": (io.BytesIO(make_photo(RED)), "p.png"), "csrf_token": token})
    assert response.status_code == 302 and "/analyses/" in response.headers["Location"]


def test_public_analysis_is_the_default(client):
    response = client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "p.png")})
    assert response.status_code == 201
