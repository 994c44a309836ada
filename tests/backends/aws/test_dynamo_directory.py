"""DynamoDirectory details the contract suite cannot see: the stored items themselves."""
from __future__ import annotations

import pytest

from tests.conftest import BLUE, RED
from tests.fakes import make_photo
from webapp import create_app
from webapp.backends.aws.dynamo_items import from_item
from webapp.domain import BoundingBox, FaceRecord
from webapp.errors import NotFound


@pytest.fixture
def glimpse(world, aws_backend):
    """The services over the AWS backend."""
    return create_app({**world.settings.__dict__}, backend=aws_backend).extensions["glimpse"]


def _raw(world, table: str, key: dict) -> dict:
    item = world.clients.get("dynamodb").get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
    return from_item(item) if item else {}


def test_face_rows_keep_the_classic_rekognition_id_and_full_name(world, glimpse):
    ada = glimpse.people.enrol("Ada Lovelace", [("a.png", make_photo(RED))], consent=True, consent_by="t")
    row = _raw(world, "glimpse-faces", {"RekognitionId": {"S": ada.face_ids[0]}})
    assert row["FullName"] == "Ada Lovelace" and row["PersonId"] == ada.person.id
    assert row["ImageKey"] == f"people/{ada.person.id}/{ada.face_ids[0]}.jpg"


def test_forgetting_scrubs_the_stored_analyses_not_only_the_view(world, glimpse):
    ada = glimpse.people.enrol("Ada", [("a.png", make_photo(RED))], consent=True, consent_by="t")
    bob = glimpse.people.enrol("Bob", [("b.png", make_photo(BLUE))], consent=True, consent_by="t")
    analysis = glimpse.recognizer.analyse(make_photo(RED, BLUE))
    glimpse.people.forget(ada.person.id)
    stored = _raw(world, "glimpse", {"pk": {"S": f"ANALYSIS#{analysis.id}"}, "sk": {"S": "ANALYSIS"}})
    assert [(f["person_id"], f["similarity"]) for f in stored["faces"]][0] == (None, None)
    assert stored["faces"][1]["person_id"] == bob.person.id
    partition = world.clients.get("dynamodb").query(
        TableName="glimpse", KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"PERSON#{ada.person.id}"}})
    assert partition["Items"] == []


def test_a_face_for_a_missing_person_is_refused(aws_backend):
    record = FaceRecord("f-1", "no-such-person", "k", "c", BoundingBox(0, 0, 1, 1))
    with pytest.raises(NotFound):
        aws_backend.directory.add_face(record)
    assert aws_backend.directory.all_face_ids() == []


def test_a_person_gone_half_way_through_forgetting_already_reads_as_unknown(world, glimpse):
    ada = glimpse.people.enrol("Ada", [("a.png", make_photo(RED))], consent=True, consent_by="t")
    analysis = glimpse.recognizer.analyse(make_photo(RED))
    world.clients.get("dynamodb").delete_item(  # as if forgetting stopped after removing the profile
        TableName="glimpse", Key={"pk": {"S": f"PERSON#{ada.person.id}"}, "sk": {"S": "PROFILE"}})
    (face,) = glimpse.recognizer.get(analysis.id).faces
    assert (face.person_id, face.person_name, face.similarity) == (None, None, None)
