"""Directory on DynamoDB: the classic faces table plus one single-table design (see dynamo_items)."""
from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from botocore.exceptions import ClientError

from webapp.backends.aws import dynamo_items as items
from webapp.backends.aws.clients import AwsClients, error_code, unavailable
from webapp.backends.aws.dynamo_items import FACES_GSI, MAIN_GSI, PROFILE, SEEN, key, person_pk, to_item
from webapp.backends.aws.dynamo_ops import Dynamo
from webapp.domain import Analysis, AuditEntry, FaceRecord, Person
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


class DynamoDirectory:
    """People, faces, analyses, admins and tokens in two DynamoDB tables."""

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

    def _people(self, person_ids: set[str]) -> dict[str, Person]:
        """The people among these ids who still exist."""
        keys = [key(person_pk(pid), PROFILE) for pid in sorted(person_ids)]
        return {v["id"]: items.person_from(v) for v in self.db.batch_get(self.table, keys)}

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
            self.db.call("transact_write_items", TransactItems=[
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
            self.db.call("transact_write_items", TransactItems=[
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

    def save_analysis(self, analysis: Analysis) -> None:
        """Store the analysis and a marker in the partition of each person it names."""
        values = items.analysis_item(analysis)
        markers = [{"pk": person_pk(pid), "sk": f"{SEEN}{analysis.id}"} for pid in sorted(items.person_ids_in(values))]
        self.db.batch_write(self.table, [{"PutRequest": {"Item": to_item(v)}} for v in [values, *markers]])

    def get_analysis(self, analysis_id: str) -> Analysis | None:
        """One analysis with current names, or None."""
        values = self._get(f"ANALYSIS#{analysis_id}", items.ANALYSIS)
        return self._analyses([values])[0] if values else None

    def list_analyses(self, limit: int) -> list[Analysis]:
        """The newest analyses first (gsi1 partition ANALYSES, sorted by time)."""
        return self._analyses(self._index("ANALYSES", newest_first=True, limit=limit)) if limit > 0 else []

    def analyses_before(self, cutoff: datetime, limit: int) -> list[Analysis]:
        """Up to `limit` analyses created before cutoff, oldest first (gsi1 ANALYSES, gsi1sk < cutoff)."""
        if limit <= 0:
            return []
        rows = self.db.query(
            TableName=self.table, IndexName=MAIN_GSI, KeyConditionExpression="gsi1pk = :p AND gsi1sk < :c",
            ExpressionAttributeValues=to_item({":p": "ANALYSES", ":c": items.sortable_time(cutoff)}),
            ScanIndexForward=True, Limit=limit,
        )
        return self._analyses(list(rows))

    def delete_analysis(self, analysis_id: str) -> None:
        """Delete the SEEN# markers of the people it names, then the analysis; absent ids are ignored."""
        values = self._get(f"ANALYSIS#{analysis_id}", items.ANALYSIS)
        if values is None:
            return
        markers = [key(person_pk(pid), f"{SEEN}{analysis_id}") for pid in sorted(items.person_ids_in(values))]
        self.db.batch_write(self.table, [{"DeleteRequest": {"Key": k}} for k in markers])
        self.db.call("delete_item", TableName=self.table, Key=key(values["pk"], values["sk"]))

    def _analyses(self, rows: list[dict]) -> list[Analysis]:
        """Analyses named with the people who exist now (a forgotten person is Unknown, unscored)."""
        people = self._people(set().union(*(items.person_ids_in(v) for v in rows)))
        return [items.analysis_from(v, people) for v in rows]

    def add_audit(self, entry: AuditEntry) -> None:
        """Append one audit entry (its own item; gsi1 partition AUDIT sorted by time)."""
        self._put(items.audit_item(entry, uuid4().hex))

    def list_audit(self, limit: int) -> list[AuditEntry]:
        """The newest audit entries first."""
        return [items.audit_from(v) for v in self._index(items.AUDIT, newest_first=True, limit=limit)] \
            if limit > 0 else []

    def add_admin(self, username: str, password_hash: str) -> None:
        """Create or replace an admin."""
        self._put({"pk": f"ADMIN#{username}", "sk": "ADMIN", "gsi1pk": "ADMINS", "gsi1sk": username,
                   "username": username, "password_hash": password_hash, "created_at": _now()})

    def admin_password_hash(self, username: str) -> str | None:
        """The hash for username, or None."""
        values = self._get(f"ADMIN#{username}", "ADMIN")
        return values["password_hash"] if values else None

    def count_admins(self) -> int:
        """How many admins exist."""
        return self.db.count(TableName=self.table, IndexName=MAIN_GSI, KeyConditionExpression="gsi1pk = :p",
                             ExpressionAttributeValues=to_item({":p": "ADMINS"}))

    def add_token(self, token_id: str, token_hash: str, label: str) -> None:
        """Store an API token hash (the item is keyed by the hash: checking a token is one read)."""
        self._put({"pk": f"TOKEN#{token_hash}", "sk": "TOKEN", "gsi1pk": f"TOKENID#{token_id}", "gsi1sk": "TOKEN",
                   "token_id": token_id, "label": label, "created_at": _now()})

    def token_exists(self, token_hash: str) -> bool:
        """Whether a token with this hash exists."""
        return self._get(f"TOKEN#{token_hash}", "TOKEN") is not None

    def revoke_token(self, token_id: str) -> bool:
        """Delete a token found by id through gsi1; False if there was none."""
        found = self._index(f"TOKENID#{token_id}")
        for values in found:
            self.db.call("delete_item", TableName=self.table, Key=key(values["pk"], values["sk"]))
        return bool(found)
