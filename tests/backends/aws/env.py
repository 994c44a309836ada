"""An AWS world for tests: moto S3 and DynamoDB, the fake Rekognition, and the resources made by `aws init`."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from moto import mock_aws

from tests.backends.aws.fake_rekognition import FakeRekognition
from webapp.backends import aws
from webapp.backends.aws.clients import AwsClients
from webapp.backends.aws.provision import init_resources
from webapp.backends.base import Backend
from webapp.config import Settings, load_settings

AWS_SETTINGS = {"backend": "aws", "s3_bucket": "glimpse-test-images", "secret_key": "test-secret",
                "aws_region": "us-east-1", "testing": True}
_SESSION: list[boto3.session.Session] = []  # one session for all tests: its loader caches the service models
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@dataclass
class AwsWorld:
    """What a test needs to build and inspect an AWS-mode backend."""

    settings: Settings
    clients: AwsClients
    rekognition: FakeRekognition

    def backend(self) -> Backend:
        """The real AWS adapters over moto and the fake Rekognition."""
        return aws.build(self.settings, self.clients)


def use_fake_credentials(monkeypatch) -> None:
    """Fake credentials and region so boto3 never finds real ones (moto intercepts every call)."""
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@contextmanager
def aws_world(data_dir, provision: bool = True, **overrides) -> Iterator[AwsWorld]:
    """Inside mock_aws: settings, clients with the fake Rekognition, and (by default) the resources."""
    with mock_aws():
        settings = load_settings(environ={}, overrides={**AWS_SETTINGS, "data_dir": data_dir, **overrides})
        fake = FakeRekognition()
        if not _SESSION:
            _SESSION.append(boto3.session.Session())
        clients = AwsClients(settings.aws_region, overrides={"rekognition": fake}, session=_SESSION[0])
        if provision:
            init_resources(settings, clients)
        yield AwsWorld(settings, clients, fake)
