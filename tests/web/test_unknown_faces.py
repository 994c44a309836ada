"""The "Unknown faces" admin page, its API and `flask people suggest`."""
import json
import re

import pytest

from tests.conftest import ADMIN_PASSWORD, BLUE, GREEN, RED, AuthActions, build_fake_backend, csrf_token
from tests.fakes import make_photo
from webapp import create_app


@pytest.fixture
def strangers(services):
    """Green three times, blue once; Ada (red) is enrolled."""
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t").person
    for _ in range(3):
        services.recognizer.analyse(make_photo(GREEN, RED), "p.png", "visitor:v")
    services.recognizer.analyse(make_photo(BLUE), "p.png", "visitor:w")
    return ada


def test_page_lists_clusters_biggest_first_with_thumbnails(auth, client, services, strangers):
    auth.login()
    page = client.get("/admin/unknown/").get_data(as_text=True)
    assert re.findall(r"<h2>([^<]*)</h2>", page) == ["3 photos", "1 photo"]
    assert page.count('<ul class="faces thumbs">') == 2
    big = services.unknown.clusters()[0]
    thumb = client.get(f"/admin/unknown/faces/{big.faces[0].face_id}.jpg")
    assert thumb.status_code == 200 and thumb.data[:3] == b"\xff\xd8\xff"


def _intro(data_dir, **settings) -> str:
    """The admin's unknown-faces page (no faces kept) under these settings, tags and spacing removed."""
    overrides = {"data_dir": data_dir, "testing": True, "secret_key": "test-secret", "admin_password": ADMIN_PASSWORD}
    client = create_app({**overrides, **settings}, backend=build_fake_backend(data_dir)).test_client()
    AuthActions(client).login()
    return " ".join(re.sub(r"<[^>]+>", " ", client.get("/admin/unknown/").get_data(as_text=True)).split())


@pytest.mark.parametrize(("settings", "sentence"), [
    ({}, "Each is kept only as long as its photo: for 30 days after upload."),
    ({"retention_days": 1}, "Each is kept only as long as its photo: for 1 day after upload."),
    ({"retention_days": 0}, "Each is kept only as long as its photo: until it is deleted."),
    ({"remember_unknown_faces": False}, "New unknown faces are not kept ( GLIMPSE_REMEMBER_UNKNOWN_FACES=false )"),
])
def test_page_says_how_long_unknown_faces_are_kept(data_dir, settings, sentence):
    page = _intro(data_dir, **settings)
    assert sentence in page and "(on)" not in page and "No unknown faces are kept right now." in page


def test_enrol_from_the_page_needs_consent_then_names_the_person(auth, client, services, strangers):
    auth.login()
    big = services.unknown.clusters()[0]
    token = csrf_token(client, "/admin/unknown/")
    refused = client.post(f"/admin/unknown/{big.id}/enrol", data={"csrf_token": token, "name": "Grace"})
    assert "Consent is required" in client.get(refused.headers["Location"]).get_data(as_text=True)
    done = client.post(f"/admin/unknown/{big.id}/enrol", data={"csrf_token": token, "name": "Grace", "consent": "yes"})
    assert "/admin/people/" in done.headers["Location"]
    assert [(p.name, p.face_count) for p in services.people.list()] == [("Ada", 1), ("Grace", 3)]


def test_ignore_from_the_page(auth, client, services, strangers):
    auth.login()
    small = services.unknown.clusters()[1]
    token = csrf_token(client, "/admin/unknown/")
    assert client.post(f"/admin/unknown/{small.id}/ignore", data={"csrf_token": token}).status_code == 302
    assert [c.size for c in services.unknown.clusters()] == [3]


def test_unknown_faces_are_for_admins_only(client, services, strangers):
    face = services.unknown.clusters()[0].faces[0].face_id
    assert client.get("/admin/unknown/").status_code == 302
    assert client.get(f"/admin/unknown/faces/{face}.jpg").status_code == 302
    assert client.get("/api/v1/unknown-clusters").status_code == 401


def test_api_lists_and_enrols_clusters(client, services, strangers):
    bearer = {"Authorization": f"Bearer {services.accounts.create_token('t')[1]}"}
    clusters = client.get("/api/v1/unknown-clusters", headers=bearer).get_json()["clusters"]
    assert [c["size"] for c in clusters] == [3, 1] and set(clusters[0]["faces"][0]) >= {"face_id", "bounding_box"}
    taken = client.post(f"/api/v1/unknown-clusters/{clusters[1]['id']}/enrol", headers=bearer,
                        json={"name": "Ada", "consent": "true"})
    assert taken.status_code == 409 and taken.get_json()["existing"][0]["name"] == "Ada"
    done = client.post(f"/api/v1/unknown-clusters/{clusters[1]['id']}/enrol", headers=bearer,
                       json={"person_id": strangers.id, "consent": "true"})
    assert done.status_code == 201 and done.get_json()["face_count"] == 2 and done.get_json()["added"] == 1
    assert client.post(f"/api/v1/unknown-clusters/{clusters[0]['id']}/ignore", headers=bearer).status_code == 204
    assert client.get("/api/v1/unknown-clusters", headers=bearer).get_json()["clusters"] == []


def test_cli_suggest_prints_the_clusters(runner, services, strangers):
    result = runner.invoke(args=["people", "suggest", "--json"])
    assert result.exit_code == 0
    assert [c["size"] for c in json.loads(result.stdout)] == [3, 1]
    assert "3 photo(s)" in runner.invoke(args=["people", "suggest"]).output
