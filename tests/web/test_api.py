"""JSON API: analyses for everyone, people endpoints behind a bearer token."""
import io

import pytest

from tests.conftest import BLUE, RED
from tests.fakes import make_photo


@pytest.fixture
def token(services):
    return services.accounts.create_token("tests")[1]


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_post_analysis_returns_201_with_faces_and_labels(client, services):
    services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    response = client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED, BLUE)), "p.png")})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= {"id", "faces", "labels"}
    known, unknown = body["faces"]
    assert known["person"]["name"] == "Ada" and known["similarity"] >= 80
    assert set(known["bounding_box"]) == {"left", "top", "width", "height"}
    assert unknown["person"] is None and unknown["similarity"] is None
    assert {"name", "confidence", "parents"} <= set(body["labels"][0])
    assert client.get(f"/api/v1/analyses/{body['id']}").get_json()["faces"] == body["faces"]


def test_api_errors_are_json_sentences(client):
    response = client.post("/api/v1/analyses", data={"image": (io.BytesIO(b"GIF89a...."), "x.gif")})
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP" in response.get_json()["error"]
    assert client.post("/api/v1/analyses").get_json()["error"].startswith("Send the photo")
    assert client.get("/api/v1/analyses/nope").status_code == 404


@pytest.mark.parametrize("method,url", [("get", "/api/v1/people"), ("post", "/api/v1/people"),
                                        ("delete", "/api/v1/people/x"), ("get", "/api/v1/people/x")])
def test_people_endpoints_need_a_token(client, method, url):
    response = getattr(client, method)(url, headers=_bearer("glm_bad_token"))
    assert response.status_code == 401 and "Bearer" in response.get_json()["error"]


def test_enrol_list_delete_with_token(client, token, backend):
    response = client.post("/api/v1/people", headers=_bearer(token), data={
        "name": "Ada", "consent": "true",
        "images": [(io.BytesIO(make_photo(RED)), "a.png"), (io.BytesIO(make_photo()), "b.png")]})
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "Ada" and len(body["face_ids"]) == 1 and body["refused"][0]["filename"] == "b.png"
    listed = client.get("/api/v1/people", headers=_bearer(token)).get_json()["people"]
    assert [p["id"] for p in listed] == [body["id"]]
    assert client.delete(f"/api/v1/people/{body['id']}", headers=_bearer(token)).status_code == 204
    assert backend.faces.face_ids() == [] and backend.store.list("people") == []
    assert client.delete(f"/api/v1/people/{body['id']}", headers=_bearer(token)).status_code == 404


@pytest.mark.parametrize("consent", [None, "false", "no", ""])
def test_api_enrolment_refuses_without_consent(client, token, services, consent):
    data = {"name": "Ada", "images": [(io.BytesIO(make_photo(RED)), "a.png")]}
    if consent is not None:
        data["consent"] = consent
    response = client.post("/api/v1/people", headers=_bearer(token), data=data)
    assert response.status_code == 400 and "consent=true" in response.get_json()["error"]
    assert services.people.list() == []


def test_revoked_token_stops_working(client, services):
    token_id, token = services.accounts.create_token("temp")
    assert client.get("/api/v1/people", headers=_bearer(token)).status_code == 200
    services.accounts.revoke_token(token_id)
    assert client.get("/api/v1/people", headers=_bearer(token)).status_code == 401


def test_single_photo_may_come_in_an_image_field(client, token):
    response = client.post("/api/v1/people", headers=_bearer(token), data={
        "name": "Ada", "consent": "true", "image": (io.BytesIO(make_photo(RED)), "a.png")})
    assert response.status_code == 201 and len(response.get_json()["face_ids"]) == 1


def test_wrong_method_on_the_api_is_a_json_405(client):
    response = client.get("/api/v1/comparisons")
    assert response.status_code == 405 and "does not accept" in response.get_json()["error"]
