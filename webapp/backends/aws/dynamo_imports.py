"""The ImportLedger port on DynamoDB's main table.

    IMPORT#<folder key> / IMPORT      person_id          (the claim: one conditional put decides)
    PERSON#<id>         / FOLDER#<key>                   (so forgetting the person finds the claim)
    PERSON#<id>         / SRC#<sha256>  face_id          (a photo already imported for the person)

Everything in the person's partition goes when the person is deleted.
"""
from __future__ import annotations

from botocore.exceptions import ClientError

from webapp.backends.aws.dynamo_items import key, person_pk, to_item
from webapp.backends.aws.dynamo_tables import DynamoTables

CONDITION_FAILED = "ConditionalCheckFailedException"


class DynamoImports(DynamoTables):
    """Folder claims and imported-photo digests."""

    def claim(self, folder_key: str, person_id: str) -> str:
        """Tie a folder to a person unless it is tied already; returns the person it is tied to."""
        self._put({"pk": person_pk(person_id), "sk": f"FOLDER#{folder_key}"})
        try:
            self.db.call("put_item", passthrough=(CONDITION_FAILED,), TableName=self.table,
                         Item=to_item({"pk": f"IMPORT#{folder_key}", "sk": "IMPORT", "person_id": person_id}),
                         ConditionExpression="attribute_not_exists(pk)")
        except ClientError:
            self.db.call("delete_item", TableName=self.table, Key=key(person_pk(person_id), f"FOLDER#{folder_key}"))
            return self.person_for(folder_key) or person_id
        return person_id

    def person_for(self, folder_key: str) -> str | None:
        """The person a folder was imported as, if any."""
        values = self._get(f"IMPORT#{folder_key}", "IMPORT")
        return values["person_id"] if values else None

    def release(self, folder_key: str) -> None:
        """Untie a folder (its person is gone)."""
        self.db.call("delete_item", TableName=self.table, Key=key(f"IMPORT#{folder_key}", "IMPORT"))

    def sources(self, person_id: str) -> set[str]:
        """Digests of the photos already imported for a person."""
        rows = self.db.query(TableName=self.table, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                             ConsistentRead=True, ExpressionAttributeValues=to_item({":p": person_pk(person_id),
                                                                                     ":s": "SRC#"}))
        return {r["sk"][len("SRC#"):] for r in rows}

    def add_source(self, person_id: str, digest: str, face_id: str) -> None:
        """Record that a photo became a face of the person."""
        self._put({"pk": person_pk(person_id), "sk": f"SRC#{digest}", "face_id": face_id})
