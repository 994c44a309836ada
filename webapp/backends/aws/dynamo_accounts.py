"""The AuditLog and AccountStore ports on DynamoDB's main table."""
from __future__ import annotations

from uuid import uuid4

from webapp.backends.aws import dynamo_items as items
from webapp.backends.aws.dynamo_directory import DynamoTables, _now
from webapp.backends.aws.dynamo_items import MAIN_GSI, key, to_item
from webapp.domain import AuditEntry


class DynamoAudit(DynamoTables):
    """Audit entries, each its own item (gsi1 partition AUDIT sorted by time)."""

    def add_audit(self, entry: AuditEntry) -> None:
        """Append one audit entry (its own item; gsi1 partition AUDIT sorted by time)."""
        self._put(items.audit_item(entry, uuid4().hex))

    def list_audit(self, limit: int) -> list[AuditEntry]:
        """The newest audit entries first."""
        return [items.audit_from(v) for v in self._index(items.AUDIT, newest_first=True, limit=limit)] \
            if limit > 0 else []


class DynamoAccounts(DynamoTables):
    """Admins and API token hashes."""

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
