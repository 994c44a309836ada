"""ImageStore on one S3 bucket: server-side encrypted, never public, keys made by Glimpse."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from webapp.backends.aws.clients import AwsClients, error_code, http_status, vendor_errors
from webapp.errors import BackendUnavailable, NotFound
from webapp.storage_keys import valid_key

# The API operations this adapter calls (the IAM policy test compares them with the policy).
CALLS = frozenset({"s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:DeleteObjects", "s3:ListObjectsV2"})
DELETE_BATCH = 1000  # DeleteObjects accepts at most 1,000 keys per request


def _check(key: str) -> str:
    """The key itself, or ValueError for anything Glimpse would never make."""
    if not valid_key(key):
        raise ValueError(f"invalid image key {key!r}")
    return key


class S3ImageStore:
    """Objects in one bucket; encryption is requested on every put (SSE-S3), no ACLs are set."""

    def __init__(self, clients: AwsClients, bucket: str):
        self.clients = clients
        self.bucket = bucket

    @property
    def _s3(self) -> Any:
        """The shared S3 client."""
        return self.clients.get("s3")

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store bytes under key, replacing what was there."""
        with vendor_errors("s3"):
            self._s3.put_object(
                Bucket=self.bucket, Key=_check(key), Body=data, ContentType=content_type,
                ServerSideEncryption="AES256",
            )

    def get(self, key: str) -> bytes:
        """The bytes under key, or NotFound."""
        with vendor_errors("s3"):
            try:
                response = self._s3.get_object(Bucket=self.bucket, Key=_check(key))
            except ClientError as exc:
                if error_code(exc) in ("NoSuchKey", "404", "NotFound") or http_status(exc) == 404:
                    raise NotFound("That image no longer exists.") from None
                raise
            data: bytes = response["Body"].read()
            return data

    def delete(self, key: str) -> None:
        """Remove one key; S3 treats a missing key as deleted already."""
        with vendor_errors("s3"):
            self._s3.delete_object(Bucket=self.bucket, Key=_check(key))

    def delete_prefix(self, prefix: str) -> int:
        """Remove every key under a prefix (a folder, or one key), in batches of 1,000."""
        keys = self.list(prefix)
        with vendor_errors("s3"):
            for start in range(0, len(keys), DELETE_BATCH):
                batch = [{"Key": k} for k in keys[start:start + DELETE_BATCH]]
                response = self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
                if response.get("Errors"):
                    code = response["Errors"][0].get("Code", "")
                    raise BackendUnavailable(f"Amazon S3 could not delete every image ({code}); try again.")
        return len(keys)

    def list(self, prefix: str = "") -> list[str]:
        """Every key under a prefix treated as a folder (like the disk store), sorted."""
        folder = _check(prefix.rstrip("/")) if prefix else ""
        keys: list[str] = []
        with vendor_errors("s3"):
            pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=folder)
            for page in pages:
                keys += [obj["Key"] for obj in page.get("Contents", [])]
        # "people/ab" must not match "people/abc/…": keep the key itself and what is below it.
        return sorted(k for k in keys if not folder or k == folder or k.startswith(folder + "/"))
