"""Behaviour every backend must share, run through the services against local and AWS mode."""
from __future__ import annotations

import io

import pytest

from tests.conftest import BLUE, GREEN, RED
from tests.contract.helpers import enrol, names, photo, traces
from tests.fakes import make_photo
from webapp.errors import InvalidImage
from webapp.services.people import CONSENT_TEXT

YELLOW, CYAN = (220, 220, 20), (20, 220, 220)


def test_enrol_recognize_then_forget(subject):
    ada = enrol(subject, "Ada Lovelace", (RED,))
    first = subject.services.recognizer.analyse(make_photo(RED), "ada.png")
    assert names(first) == ["Ada Lovelace"]
    assert first.faces[0].person_id == ada.person.id and first.faces[0].similarity >= 80
    subject.services.people.forget(ada.person.id)
    assert names(subject.services.recognizer.analyse(make_photo(RED))) == [None]
    past = subject.services.recognizer.get(first.id)
    assert names(past) == [None] and past.faces[0].similarity is None and past.faces[0].person_id is None


def test_photo_without_a_face_is_refused_and_analyses_to_no_faces(subject):
    with pytest.raises(InvalidImage, match="nothing was stored"):
        enrol(subject, "Nobody", ())
    analysis = subject.services.recognizer.analyse(make_photo(), "empty.png")
    assert analysis.faces == () and "Person" not in {lb.name for lb in analysis.labels}
    assert traces(subject.backend) == {"faceprints": [], "face_rows": [], "people": [], "people_images": []}


def test_every_face_of_a_group_photo_is_searched(subject):
    enrol(subject, "Ada", (RED,))
    enrol(subject, "Bob", (BLUE,))
    analysis = subject.services.recognizer.analyse(make_photo(RED, GREEN, BLUE, YELLOW, CYAN), "group.png")
    assert names(analysis) == ["Ada", None, "Bob", None, None]  # largest first; the 20 px face too
    assert [round(f.bounding_box.left, 2) for f in analysis.faces] == sorted(
        round(f.bounding_box.left, 2) for f in analysis.faces)
    assert {"Person", "Face", "Pattern"} <= {lb.name for lb in analysis.labels}


def test_unknown_face_stays_unknown(subject):
    enrol(subject, "Ada", (RED,))
    (face,) = subject.services.recognizer.analyse(make_photo(GREEN)).faces
    assert face.person_id is None and face.person_name is None and face.similarity is None


def test_enrolment_keeps_the_largest_face_of_each_photo(subject):
    result = enrol(subject, "Ada", (RED, GREEN), (RED,))
    assert result.person.face_count == 2 and len(result.face_ids) == 2
    faces = subject.backend.people.faces_of(result.person.id)
    assert [f.face_id for f in faces] == result.face_ids
    assert all(f.bounding_box.width == pytest.approx(60 / 400, abs=0.01) for f in faces)
    assert len(subject.backend.store.list(f"people/{result.person.id}")) == 4
    assert names(subject.services.recognizer.analyse(make_photo(GREEN))) == [None]


def test_forgetting_removes_every_trace_of_that_person_only(subject):
    ada = enrol(subject, "Ada", (RED,), (RED,))
    bob = enrol(subject, "Bob", (BLUE,))
    group = subject.services.recognizer.analyse(make_photo(RED, BLUE), "group.png")
    subject.services.people.forget(ada.person.id)
    left = traces(subject.backend)
    assert left["people"] == [bob.person.id]
    assert left["faceprints"] == left["face_rows"] == sorted(bob.face_ids)
    assert left["people_images"] and all(ada.person.id not in k for k in left["people_images"])
    assert subject.backend.people.get_person(ada.person.id) is None
    assert subject.backend.people.faces_of(ada.person.id) == []
    assert names(subject.services.recognizer.get(group.id)) == [None, "Bob"]


def test_people_are_listed_by_name_with_face_counts(subject):
    enrol(subject, "zoe", (RED,))
    enrol(subject, "Adam", (BLUE,), (BLUE,))
    people = subject.services.people.list()
    assert [(p.name, p.face_count) for p in people] == [("Adam", 2), ("zoe", 1)]
    adam = subject.services.people.get(people[0].id)
    assert adam.consent_by == "tester" and adam.consent_text == CONSENT_TEXT


def test_people_for_faces_ignores_unknown_ids(subject):
    ada = enrol(subject, "Ada", (RED,))
    found = subject.backend.people.people_for_faces([ada.face_ids[0], "no-such-face"])
    assert list(found) == [ada.face_ids[0]] and found[ada.face_ids[0]].name == "Ada"
    assert subject.backend.people.people_for_faces([]) == {}


def test_history_is_newest_first_and_limited(subject):
    ids = [subject.services.recognizer.analyse(make_photo(RED), f"{i}.png").id for i in range(3)]
    assert [a.id for a in subject.services.recognizer.history(2)] == ids[::-1][:2]
    assert subject.backend.analyses.get_analysis("0" * 32) is None
    stored = subject.services.recognizer.get(ids[0])
    assert stored.filename == "0.png"
    assert {lb.name: lb.parents for lb in stored.labels}["Pattern"] == ("Design",)


def test_images_are_stored_and_served_by_key(subject):
    analysis = subject.services.recognizer.analyse(make_photo(RED))
    assert subject.backend.store.get(analysis.image_key)[:3] == b"\xff\xd8\xff"
    assert subject.backend.store.list(f"analyses/{analysis.id}") == sorted([analysis.image_key, analysis.thumb_key])
    assert subject.backend.store.delete_prefix(f"analyses/{analysis.id}") == 2
    subject.backend.store.delete(analysis.image_key)  # already gone: not an error


def test_admins_and_tokens(subject):
    accounts = subject.services.accounts
    assert subject.backend.accounts.count_admins() == 1  # the first admin from the settings
    assert accounts.check_login("admin", "correct horse battery") and not accounts.check_login("admin", "wrong")
    token_id, token = accounts.create_token("ci")
    assert accounts.token_is_valid(token)
    assert accounts.revoke_token(token_id) and not accounts.token_is_valid(token)
    assert not accounts.revoke_token(token_id)


def test_api_round_trip(subject):
    client = subject.app.test_client()
    created = client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "a.png")})
    assert created.status_code == 201
    body = client.get(created.headers["Location"]).get_json()
    assert body["faces"][0]["person"] is None and body["id"] == created.get_json()["id"]


def test_compare_faces(subject):
    result = subject.backend.faces.compare(photo(RED), photo(BLUE, RED), 80)
    assert result.source_face is not None and result.target_faces == 2
    assert len(result.matches) == 1 and len(result.unmatched) == 1 and result.similarity >= 80
    empty = subject.backend.faces.compare(photo(), photo(BLUE, RED), 80)
    assert empty.source_face is None and empty.target_faces == 2 and empty.matches == ()


def test_claiming_a_person_id_twice_creates_them_once(subject):
    people = subject.backend.people
    first, created = people.claim_person("ab" * 16, "Ada", "s3 enrol", CONSENT_TEXT)
    again, created_again = people.claim_person("ab" * 16, "Someone Else", "s3 enrol", CONSENT_TEXT)
    assert (created, created_again) == (True, False)
    assert again.id == first.id and again.name == "Ada" and [p.name for p in people.list_people()] == ["Ada"]
