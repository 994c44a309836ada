"""Fixtures: an access key, and boto3 clients whose requests go through the app's test client.

boto3 signs and serialises each request as it would for AWS; a `before-send` hook hands it
to Flask's test client instead of the network, and boto3 parses the answer as usual. The
end-to-end tests over real HTTP are in test_clients.py.
"""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config

ENDPOINT = "http://localhost"


class _Raw:
    """The little of urllib3's response that botocore reads."""

    def __init__(self, data: bytes):
        self.data = data

    def stream(self, *args, **kwargs):
        """The body in one chunk."""
        yield self.data


def routed_client(flask_client, key_id: str, secret: str, region: str = "us-east-1"):
    """A boto3 Rekognition client whose HTTP requests are served by a Flask test client."""
    session = boto3.session.Session(aws_access_key_id=key_id, aws_secret_access_key=secret, region_name=region)
    client = session.client("rekognition", endpoint_url=ENDPOINT, config=Config(retries={"max_attempts": 1}))

    answers: list[tuple[str, bytes]] = []

    def send(request, **kwargs):
        path = request.url[len(ENDPOINT):] or "/"
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        response = flask_client.open(path, method=request.method, data=request.body or b"", headers=headers)
        if response.status_code == 200:
            answers.append((headers["X-Amz-Target"].split(".", 1)[1], response.data))
        return AWSResponse(request.url, response.status_code, dict(response.headers), _Raw(response.data))

    client.meta.events.register("before-send.rekognition", send)
    client.glimpse_answers = answers  # every successful answer, checked against the model by the `rek` fixture
    return client


def nonconforming(answers: list[tuple[str, bytes]]) -> list[str]:
    """Problems of raw answers against their operations' output shapes (empty when all conform)."""
    from webapp.rekognition import model

    return [f"{op}: {p}" for op, data in answers for p in model.response_problems(model.operation(op),
                                                                                    json.loads(data))]


@pytest.fixture
def access_key(services):
    """A fresh access key (id, secret)."""
    key, secret = services.access_keys.create("tests")
    return key.id, secret


@pytest.fixture
def rek(client, access_key):
    """A boto3 Rekognition client signed with a valid key, served in process; every answer must fit the model."""
    rekognition = routed_client(client, *access_key)
    yield rekognition
    assert nonconforming(rekognition.glimpse_answers) == []


def signed_post(flask_client, operation: str, body: bytes | str, key_id: str, secret: str, region: str = "us-east-1",
                headers: dict | None = None):
    """POST a raw body signed by botocore's SigV4 signer (to send what boto3 itself would refuse to)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    data = body.encode() if isinstance(body, str) else body
    request = AWSRequest("POST", ENDPOINT + "/", data=data, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"RekognitionService.{operation}",
        **(headers or {})})
    SigV4Auth(Credentials(key_id, secret), "rekognition", region).add_auth(request)
    return flask_client.post("/", data=data, headers=dict(request.headers.items()))


@pytest.fixture
def post(client, access_key):
    """signed_post bound to the test client and a valid key: post(operation, body) -> response."""
    return lambda operation, body, **kw: signed_post(client, operation, body, *access_key, **kw)
