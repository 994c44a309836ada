"""boto3 clients built lazily (once per process, under a lock) and vendor errors translated at the edge."""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from webapp.errors import BackendUnavailable

log = logging.getLogger(__name__)

# Standard retry mode backs off and retries throttling and 5xx on its own; what still fails
# after five attempts is reported to the user as "try again later".
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=30)

SERVICE_NAMES = {
    "s3": "Amazon S3",
    "rekognition": "Amazon Rekognition",
    "dynamodb": "Amazon DynamoDB",
    "sts": "AWS STS",
}
UNAVAILABLE_CODES = frozenset({
    "ThrottlingException", "Throttling", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
    "ServiceUnavailable", "ServiceUnavailableException", "InternalServerError", "InternalError",
    "SlowDown", "LimitExceededException",
})
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnrecognizedClientException",
                          "ExpiredToken", "ExpiredTokenException", "InvalidSignatureException"})


class AwsClients:
    """One boto3 client per service for this process; credentials come only from boto3's default chain."""

    def __init__(self, region: str = "", overrides: dict[str, Any] | None = None, session: Any = None):
        self.region = region or None  # None lets boto3 use AWS_REGION / ~/.aws/config
        self._overrides, self._given_session = dict(overrides or {}), session
        self._clients: dict[str, Any] = dict(self._overrides)
        self._session = session
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def get(self, service: str) -> Any:
        """The client for a service, created on first use (boto3 clients are thread-safe)."""
        if os.getpid() != self._pid:
            self._forget_parents_clients()
        client = self._clients.get(service)
        if client is not None:
            return client
        with self._lock:
            if service not in self._clients:
                # Our own Session, used only under this lock: boto3's default session is not thread-safe.
                self._session = self._session or boto3.session.Session()
                self._clients[service] = self._session.client(service, region_name=self.region, config=CLIENT_CONFIG)
            return self._clients[service]

    def _forget_parents_clients(self) -> None:
        """In a forked child (a gunicorn worker under --preload), drop the clients the parent made.

        A client's connection pool holds sockets: a child reusing them would read another
        worker's responses. create_app can make one in the master (the first admin's check).
        """
        self._clients, self._session = dict(self._overrides), self._given_session
        self._lock = threading.Lock()  # a lock another thread held at the fork stays held in the child
        self._pid = os.getpid()


def error_code(exc: ClientError) -> str:
    """The AWS error code of a ClientError."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def http_status(exc: ClientError) -> int:
    """The HTTP status of a ClientError (0 when unknown)."""
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def unavailable(service: str) -> BackendUnavailable:
    """The error shown when a service still fails after the retries."""
    return BackendUnavailable(f"{SERVICE_NAMES.get(service, service)} is unavailable right now; try again in a minute.")


def _translate(service: str, exc: Exception) -> BackendUnavailable:
    """The sentence for a botocore failure that no adapter gave a meaning to."""
    name = SERVICE_NAMES.get(service, service)
    if isinstance(exc, NoCredentialsError):
        return BackendUnavailable(f"No AWS credentials were found for {name}; give the instance a role.")
    if not isinstance(exc, ClientError):  # connection failures and timeouts
        return unavailable(service)
    code = error_code(exc)
    if code in UNAVAILABLE_CODES or http_status(exc) >= 500:
        return unavailable(service)
    if code in DENIED_CODES:
        return BackendUnavailable(f"{name} refused access ({code}); check the role's IAM policy.")
    if code == "ResourceNotFoundException":
        return BackendUnavailable(f"A {name} resource is missing; run `flask aws init`.")
    return BackendUnavailable(f"{name} refused the request ({code}); try again, and check the logs if it persists.")


@contextmanager
def vendor_errors(service: str, passthrough: Collection[str] = ()) -> Iterator[None]:
    """Turn every botocore failure into BackendUnavailable, logging the vendor's cause once, here.

    Adapters catch the ClientErrors that have a meaning (NoSuchKey, InvalidParameterException…)
    inside this block, before it sees them; codes in `passthrough` are left for the caller,
    which handles them just outside the block.
    """
    try:
        yield
    except ClientError as exc:
        if error_code(exc) in passthrough:
            raise
        log.warning("%s call failed: %s", SERVICE_NAMES.get(service, service), exc)
        raise _translate(service, exc) from exc
    except (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError,
            NoCredentialsError) as exc:
        log.warning("%s call failed: %s", SERVICE_NAMES.get(service, service), exc)
        raise _translate(service, exc) from exc
