"""Admin pages and API for fixing people: rename, merge, move a face, remove a face, photos with a person."""
import io

import pytest

from tests.conftest import BLUE, GREEN, RED, csrf_token
from tests.fakes import make_photo


@pytest.fixture
def people(services):
    ada = services.people.enrol("Ada", [("r.png", make_photo(RED)), ("g.png", make_photo(GREEN))], True, "t").person
    bob = services.people.enrol("Bob", [("b.png", make_photo(BLUE))], True, "t").person
    return ada, bob


def _post(client, person_id, path, **data):
    token = csrf_token(client, f"/admin/people/{person_id}")
    return client.post(f"/admin/people/{person_id}/{path}", data={"csrf_token": token, **data})


def test_person_page_offers_fixes_and_lists_photos_with_the_person(auth, client, services, people):
    ada, bob = people
    seen = services.recognizer.analyse(make_photo(RED), "p.png", "visitor:v")
    not_seen = services.recognizer.analyse(make_photo(BLUE), "p.png", "visitor:v")
    auth.login()
    page = client.get(f"/admin/people/{ada.id}").get_data(as_text=True)
    assert "Rename" in page and "Merge Ada into them" in page and page.count("Remove this face") == 2
    assert f'<option value="{bob.id}">Bob</option>' in page
    assert seen.thumb_key in page and not_seen.thumb_key not in page


def test_rename_merge_move_and_remove_through_the_forms(auth, client, services, people):
    ada, bob = people
    auth.login()
    assert _post(client, ada.id, "rename", name="Ada King").status_code == 302
    assert services.people.get(ada.id).name == "Ada King"
    green = services.people.faces(ada.id)[1].face_id
    assert _post(client, ada.id, f"faces/{green}/move", to=bob.id).status_code == 302
    assert services.people.get(bob.id).face_count == 2
    red = services.people.faces(ada.id)[0].face_id
    response = _post(client, ada.id, f"faces/{red}/remove")  # Ada's only face now: refused
    assert "delete the person instead" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = _post(client, ada.id, "merge", into=bob.id)
    assert response.headers["Location"].endswith(bob.id)
    assert [p.name for p in services.people.list()] == ["Bob"] and services.people.get(bob.id).face_count == 3
    entries = [e.action for e in services.people.audit_log(10)]
    assert {"rename", "move-face", "merge"} <= set(entries)


def test_fix_forms_need_a_csrf_token(auth, client, people):
    ada, _ = people
    auth.login()
    assert client.post(f"/admin/people/{ada.id}/rename", data={"name": "X"}).status_code == 400


@pytest.fixture
def bearer(services):
    return {"Authorization": f"Bearer {services.accounts.create_token('t')[1]}"}


def test_api_fixes(client, services, bearer, people):
    ada, bob = people
    renamed = client.patch(f"/api/v1/people/{ada.id}", json={"name": "Ada King"}, headers=bearer)
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Ada King"
    green = services.people.faces(ada.id)[1].face_id
    moved = client.post(f"/api/v1/people/{ada.id}/faces/{green}/move", data={"to": bob.id}, headers=bearer)
    assert moved.status_code == 200 and moved.get_json()["face_count"] == 2
    assert client.delete(f"/api/v1/people/{bob.id}/faces/{green}", headers=bearer).status_code == 204
    merged = client.post(f"/api/v1/people/{ada.id}/merge", data={"into": bob.id}, headers=bearer)
    assert merged.status_code == 200 and merged.get_json()["id"] == bob.id and merged.get_json()["face_count"] == 2
    assert client.post(f"/api/v1/people/{bob.id}/merge", data={}, headers=bearer).status_code == 400


def test_analyses_made_with_an_api_token_belong_to_that_token(client, services, bearer, people):
    ada, _ = people
    response = client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "p.png")}, headers=bearer)
    assert response.status_code == 201
    assert services.recognizer.get(response.get_json()["id"]).owner.startswith("token:")
