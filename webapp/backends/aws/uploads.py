"""Objects dropped into the bucket by people (Lambda enrolment): read once, then deleted."""
from __future__ import annotations

from botocore.exceptions import ClientError

from webapp.backends.aws.clients import AwsClients, error_code, vendor_errors
from webapp.errors import NotFound

CALLS = frozenset({"s3:GetObject", "s3:DeleteObject"})
MAX_UPLOAD = 50 * 1024 * 1024  # read no more than this: the service checks the real limit


class S3Uploads:
    """Raw objects under a user-chosen key (the enrol/ folder), unlike the id-keyed image store."""

    def __init__(self, clients: AwsClients):
        self.clients = clients

    def read(self, bucket: str, key: str) -> bytes:
        """The object's bytes, or NotFound."""
        with vendor_errors("s3"):
            try:
                body = self.clients.get("s3").get_object(Bucket=bucket, Key=key)["Body"]
            except ClientError as exc:
                if error_code(exc) in ("NoSuchKey", "404"):
                    raise NotFound(f"s3://{bucket}/{key} no longer exists.") from None
                raise
            data: bytes = body.read(MAX_UPLOAD + 1)
            return data

    def delete(self, bucket: str, key: str) -> None:
        """Remove the dropped object (its face now lives under people/, or was refused)."""
        with vendor_errors("s3"):
            self.clients.get("s3").delete_object(Bucket=bucket, Key=key)
