"""The web app's collection over the wire, and wire faces kept out of the web app (fake engine)."""
import uuid

import pytest

from tests.conftest import BLUE, GREEN, RED
from tests.fakes import make_photo


def _enrol(services, name, colour):
    return services.people.enrol(name, [("a.png", make_photo(colour))], consent=True, consent_by="t")


def _wire_id(hex_id: str) -> str:
    return str(uuid.UUID(hex=hex_id))


def test_enrolled_faces_are_listed_with_the_person_id_and_go_when_forgotten(rek, services):
    ada = _enrol(services, "Ada Lovelace", RED)
    faces = rek.list_faces(CollectionId="glimpse")["Faces"]
    assert [f["FaceId"] for f in faces] == [_wire_id(i) for i in ada.face_ids]
    assert faces[0]["ExternalImageId"] == faces[0]["UserId"] == ada.person.id
    described = rek.describe_collection(CollectionId="glimpse")
    assert (described["FaceCount"], described["UserCount"]) == (1, 1)
    services.people.forget(ada.person.id)
    assert rek.list_faces(CollectionId="glimpse")["Faces"] == []


def test_search_of_the_web_collection_finds_enrolled_people(rek, services):
    ada = _enrol(services, "Ada Lovelace", RED)
    matches = rek.search_faces_by_image(CollectionId="glimpse", Image={"Bytes": make_photo(RED)})["FaceMatches"]
    assert [m["Face"]["ExternalImageId"] for m in matches] == [ada.person.id]


def test_wire_faces_never_show_up_in_the_web_app(rek, services):
    rek.create_collection(CollectionId="friends")
    for collection in ("friends", "glimpse"):
        rek.index_faces(CollectionId=collection, Image={"Bytes": make_photo(GREEN)}, ExternalImageId="someone")
    assert services.people.list() == [] and services.backend.people.all_face_ids() == []
    assert services.backend.faces.face_ids() == []
    analysis = services.recognizer.analyse(make_photo(GREEN), "green.png")
    assert [f.person_name for f in analysis.faces] == [None]


def test_doctor_repair_keeps_faces_indexed_over_the_wire(rek, services):
    rek.create_collection(CollectionId="friends")
    rek.index_faces(CollectionId="friends", Image={"Bytes": make_photo(GREEN)})
    rek.index_faces(CollectionId="glimpse", Image={"Bytes": make_photo(BLUE)})
    report = services.doctor.check()
    assert report.ok
    services.doctor.repair(report)
    assert len(rek.list_faces(CollectionId="friends")["Faces"]) == 1
    assert len(rek.search_faces_by_image(CollectionId="glimpse", Image={"Bytes": make_photo(BLUE)})["FaceMatches"]) == 1


def test_enrolled_faces_cannot_be_deleted_over_the_wire(rek, services):
    ada = _enrol(services, "Ada Lovelace", RED)
    face_id = _wire_id(ada.face_ids[0])
    answer = rek.delete_faces(CollectionId="glimpse", FaceIds=[face_id])
    assert answer["DeletedFaces"] == []
    assert answer["UnsuccessfulFaceDeletions"] == [
        {"FaceId": face_id, "UserId": ada.person.id, "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"]}]
    assert services.backend.people.all_face_ids() == ada.face_ids


def test_the_web_collection_cannot_be_deleted_over_the_wire(rek):
    with pytest.raises(rek.exceptions.InvalidParameterException):
        rek.delete_collection(CollectionId="glimpse")


def test_search_faces_by_an_enrolled_face_id_finds_the_wire_twin(rek, services):
    ada = _enrol(services, "Ada Lovelace", RED)
    rek.index_faces(CollectionId="glimpse", Image={"Bytes": make_photo(RED)}, ExternalImageId="ada-from-a-script")
    matches = rek.search_faces(CollectionId="glimpse", FaceId=_wire_id(ada.face_ids[0]))["FaceMatches"]
    assert [m["Face"]["ExternalImageId"] for m in matches] == ["ada-from-a-script"]


def test_deleting_a_collection_deletes_its_faceprint_file(rek, services, data_dir):
    rek.create_collection(CollectionId="friends")
    rek.index_faces(CollectionId="friends", Image={"Bytes": make_photo(GREEN)})
    assert list((data_dir / "collections").glob("*.sqlite3"))
    files = {p.name for p in (data_dir / "collections").iterdir()}
    rek.delete_collection(CollectionId="friends")
    remaining = {p.name for p in (data_dir / "collections").iterdir()}
    assert not [n for n in remaining if n in files and n.endswith((".sqlite3", "-wal", ".npz"))]
    rek.create_collection(CollectionId="friends")
    assert rek.list_faces(CollectionId="friends")["Faces"] == []
