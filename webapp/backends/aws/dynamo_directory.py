"""The directory on DynamoDB (the classic faces table plus one single-table design, see dynamo_items):
a base for its adapters, and the people/faces adapter."""
from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from botocore.exceptions import ClientError

from webapp.backends.aws import dynamo_items as items
from webapp.backends.aws.clients import AwsClients, error_code, unavailable
from webapp.backends.aws.dynamo_items import FACES_GSI, MAIN_GSI, PROFILE, SEEN, key, person_pk, to_item
from webapp.backends.aws.dynamo_ops import Dynamo
from webapp.domain import FaceRecord, Person
from webapp.errors import NotFound

CALLS = frozenset({
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
    "dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:TransactWriteItems",
})


def _conditions_failed(exc: ClientError) -> bool:
    """Whether a cancelled transaction failed only on its conditions (not on a conflict or throttling)."""
    reasons = exc.response.get("CancellationReasons") or []
    return all(r.get("Code") in (None, "None", "ConditionalCheckFailed") for r in reasons)


def _now() -> str:
    """The current UTC time as ISO text (sortable: every timestamp has the same format)."""
    return datetime.now(UTC).isoformat()


class DynamoTables:
    """A base for the adapters that share the directory's two DynamoDB tables."""

    def __init__(self, clients: AwsClients, faces_table: str, table: str):
        self.db = Dynamo(clients)
        self.faces_table = faces_table
        self.table = table

    def _get(self, pk: str, sk: str) -> dict | None:
        """One main-table item (strongly consistent), or None."""
        item = self.db.call("get_item", TableName=self.table, Key=key(pk, sk), ConsistentRead=True).get("Item")
        return items.from_item(item) if item else None

    def _put(self, values: dict) -> None:
        """Write one main-table item."""
        self.db.call("put_item", TableName=self.table, Item=to_item(values))

    def _index(self, gsi1pk: str, newest_first: bool = False, limit: int | None = None) -> list[dict]:
        """Items of one gsi1 partition in gsi1sk order."""
        params = {"TableName": self.table, "IndexName": MAIN_GSI, "KeyConditionExpression": "gsi1pk = :p",
                  "ExpressionAttributeValues": to_item({":p": gsi1pk}), "ScanIndexForward": not newest_first}
        return list(self.db.query(**params, **({"Limit": limit} if limit else {})))

    def _people(self, person_ids: set[str]) -> dict[str, Person]:
        """The people among these ids who still exist."""
        keys = [key(person_pk(pid), PROFILE) for pid in sorted(person_ids)]
        return {v["id"]: items.person_from(v) for v in self.db.batch_get(self.table, keys)}


class DynamoPeople(DynamoTables):
    """The PeopleDirectory port: person profiles in the main table, face rows in the faces table."""

    def add_person(self, name: str, consent_by: str, consent_text: str) -> Person:
        """Create a person with a new id and the consent record."""
        person = Person(id=uuid4().hex, name=name, created_at=datetime.now(UTC), consent_by=consent_by,
                        consent_text=consent_text)
        self.db.call("put_item", TableName=self.table, Item=to_item(items.person_item(person, consent_text)),
                     ConditionExpression="attribute_not_exists(pk)")
        return person

    def get_person(self, person_id: str) -> Person | None:
        """One person, or None."""
        values = self._get(person_pk(person_id), PROFILE)
        return items.person_from(values) if values else None

    def list_people(self) -> list[Person]:
        """Everyone, sorted by name (case-insensitive) then creation."""
        return [items.person_from(v) for v in self._index("PEOPLE")]

    def delete_person(self, person_id: str) -> None:
        """Scrub their analyses, delete their face rows, then their profile (last, so a retry finds them)."""
        partition = list(self.db.query(
            TableName=self.table, KeyConditionExpression="pk = :p", ConsistentRead=True,
            ExpressionAttributeValues=to_item({":p": person_pk(person_id)}),
        ))
        markers = [v for v in partition if v["sk"].startswith(SEEN)]
        for marker in markers:
            self._scrub(marker["sk"][len(SEEN):], person_id)
        face_keys = [{"RekognitionId": {"S": f.face_id}} for f in self.faces_of(person_id)]
        self.db.batch_write(self.faces_table, [{"DeleteRequest": {"Key": k}} for k in face_keys])
        self.db.batch_write(self.table, [{"DeleteRequest": {"Key": key(v["pk"], v["sk"])}} for v in markers])
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
        """Write the face row and bump the person's face count in one transaction."""
        person = self.get_person(record.person_id)
        if person is None:
            raise NotFound("There is no person with that id.")
        row = items.face_item(record, person.name, _now())
        try:
            self.db.call("transact_write_items", passthrough=("TransactionCanceledException",), TransactItems=[
                {"Put": {"TableName": self.faces_table, "Item": to_item(row),
                         "ConditionExpression": "attribute_not_exists(RekognitionId)"}},
                {"Update": {"TableName": self.table, "Key": key(person_pk(person.id), PROFILE),
                            "UpdateExpression": "ADD face_count :one", "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": to_item({":one": 1})}},
            ])
        except ClientError as exc:
            if error_code(exc) == "TransactionCanceledException":  # the person was deleted meanwhile
                raise NotFound("There is no person with that id.") from exc
            raise

    def delete_faces(self, face_ids: list[str]) -> None:
        """Delete face rows by id, each with its person's face count in one transaction."""
        keys = [{"RekognitionId": {"S": fid}} for fid in dict.fromkeys(face_ids)]
        for row in self.db.batch_get(self.faces_table, keys, ConsistentRead=True):
            self._delete_face(row["RekognitionId"], row["PersonId"])

    def _delete_face(self, face_id: str, person_id: str) -> None:
        """Delete one face row and decrement its person's count (just the row if the person is gone)."""
        face_key = {"RekognitionId": {"S": face_id}}
        try:
            self.db.call("transact_write_items", passthrough=("TransactionCanceledException",), TransactItems=[
                {"Delete": {"TableName": self.faces_table, "Key": face_key,
                            "ConditionExpression": "attribute_exists(RekognitionId)"}},
                {"Update": {"TableName": self.table, "Key": key(person_pk(person_id), PROFILE),
                            "UpdateExpression": "ADD face_count :minus", "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": to_item({":minus": -1})}},
            ])
        except ClientError as exc:
            if error_code(exc) != "TransactionCanceledException":
                raise
            if not _conditions_failed(exc):  # a conflicting write, not a missing item: let the caller retry
                raise unavailable("dynamodb") from exc
            # the profile is gone (nothing to count) or the row already is: a plain delete is right either way
            self.db.call("delete_item", TableName=self.faces_table, Key=face_key)

    def faces_of(self, person_id: str) -> list[FaceRecord]:
        """The face rows of one person, in enrolment order (GSI PersonId-index)."""
        rows = self.db.query(
            TableName=self.faces_table, IndexName=FACES_GSI, KeyConditionExpression="PersonId = :p",
            ExpressionAttributeValues=to_item({":p": person_id}),
        )
        return [items.face_from(v) for v in rows]

    def people_for_faces(self, face_ids: list[str]) -> dict[str, Person]:
        """Map each known face id to its person."""
        keys = [{"RekognitionId": {"S": fid}} for fid in dict.fromkeys(face_ids)]
        rows = self.db.batch_get(self.faces_table, keys, ConsistentRead=True)
        people = self._people({r["PersonId"] for r in rows})
        return {r["RekognitionId"]: people[r["PersonId"]] for r in rows if r["PersonId"] in people}

    def all_face_ids(self) -> list[str]:
        """Every face id known here (a scan: only for consistency checks)."""
        rows = self.db.scan(TableName=self.faces_table, ProjectionExpression="RekognitionId")
        return sorted(r["RekognitionId"] for r in rows)
