"""Access keys for the Rekognition endpoint: create, list, revoke, and the secret to check a signature.

The secret of a key is never stored: it is derived with HKDF-SHA256 (RFC 5869) from the
app's secret key (GLIMPSE_SECRET_KEY, or the per-install key file in local mode) and the
key id. A leaked database holds key ids, labels and dates only; without the secret key,
which lives apart from the data, nobody can sign a request. Rotating the secret key
invalidates every access key at once (create new ones).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from webapp.backends.base import AccessKeyStore
from webapp.domain import AccessKey
from webapp.errors import InvalidInput

KEY_PREFIX = "GLMP"  # AWS key ids are 20 upper-case characters; ours look alike and say where they come from
_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SALT = b"glimpse rekognition access keys"
MAX_LABEL = 100


def _hkdf(master: bytes, info: bytes, length: int = 32) -> bytes:
    """HKDF-SHA256 extract-then-expand (RFC 5869) for up to one hash length of output."""
    prk = hmac.new(_SALT, master, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()[:length]


class AccessKeys:
    """The access-key use cases over the key store and the app's secret key."""

    def __init__(self, store: AccessKeyStore, master_secret: str):
        self.store = store
        self._master = master_secret.encode("utf-8")

    def secret(self, key_id: str) -> str:
        """The secret access key of a key id: 40 characters, like AWS's."""
        return base64.b64encode(_hkdf(self._master, key_id.encode("ascii"))).decode("ascii")[:40]

    def create(self, label: str) -> tuple[AccessKey, str]:
        """A new key and its secret (shown once; it can be derived again only with the secret key)."""
        label = " ".join((label or "").split())
        if len(label) > MAX_LABEL:
            raise InvalidInput(f"The label is too long (at most {MAX_LABEL} characters).")
        key_id = KEY_PREFIX + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
        key = self.store.add(key_id, label)
        return key, self.secret(key_id)

    def list(self) -> list[AccessKey]:
        """Every key, revoked ones included."""
        return self.store.list()

    def revoke(self, key_id: str) -> bool:
        """Revoke a key; False if there is no live key with that id."""
        return self.store.revoke(key_id)

    def lookup(self, key_id: str) -> tuple[AccessKey, str] | None:
        """The key (maybe revoked) and its secret, or None for an id Glimpse never issued."""
        key = self.store.get(key_id) if key_id.isascii() else None
        return None if key is None else (key, self.secret(key_id))
