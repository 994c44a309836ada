"""The AuditLog and AccountStore ports on DynamoDB's main table."""
from __future__ import annotations

from uuid import uuid4

from webapp.backends.aws import dynamo_items as items
from webapp.backends.aws.dynamo_items import ADMINS, MAIN_GSI, key, to_item
from webapp.backends.aws.dynamo_tables import DynamoTables, now_text
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
    """Admins and API token hashes; what must be exact is read consistently, never from gsi1."""

    def add_admin(self, username: str, password_hash: str) -> None:
        """Create or replace an admin, with its marker in the ADMINS partition (what count_admins reads)."""
        admin = {"pk": f"ADMIN#{username}", "sk": "ADMIN", "gsi1pk": "ADMINS", "gsi1sk": username,
                 "username": username, "password_hash": password_hash, "created_at": now_text()}
        self._transact([{"Put": {"TableName": self.table, "Item": to_item(admin)}},
                        {"Put": {"TableName": self.table, "Item": to_item({"pk": ADMINS, "sk": username})}}])

    def admin_password_hash(self, username: str) -> str | None:
        """The hash for username, or None."""
        values = self._get(f"ADMIN#{username}", "ADMIN")
        return values["password_hash"] if values else None

    def count_admins(self) -> int:
        """How many admins exist: their markers, read consistently (gsi1 only for admins made before markers)."""
        marked = self.db.count(TableName=self.table, KeyConditionExpression="pk = :p", ConsistentRead=True,
                               ExpressionAttributeValues=to_item({":p": ADMINS}))
        return marked or self.db.count(TableName=self.table, IndexName=MAIN_GSI, KeyConditionExpression="gsi1pk = :p",
                                       ExpressionAttributeValues=to_item({":p": ADMINS}))

    def add_token(self, token_id: str, token_hash: str, label: str) -> None:
        """Store an API token hash (keyed by the hash: checking a token is one read) and an item keyed by its id."""
        token = {"pk": f"TOKEN#{token_hash}", "sk": "TOKEN", "gsi1pk": f"TOKENID#{token_id}", "gsi1sk": "TOKEN",
                 "token_id": token_id, "label": label, "created_at": now_text()}
        by_id = {"pk": f"TOKENID#{token_id}", "sk": "TOKEN", "token_hash": token_hash}
        self._transact([{"Put": {"TableName": self.table, "Item": to_item(token)}},
                        {"Put": {"TableName": self.table, "Item": to_item(by_id)}}])

    def token_exists(self, token_hash: str) -> bool:
        """Whether a token with this hash exists."""
        return self._get(f"TOKEN#{token_hash}", "TOKEN") is not None

    def revoke_token(self, token_id: str) -> bool:
        """Delete a token found by its id (a consistent read); False if there was none.

        A token made a moment ago is found at once, so revoking it really revokes it. Tokens
        made before the by-id items existed are still found through gsi1.
        """
        by_id = self._get(f"TOKENID#{token_id}", "TOKEN")
        found = [key(f"TOKEN#{by_id['token_hash']}", "TOKEN"), key(f"TOKENID#{token_id}", "TOKEN")] if by_id else [
            key(v["pk"], v["sk"]) for v in self._index(f"TOKENID#{token_id}")]
        for item_key in found:
            self.db.call("delete_item", TableName=self.table, Key=item_key)
        return bool(found)
