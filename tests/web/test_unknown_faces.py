"""The "Unknown faces" admin page, its API and `flask people suggest`."""
import json

import pytest

from tests.conftest import BLUE, GREEN, RED, csrf_token
from tests.fakes import make_photo


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
    assert page.index("3 photo(s)") < page.index("1 photo(s)")
    big = services.unknown.clusters()[0]
    thumb = client.get(f"/admin/unknown/faces/{big.faces[0].face_id}.jpg")
    assert thumb.status_code == 200 and thumb.data[:3] == b"\xff\xd8\xff"


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
