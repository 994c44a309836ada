"""Enrolling a name that exists says so and offers to add the photos to that person instead."""
import io

import pytest

from tests.conftest import BLUE, RED, csrf_token
from tests.fakes import make_photo


def _form(client, name="Ada Lovelace", existing=None, colour=BLUE):
    data = {"name": name, "csrf_token": csrf_token(client, "/admin/people/new"), "consent": "yes",
            "images": [(io.BytesIO(make_photo(colour)), "more.png")]}
    if existing:
        data["existing"] = existing
    return client.post("/admin/people", data=data, content_type="multipart/form-data")


@pytest.fixture
def ada(services):
    return services.people.enrol("Ada Lovelace", [("a.png", make_photo(RED))], True, "t").person


def test_enrol_form_with_a_taken_name_offers_the_existing_person_and_stores_nothing(auth, client, services, ada):
    auth.login()
    response = _form(client, name="ada  LOVELACE")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "is enrolled already" in page
    assert f'name="existing" value="{ada.id}"' in page and 'value="new"' in page
    assert [p.id for p in services.people.list()] == [ada.id] and services.people.get(ada.id).face_count == 1


def test_choosing_the_existing_person_adds_the_photos_to_them(auth, client, services, ada):
    auth.login()
    response = _form(client, existing=ada.id)
    assert response.status_code == 302 and response.headers["Location"].endswith(ada.id)
    assert [p.id for p in services.people.list()] == [ada.id] and services.people.get(ada.id).face_count == 2


def test_confirming_a_different_person_with_the_same_name_enrols_them(auth, client, services, ada):
    auth.login()
    assert _form(client, existing="new").status_code == 302
    assert [p.name for p in services.people.list()] == ["Ada Lovelace", "Ada Lovelace"]


@pytest.fixture
def bearer(services):
    return {"Authorization": f"Bearer {services.accounts.create_token('t')[1]}"}


def _api(client, bearer, path="/api/v1/people", **fields):
    data = {"name": "Ada Lovelace", "consent": "true", "images": [(io.BytesIO(make_photo(BLUE)), "b.png")], **fields}
    return client.post(path, data=data, headers=bearer)


def test_api_answers_409_naming_the_existing_person(client, bearer, services, ada):
    response = _api(client, bearer)
    body = response.get_json()
    assert response.status_code == 409 and "allow_duplicate=true" in body["error"]
    assert [p["id"] for p in body["existing"]] == [ada.id]
    assert len(services.people.list()) == 1


def test_api_adds_photos_to_a_person_or_enrols_a_namesake_when_asked(client, bearer, services, ada):
    added = _api(client, bearer, path=f"/api/v1/people/{ada.id}/faces")
    assert added.status_code == 201 and added.get_json()["id"] == ada.id and added.get_json()["face_count"] == 2
    assert _api(client, bearer, allow_duplicate="true").status_code == 201
    assert len(services.people.list()) == 2


def test_adding_photos_needs_consent_and_an_existing_person(client, bearer, ada):
    assert _api(client, bearer, path=f"/api/v1/people/{ada.id}/faces", consent="").status_code == 400
    assert _api(client, bearer, path=f"/api/v1/people/{'0' * 32}/faces").status_code == 404
