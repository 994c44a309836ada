"""Rate-limit counters in the DynamoDB main table, shared by every worker on every instance.

One item per client key (`pk` = `LIMIT#<key>`, `sk` = `LIMIT`) with its count and the moment
its window ends (`expires_at`, epoch seconds) — also written as `ttl`, so a table with
DynamoDB TTL on `ttl` drops counters of clients long gone. An increment is one conditional
UpdateItem while the window lasts, and a conditional PutItem that starts a new window when
it has ended; the conditions make concurrent workers agree without a lock.
"""
from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError
from limits.storage import Storage

from webapp.backends.aws.clients import AwsClients, error_code
from webapp.backends.aws.dynamo_items import from_item, key, to_item
from webapp.backends.aws.dynamo_ops import Dynamo
from webapp.config import Settings
from webapp.errors import GlimpseError

SCHEME = "glimpse-dynamodb"
CONDITION_FAILED = "ConditionalCheckFailedException"
CALLS = frozenset({"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"})
SK = "LIMIT"


def _failed_condition(exc: ClientError) -> bool:
    """Whether a write was refused only by its condition."""
    return error_code(exc) == CONDITION_FAILED


class DynamoLimitStorage(Storage):
    """Fixed-window counters for Flask-Limiter on DynamoDB."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, table: str = "",
                 region: str = "", **options: Any):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.db = Dynamo(AwsClients(region))
        self.table = table

    @property
    def base_exceptions(self) -> tuple[type[Exception], ...]:
        """What this storage raises when DynamoDB cannot be used."""
        return (GlimpseError, ClientError)

    def _key(self, name: str) -> dict:
        """The item key of one counter."""
        return key(f"LIMIT#{name}", SK)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add hits to key's window, starting a new window of `expiry` seconds if it had ended."""
        for _ in range(3):  # a race with another worker starting the same window costs one more round
            now = time.time()
            count = self._add(key, amount, now)
            if count is None and self._start(key, amount, now, now + expiry):
                count = amount
            if count is not None:
                return count
        raise GlimpseError("The rate-limit counter kept changing under us; try again.")

    def _add(self, key: str, amount: int, now: float) -> int | None:
        """Add to a window that is still open; None when there is none."""
        try:
            answer = self.db.call(
                "update_item", passthrough=(CONDITION_FAILED,), TableName=self.table, Key=self._key(key),
                UpdateExpression="ADD #n :a",
                ConditionExpression="expires_at > :now", ReturnValues="UPDATED_NEW",
                ExpressionAttributeNames={"#n": "count"},
                ExpressionAttributeValues=to_item({":a": amount, ":now": now}),
            )
        except ClientError as exc:
            if _failed_condition(exc):
                return None
            raise
        return int(from_item(answer["Attributes"])["count"])

    def _start(self, key: str, amount: int, now: float, ends: float) -> bool:
        """Start a new window unless another worker just did; False when it did."""
        item = {"pk": f"LIMIT#{key}", "sk": SK, "count": amount, "expires_at": ends, "ttl": int(ends) + 86400}
        try:
            self.db.call("put_item", passthrough=(CONDITION_FAILED,), TableName=self.table, Item=to_item(item),
                         ConditionExpression="attribute_not_exists(pk) OR expires_at <= :now",
                         ExpressionAttributeValues=to_item({":now": now}))
        except ClientError as exc:
            if _failed_condition(exc):
                return False
            raise
        return True

    def _live(self, key: str) -> dict | None:
        """Key's item if its window has not ended."""
        item = self.db.call("get_item", TableName=self.table, Key=self._key(key), ConsistentRead=True).get("Item")
        values = from_item(item) if item else None
        return values if values and float(values["expires_at"]) > time.time() else None

    def get(self, key: str) -> int:
        """Hits in key's current window (0 when none)."""
        values = self._live(key)
        return int(values["count"]) if values else 0

    def get_expiry(self, key: str) -> float:
        """When key's window ends (now when it has none)."""
        values = self._live(key)
        return float(values["expires_at"]) if values else time.time()

    def check(self) -> bool:
        """Whether the table answers."""
        self.db.call("get_item", TableName=self.table, Key=self._key("check"))
        return True

    def reset(self) -> int | None:
        """Not supported: counters expire on their own (a scan of the main table would be needed)."""
        return None

    def clear(self, key: str) -> None:
        """Forget one key's counter."""
        self.db.call("delete_item", TableName=self.table, Key=self._key(key))


def storage_for(settings: Settings, backend: object) -> tuple[str, dict]:
    """The Flask-Limiter storage URI and options for AWS mode: counters in the main table."""
    return f"{SCHEME}://", {"table": settings.dynamodb_table, "region": settings.aws_region}
