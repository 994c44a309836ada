"""The base the DynamoDB adapters share: the two tables, consistent reads, and transactions that retry conflicts."""
from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from botocore.exceptions import ClientError

from webapp.backends.aws import dynamo_items as items
from webapp.backends.aws.clients import AwsClients, unavailable
from webapp.backends.aws.dynamo_items import MAIN_GSI, PROFILE, key, person_pk, to_item
from webapp.backends.aws.dynamo_ops import Dynamo
from webapp.domain import Person

log = logging.getLogger(__name__)
TRANSACT_ATTEMPTS = 4  # a TransactionConflict (another write on the same item) usually clears in milliseconds


def now_text() -> str:
    """The current UTC time as ISO text (sortable: every timestamp has the same format)."""
    return datetime.now(UTC).isoformat()


def _reasons(exc: ClientError) -> list[str]:
    """The cancellation reason code of each write of a cancelled transaction ("None" where it was fine)."""
    return [str(r.get("Code") or "None") for r in exc.response.get("CancellationReasons") or []]


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

    def _partition(self, pk: str, sk_prefix: str = "") -> list[dict]:
        """Every item of one main-table partition (strongly consistent), optionally by sort-key prefix."""
        condition, values = "pk = :p", {":p": pk}
        if sk_prefix:
            condition, values = condition + " AND begins_with(sk, :s)", {**values, ":s": sk_prefix}
        return list(self.db.query(TableName=self.table, KeyConditionExpression=condition, ConsistentRead=True,
                                  ExpressionAttributeValues=to_item(values)))

    def _index(self, gsi1pk: str, newest_first: bool = False, limit: int | None = None) -> list[dict]:
        """Items of one gsi1 partition in gsi1sk order (eventually consistent: it may lag behind writes)."""
        params = {"TableName": self.table, "IndexName": MAIN_GSI, "KeyConditionExpression": "gsi1pk = :p",
                  "ExpressionAttributeValues": to_item({":p": gsi1pk}), "ScanIndexForward": not newest_first}
        return list(self.db.query(**params, **({"Limit": limit} if limit else {})))

    def _people(self, person_ids: set[str]) -> dict[str, Person]:
        """The people among these ids who exist now (read consistently, whatever an index says)."""
        keys = [key(person_pk(pid), PROFILE) for pid in sorted(person_ids)]
        return {v["id"]: items.person_from(v) for v in self.db.batch_get(self.table, keys, ConsistentRead=True)}

    def _transact(self, writes: list[dict]) -> list[str] | None:
        """Run one TransactWriteItems; None when it succeeded, else each write's failed-condition code.

        A transaction cancelled by a conflicting write (TransactionConflict) or throttling is
        tried again a few times, then reported as "unavailable" — never as a failed condition,
        which would tell the caller something untrue (e.g. that the person does not exist).
        """
        for attempt in range(TRANSACT_ATTEMPTS):
            try:
                self.db.call("transact_write_items", passthrough=("TransactionCanceledException",),
                             TransactItems=writes)
                return None
            except ClientError as exc:
                reasons = _reasons(exc)
                if reasons and set(reasons) <= {"None", "ConditionalCheckFailed"}:
                    return reasons
                log.warning("DynamoDB transaction cancelled (%s), attempt %d of %d: %s", ",".join(reasons),
                            attempt + 1, TRANSACT_ATTEMPTS, exc)
                time.sleep(0.05 * 2**attempt)
        raise unavailable("dynamodb")
