"""The DynamoDB directory adapters: details the contract suite cannot see: the stored items themselves."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import BLUE, RED
from tests.fakes import make_photo
from webapp import create_app
from webapp.backends.aws.dynamo_items import from_item
from webapp.domain import AuditEntry, BoundingBox, FaceRecord
from webapp.errors import NotFound


@pytest.fixture
def services(world, aws_backend):
    """The services over the AWS backend."""
    return create_app({**world.settings.__dict__}, backend=aws_backend).extensions["services"]


def _raw(world, table: str, key: dict) -> dict:
    item = world.clients.get("dynamodb").get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
    return from_item(item) if item else {}


def test_face_rows_keep_the_classic_rekognition_id_and_full_name(world, services):
    ada = services.people.enrol("Ada Lovelace", [("a.png", make_photo(RED))], consent=True, consent_by="t")
    row = _raw(world, "glimpse-faces", {"RekognitionId": {"S": ada.face_ids[0]}})
    assert row["FullName"] == "Ada Lovelace" and row["PersonId"] == ada.person.id
    assert row["ImageKey"] == f"people/{ada.person.id}/{ada.face_ids[0]}.jpg"


def test_forgetting_scrubs_the_stored_analyses_not_only_the_view(world, services):
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED))], consent=True, consent_by="t")
    bob = services.people.enrol("Bob", [("b.png", make_photo(BLUE))], consent=True, consent_by="t")
    analysis = services.recognizer.analyse(make_photo(RED, BLUE))
    services.people.forget(ada.person.id)
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
        aws_backend.people.add_face(record)
    assert aws_backend.people.all_face_ids() == []


def test_a_person_gone_half_way_through_forgetting_already_reads_as_unknown(world, services):
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED))], consent=True, consent_by="t")
    analysis = services.recognizer.analyse(make_photo(RED))
    world.clients.get("dynamodb").delete_item(  # as if forgetting stopped after removing the profile
        TableName="glimpse", Key={"pk": {"S": f"PERSON#{ada.person.id}"}, "sk": {"S": "PROFILE"}})
    (face,) = services.recognizer.get(analysis.id).faces
    assert (face.person_id, face.person_name, face.similarity) == (None, None, None)


def _partition(world, pk: str) -> list[dict]:
    """Every main-table item of one partition."""
    page = world.clients.get("dynamodb").query(
        TableName="glimpse", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": pk}})
    return [from_item(item) for item in page["Items"]]


def test_deleting_face_rows_keeps_the_count_and_never_revives_a_deleted_profile(world, services, aws_backend):
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED)), ("b.png", make_photo(RED))],
                               consent=True, consent_by="t")
    aws_backend.people.delete_faces([ada.face_ids[0], ada.face_ids[0], "no-such-face"])
    assert aws_backend.people.get_person(ada.person.id).face_count == 1
    assert aws_backend.people.all_face_ids() == [ada.face_ids[1]]
    world.clients.get("dynamodb").delete_item(  # the profile went first, as in an interrupted forget
        TableName="glimpse", Key={"pk": {"S": f"PERSON#{ada.person.id}"}, "sk": {"S": "PROFILE"}})
    aws_backend.people.delete_faces([ada.face_ids[1]])
    assert aws_backend.people.all_face_ids() == [] and _partition(world, f"PERSON#{ada.person.id}") == []


def test_deleting_an_analysis_removes_the_markers_that_point_to_it(world, services, aws_backend):
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED))], consent=True, consent_by="t")
    kept, gone = (services.recognizer.analyse(make_photo(RED)) for _ in range(2))
    aws_backend.analyses.delete_analysis(gone.id)
    assert [v["sk"] for v in _partition(world, f"PERSON#{ada.person.id}")] == [
        f"FACE#{ada.face_ids[0]}", "PROFILE", f"SEEN#{kept.id}"]
    assert _partition(world, f"ANALYSIS#{gone.id}") == []


def test_analyses_before_compares_instants_not_text(services, aws_backend):
    analysis = services.recognizer.analyse(make_photo(RED))
    ahead = timezone(timedelta(hours=5))  # the same instant written with another offset sorts differently as text
    just_after = (analysis.created_at + timedelta(seconds=1)).astimezone(ahead)
    assert [a.id for a in aws_backend.analyses.analyses_before(just_after, 5)] == [analysis.id]
    assert aws_backend.analyses.analyses_before(analysis.created_at.astimezone(ahead), 5) == []
    assert aws_backend.analyses.analyses_before(just_after, 0) == []


def test_audit_entries_are_items_of_their_own(world, aws_backend):
    at = datetime(2024, 5, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    aws_backend.audit.add_audit(AuditEntry(at, "admin", "forget", "p1", "2 faceprint(s) deleted"))
    scan = world.clients.get("dynamodb").scan(TableName="glimpse", FilterExpression="sk = :a",
                                              ExpressionAttributeValues={":a": {"S": "AUDIT"}})
    (item,) = [from_item(i) for i in scan["Items"]]
    assert item["gsi1pk"] == "AUDIT" and item["gsi1sk"].startswith("2024-05-01T12:00:00+00:00#")
    assert item["pk"] == f"AUDIT#{item['gsi1sk']}"
    (entry,) = aws_backend.audit.list_audit(5)
    assert entry == AuditEntry(at, "admin", "forget", "p1", "2 faceprint(s) deleted")


def _all_keys(world) -> list[tuple[str, str]]:
    rows = world.clients.get("dynamodb").scan(TableName="glimpse")["Items"]
    return sorted((r["pk"]["S"], r["sk"]["S"]) for r in rows)


def test_history_markers_are_written_with_the_analysis_and_deleted_with_it(world, services):
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED))], consent=True, consent_by="t")
    before = _all_keys(world)
    analysis = services.recognizer.analyse(make_photo(RED), "p.png", "visitor:v1")
    added = sorted(set(_all_keys(world)) - set(before))
    partition = f"ANALYSIS#{analysis.id}"
    assert added == sorted([(partition, "ANALYSIS"), (partition, "OWNER"), (partition, "LABEL#design"),
                            (partition, "LABEL#face"), (partition, "LABEL#pattern"), (partition, "LABEL#person"),
                            (f"PERSON#{ada.person.id}", f"SEEN#{analysis.id}")])
    services.backend.analyses.delete_analysis(analysis.id)
    assert _all_keys(world) == before


def test_word_markers_are_written_when_text_is_read_and_deleted_with_the_analysis(world, services):
    analysis = services.recognizer.analyse(make_photo(RED), "p.png", "visitor:v1")
    before = _all_keys(world)
    services.recognizer.read_text(analysis.id)  # FakeText: "HELLO WORLD"
    partition = f"ANALYSIS#{analysis.id}"
    assert sorted(set(_all_keys(world)) - set(before)) == [(partition, "WORD#hello"), (partition, "WORD#world")]
    marker = _raw(world, "glimpse", {"pk": {"S": partition}, "sk": {"S": "WORD#hello"}})
    assert (marker["gsi1pk"], marker["analysis_id"]) == ("WORD#hello", analysis.id)
    services.backend.analyses.delete_analysis(analysis.id)
    assert not [k for k in _all_keys(world) if k[0] == partition]


def test_text_saved_for_a_deleted_analysis_leaves_no_word_marker(world, services):
    analysis = services.recognizer.analyse(make_photo(RED), "p.png")
    text = services.recognizer.read_text(analysis.id).text
    services.backend.analyses.delete_analysis(analysis.id)
    with pytest.raises(NotFound):
        services.backend.analyses.save_text(analysis.id, list(text))
    assert not [k for k in _all_keys(world) if k[0] == f"ANALYSIS#{analysis.id}"]
