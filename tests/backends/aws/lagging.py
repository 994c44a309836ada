"""DynamoDB whose global secondary indexes lag: index queries see the tables as they were at `freeze()`.

moto applies every write to its indexes at once; real DynamoDB updates a GSI a moment
later (eventually consistent, and a GSI cannot be read consistently). After `freeze()`,
queries that name an IndexName are answered from shadow copies of the tables taken then,
so a test sees exactly what a lagging index would show: nothing written since, and
everything deleted since. Every other call goes to the real (moto) client.
"""
from __future__ import annotations

from typing import Any

SHADOW = "{}-as-indexed"


class LaggingIndexes:
    """A DynamoDB client proxy whose index queries read a snapshot."""

    def __init__(self, client: Any):
        self._client = client
        self._frozen: set[str] = set()

    def freeze(self, *tables: str) -> None:
        """From now on, index queries on these tables see their current content only."""
        for table in tables:
            shadow = SHADOW.format(table)
            if table in self._frozen:
                self._client.delete_table(TableName=shadow)
            spec = self._client.describe_table(TableName=table)["Table"]
            self._client.create_table(
                TableName=shadow, KeySchema=spec["KeySchema"], AttributeDefinitions=spec["AttributeDefinitions"],
                BillingMode="PAY_PER_REQUEST",
                GlobalSecondaryIndexes=[{k: gsi[k] for k in ("IndexName", "KeySchema", "Projection")}
                                        for gsi in spec.get("GlobalSecondaryIndexes", [])])
            for page in self._client.get_paginator("scan").paginate(TableName=table):
                for item in page.get("Items", []):
                    self._client.put_item(TableName=shadow, Item=item)
            self._frozen.add(table)

    def query(self, **params):
        """Index queries read the snapshot; base-table queries read the table."""
        if "IndexName" in params and params["TableName"] in self._frozen:
            params = {**params, "TableName": SHADOW.format(params["TableName"])}
        return self._client.query(**params)

    def __getattr__(self, name: str):
        return getattr(self._client, name)


def lag_indexes(world) -> LaggingIndexes:
    """Put a LaggingIndexes in front of the world's DynamoDB client (nothing is frozen yet)."""
    lagging = LaggingIndexes(world.clients.get("dynamodb"))
    world.clients._clients["dynamodb"] = lagging  # the adapters ask AwsClients for the client on every call
    return lagging
