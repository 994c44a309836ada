"""Admin accounts and API tokens (stored hashed, never in clear)."""
from __future__ import annotations

import hashlib
import re
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from webapp.backends.base import AccountStore
from webapp.errors import InvalidInput

MIN_PASSWORD = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def token_digest(token: str) -> str:
    """SHA-256 of an API token (tokens are random, so a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Admin login and API token use cases."""

    def __init__(self, store: AccountStore):
        self.store = store

    def create_admin(self, username: str, password: str) -> None:
        """Create (or reset) an admin with a hashed password."""
        if not _USERNAME.match(username or ""):
            raise InvalidInput("A username is 1-64 letters, digits or . _ @ -.")
        if len(password or "") < MIN_PASSWORD:
            raise InvalidInput(f"The password must be at least {MIN_PASSWORD} characters long.")
        self.store.add_admin(username, generate_password_hash(password))

    def ensure_first_admin(self, password: str) -> bool:
        """Create 'admin' from GLIMPSE_ADMIN_PASSWORD when no admin exists yet."""
        if not password or self.store.count_admins() > 0:
            return False
        self.create_admin("admin", password)
        return True

    def check_login(self, username: str, password: str) -> bool:
        """Whether the username and password belong to an admin."""
        stored = self.store.admin_password_hash(username or "")
        if stored is None:
            return False
        return check_password_hash(stored, password or "")

    def create_token(self, label: str) -> tuple[str, str]:
        """A new API token: returns (token id, token); only its hash is stored."""
        token_id = secrets.token_hex(4)
        token = f"glm_{token_id}_{secrets.token_urlsafe(32)}"
        self.store.add_token(token_id, token_digest(token), label or "")
        return token_id, token

    def revoke_token(self, token_id: str) -> bool:
        """Revoke a token by id."""
        return self.store.revoke_token(token_id)

    def token_is_valid(self, token: str) -> bool:
        """Whether a presented bearer token is live."""
        if not token or not token.startswith("glm_"):
            return False
        return self.store.token_exists(token_digest(token))

