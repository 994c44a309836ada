"""The Journal port on DynamoDB's main table: one item per operation until it finishes (gsi1 OPS by time)."""
from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from webapp.backends.aws.dynamo_items import key, sortable_time
from webapp.backends.aws.dynamo_tables import DynamoTables
from webapp.domain import Operation


class DynamoJournal(DynamoTables):
    """Operations started and not finished: `OP#<id>` items, listed through gsi1 partition OPS."""

    def begin(self, kind: str, args: dict, actor: str) -> Operation:
        """Record that an operation starts."""
        op = Operation(uuid4().hex, kind, dict(args), actor, datetime.now(UTC))
        at = sortable_time(op.started_at)
        self._put({"pk": f"OP#{op.id}", "sk": "OP", "gsi1pk": "OPS", "gsi1sk": f"{at}#{op.id}", "id": op.id,
                   "kind": kind, "args": op.args, "actor": actor, "started_at": at})
        return op

    def pending(self) -> list[Operation]:
        """Operations started and not finished, oldest first."""
        return [Operation(v["id"], v["kind"], dict(v.get("args", {})), v.get("actor", ""),
                          datetime.fromisoformat(v["started_at"])) for v in self._index("OPS")]

    def finish(self, operation_id: str) -> None:
        """Forget a finished operation."""
        self.db.call("delete_item", TableName=self.table, Key=key(f"OP#{operation_id}", "OP"))
