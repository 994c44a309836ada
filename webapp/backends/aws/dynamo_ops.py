"""Paginated queries and batched reads/writes on the DynamoDB client, with vendor errors translated."""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from webapp.backends.aws.clients import AwsClients, vendor_errors
from webapp.backends.aws.dynamo_items import from_item
from webapp.errors import BackendUnavailable

GET_BATCH, WRITE_BATCH = 100, 25  # BatchGetItem and BatchWriteItem limits
UNPROCESSED_ATTEMPTS = 6


class Dynamo:
    """Thin helpers over one DynamoDB client; every call goes through `call`."""

    def __init__(self, clients: AwsClients):
        self.clients = clients

    def call(self, operation: str, passthrough: tuple[str, ...] = (), **params: Any) -> dict:
        """One DynamoDB API call with vendor errors translated (codes in `passthrough` are the caller's)."""
        with vendor_errors("dynamodb", passthrough):
            response: dict = getattr(self.clients.get("dynamodb"), operation)(**params)
            return response

    def query(self, **params: Any) -> Iterator[dict]:
        """Every item of a query as plain dicts, page by page (stops at params' Limit if given)."""
        limit = params.get("Limit")
        seen = 0
        while True:
            page = self.call("query", **params)
            for item in page.get("Items", []):
                yield from_item(item)
                seen += 1
                if limit and seen >= limit:
                    return
            if not page.get("LastEvaluatedKey"):
                return
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def count(self, **params: Any) -> int:
        """How many items a query matches (Select=COUNT, summed over pages)."""
        total = 0
        while True:
            page = self.call("query", Select="COUNT", **params)
            total += int(page.get("Count", 0))
            if not page.get("LastEvaluatedKey"):
                return total
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def scan(self, **params: Any) -> Iterator[dict]:
        """Every item of a scan as plain dicts."""
        while True:
            page = self.call("scan", **params)
            yield from (from_item(item) for item in page.get("Items", []))
            if not page.get("LastEvaluatedKey"):
                return
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def batch_get(self, table: str, keys: list[dict], **extra: Any) -> list[dict]:
        """Items by key (100 per request), retrying what DynamoDB left unprocessed."""
        found: list[dict] = []
        for start in range(0, len(keys), GET_BATCH):
            request = {table: {"Keys": keys[start:start + GET_BATCH], **extra}}
            for attempt in range(UNPROCESSED_ATTEMPTS):
                page = self.call("batch_get_item", RequestItems=request)
                found += [from_item(item) for item in page.get("Responses", {}).get(table, [])]
                request = page.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(0.05 * 2**attempt)  # unprocessed keys mean throttling: back off
            if request:
                raise BackendUnavailable("Amazon DynamoDB is unavailable right now; try again in a minute.")
        return found

    def batch_write(self, table: str, requests: list[dict]) -> None:
        """Put/delete requests (25 per request), retrying what DynamoDB left unprocessed."""
        for start in range(0, len(requests), WRITE_BATCH):
            pending = {table: requests[start:start + WRITE_BATCH]}
            for attempt in range(UNPROCESSED_ATTEMPTS):
                pending = self.call("batch_write_item", RequestItems=pending).get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(0.05 * 2**attempt)
            if pending:
                raise BackendUnavailable("Amazon DynamoDB is unavailable right now; try again in a minute.")
