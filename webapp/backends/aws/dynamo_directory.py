"""The PeopleDirectory port on DynamoDB: profiles and face markers in the main table, face rows in the faces table.

Every read that must be exact is strongly consistent: a person's faces come from their own
partition (a FACE# marker per face, written in the same transaction as the faces-table
row), never from the faces table's PersonId-index GSI alone, which lags behind writes — a
forget right after an enrolment would otherwise miss the newest faceprint. The GSI is read
only to find faces recorded before the markers existed, and what it returns is checked.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

from botocore.exceptions import ClientError

from webapp.backends.aws import dynamo_items as items
from webapp.backends.aws.clients import error_code, unavailable
from webapp.backends.aws.dynamo_items import FACE, FACES_GSI, PROFILE, SEEN, key, person_pk, to_item
from webapp.backends.aws.dynamo_tables import DynamoTables, log, now_text
from webapp.domain import FaceRecord, Person
from webapp.errors import NotFound

CALLS = frozenset({
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
    "dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:TransactWriteItems",
})


def _face_key(face_id: str) -> dict:
    """A faces-table key."""
    return {"RekognitionId": {"S": face_id}}


class DynamoPeople(DynamoTables):
    """The PeopleDirectory port: person profiles in the main table, face rows in the faces table."""

    def add_person(self, name: str, consent_by: str, consent_text: str) -> Person:
        """Create a person with a new id and the consent record."""
        person, created = self.claim_person(uuid4().hex, name, consent_by, consent_text)
        if not created:  # a random 128-bit id already taken: not a state to carry on from
            raise unavailable("dynamodb")
        return person

    def claim_person(self, person_id: str, name: str, consent_by: str, consent_text: str) -> tuple[Person, bool]:
        """Create the person with this id unless it exists (a conditional put): (the person, created now?)."""
        person = Person(id=person_id, name=name, created_at=datetime.now(UTC), consent_by=consent_by,
                        consent_text=consent_text)
        try:
            self.db.call("put_item", passthrough=("ConditionalCheckFailedException",), TableName=self.table,
                         Item=to_item(items.person_item(person, consent_text)),
                         ConditionExpression="attribute_not_exists(pk)")
        except ClientError as exc:
            if error_code(exc) != "ConditionalCheckFailedException":
                raise
            existing = self.get_person(person_id)
            if existing is None:  # claimed and deleted again in between: let the caller try later
                raise unavailable("dynamodb") from exc
            return existing, False
        return person, True

    def get_person(self, person_id: str) -> Person | None:
        """One person, or None."""
        values = self._get(person_pk(person_id), PROFILE)
        return items.person_from(values) if values else None

    def list_people(self) -> list[Person]:
        """Everyone, sorted by name (case-insensitive) then creation.

        The list comes from gsi1, which may lag: each profile is then read consistently, so
        someone forgotten a moment ago is not listed and counts are current. Someone enrolled
        a moment ago may be missing for that moment.
        """
        listed = [v["id"] for v in self._index("PEOPLE")]
        people = self._people(set(listed))
        return sorted((people[pid] for pid in dict.fromkeys(listed) if pid in people),
                      key=lambda p: (p.name.casefold(), p.created_at, p.id))

    def rename_person(self, person_id: str, name: str) -> None:
        """Rename the profile (and its place in the name-sorted list), then the FullName of each face row."""
        person = self.get_person(person_id)
        if person is None:
            raise NotFound("There is no person with that id.")
        sort_key = items.person_item(replace(person, name=name), person.consent_text)["gsi1sk"]
        self.db.call("update_item", TableName=self.table, Key=key(person_pk(person_id), PROFILE),
                     UpdateExpression="SET #n = :n, gsi1sk = :s", ConditionExpression="attribute_exists(pk)",
                     ExpressionAttributeNames={"#n": "name"},
                     ExpressionAttributeValues=to_item({":n": name, ":s": sort_key}))
        for face in self.faces_of(person_id):
            self.db.call("update_item", TableName=self.faces_table, Key=_face_key(face.face_id),
                         UpdateExpression="SET FullName = :n", ExpressionAttributeValues=to_item({":n": name}))

    def move_faces(self, face_ids: list[str], person_id: str) -> None:
        """Re-point each face row, move its marker and both people's counts: one transaction per face."""
        target = self.get_person(person_id)
        if target is None:
            raise NotFound("There is no person with that id.")
        keys = [_face_key(fid) for fid in dict.fromkeys(face_ids)]
        for row in self.db.batch_get(self.faces_table, keys, ConsistentRead=True):
            if row["PersonId"] != person_id:
                self._move_face(items.face_from(row), target)

    def _move_face(self, face: FaceRecord, target: Person) -> None:
        """One face to another person; the row's condition makes a repeated move a no-op."""
        moved = replace(face, person_id=target.id)
        writes = [
            {"Update": {"TableName": self.faces_table, "Key": _face_key(face.face_id),
                        "UpdateExpression": "SET PersonId = :to, FullName = :n",
                        "ConditionExpression": "PersonId = :from",
                        "ExpressionAttributeValues": to_item({":to": target.id, ":n": target.name,
                                                              ":from": face.person_id})}},
            {"Delete": {"TableName": self.table, "Key": key(person_pk(face.person_id), f"{FACE}{face.face_id}")}},
            {"Put": {"TableName": self.table, "Item": to_item(items.face_marker_item(moved, now_text()))}},
            {"Update": {"TableName": self.table, "Key": key(person_pk(target.id), PROFILE),
                        "UpdateExpression": "ADD face_count :one", "ExpressionAttributeValues": to_item({":one": 1}),
                        "ConditionExpression": "attribute_exists(pk)"}},
        ]
        if self.get_person(face.person_id):  # the one it leaves still exists: one face fewer
            writes.append({"Update": {"TableName": self.table, "Key": key(person_pk(face.person_id), PROFILE),
                                      "UpdateExpression": "ADD face_count :minus",
                                      "ExpressionAttributeValues": to_item({":minus": -1})}})
        # a failed condition means the row moved already or a profile went meanwhile: the next pass reads what is
        self._transact(writes)

    def delete_person(self, person_id: str) -> None:
        """Scrub their analyses, delete their face rows and markers, then the profile (last: a retry finds them)."""
        partition = self._partition(person_pk(person_id))
        for marker in (v for v in partition if v["sk"].startswith(SEEN)):
            self._scrub(marker["sk"][len(SEEN):], person_id)
        for marker in (v for v in partition if v["sk"].startswith("FOLDER#")):  # their import folder's claim
            self.db.call("delete_item", TableName=self.table, Key=key(f"IMPORT#{marker['sk'][7:]}", "IMPORT"))
        face_ids = [f.face_id for f in self._faces(person_id, partition)]
        self.db.batch_write(self.faces_table, [{"DeleteRequest": {"Key": _face_key(fid)}} for fid in face_ids])
        self.db.batch_write(self.table, [{"DeleteRequest": {"Key": key(v["pk"], v["sk"])}}
                                         for v in partition if v["sk"] != PROFILE])
        self.db.call("delete_item", TableName=self.table, Key=key(person_pk(person_id), PROFILE))

    def _scrub(self, analysis_id: str, person_id: str) -> None:
        """Remove a forgotten person's id and similarity from one past analysis."""
        values = self._get(f"ANALYSIS#{analysis_id}", items.ANALYSIS)
        if values is None:
            return
        self.db.call(
            "update_item", TableName=self.table, Key=key(values["pk"], values["sk"]),
            UpdateExpression="SET faces = :f",
            ExpressionAttributeValues=to_item({":f": items.scrubbed(values.get("faces", []), person_id)}),
        )

    def add_face(self, record: FaceRecord) -> None:
        """Write the face row, the person's face marker and their face count in one transaction."""
        person = self.get_person(record.person_id)
        if person is None:
            raise NotFound("There is no person with that id.")
        created = now_text()
        failed = self._transact([
            {"Put": {"TableName": self.faces_table, "Item": to_item(items.face_item(record, person.name, created)),
                     "ConditionExpression": "attribute_not_exists(RekognitionId)"}},
            {"Put": {"TableName": self.table, "Item": to_item(items.face_marker_item(record, created))}},
            {"Update": {"TableName": self.table, "Key": key(person_pk(person.id), PROFILE),
                        "UpdateExpression": "ADD face_count :one", "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": to_item({":one": 1})}},
        ])
        if failed is None:
            return
        if failed[2] == "ConditionalCheckFailed":  # the person was deleted meanwhile
            raise NotFound("There is no person with that id.")
        log.error("face %s is already recorded; not recording it again", record.face_id)
        raise unavailable("dynamodb")

    def delete_faces(self, face_ids: list[str]) -> None:
        """Delete face rows by id, each with its marker and its person's face count in one transaction."""
        keys = [_face_key(fid) for fid in dict.fromkeys(face_ids)]
        for row in self.db.batch_get(self.faces_table, keys, ConsistentRead=True):
            self._delete_face(row["RekognitionId"], row["PersonId"])

    def _delete_face(self, face_id: str, person_id: str) -> None:
        """Delete one face row and marker and decrement the count (just the row and marker if the person is gone)."""
        marker = key(person_pk(person_id), f"{FACE}{face_id}")
        failed = self._transact([
            {"Delete": {"TableName": self.faces_table, "Key": _face_key(face_id),
                        "ConditionExpression": "attribute_exists(RekognitionId)"}},
            {"Delete": {"TableName": self.table, "Key": marker}},
            {"Update": {"TableName": self.table, "Key": key(person_pk(person_id), PROFILE),
                        "UpdateExpression": "ADD face_count :minus", "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": to_item({":minus": -1})}},
        ])
        if failed is not None:  # the profile is gone (nothing to count) or the row already is
            self.db.call("delete_item", TableName=self.faces_table, Key=_face_key(face_id))
            self.db.call("delete_item", TableName=self.table, Key=marker)

    def faces_of(self, person_id: str) -> list[FaceRecord]:
        """The faces of one person, in enrolment order (their partition, read consistently)."""
        return self._faces(person_id, self._partition(person_pk(person_id), FACE))

    def _faces(self, person_id: str, partition: list[dict]) -> list[FaceRecord]:
        """The faces marked in a partition, plus rows recorded without a marker (found by the GSI, then checked)."""
        marked = sorted((v for v in partition if v["sk"].startswith(FACE)), key=lambda v: v.get("created_at", ""))
        records = {v["face_id"]: items.face_from_marker(v) for v in marked}
        indexed = self.db.query(TableName=self.faces_table, IndexName=FACES_GSI, KeyConditionExpression="PersonId = :p",
                                ExpressionAttributeValues=to_item({":p": person_id}))
        unmarked = [_face_key(v["RekognitionId"]) for v in indexed if v["RekognitionId"] not in records]
        for row in self.db.batch_get(self.faces_table, unmarked, ConsistentRead=True):  # the GSI may be stale
            records[row["RekognitionId"]] = items.face_from(row)
        return list(records.values())

    def people_for_faces(self, face_ids: list[str]) -> dict[str, Person]:
        """Map each known face id to its person."""
        keys = [_face_key(fid) for fid in dict.fromkeys(face_ids)]
        rows = self.db.batch_get(self.faces_table, keys, ConsistentRead=True)
        people = self._people({r["PersonId"] for r in rows})
        return {r["RekognitionId"]: people[r["PersonId"]] for r in rows if r["PersonId"] in people}

    def all_face_ids(self) -> list[str]:
        """Every face id known here (a consistent scan: only for consistency checks)."""
        rows = self.db.scan(TableName=self.faces_table, ProjectionExpression="RekognitionId", ConsistentRead=True)
        return sorted(r["RekognitionId"] for r in rows)
