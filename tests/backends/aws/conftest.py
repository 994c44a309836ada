"""Fixtures for the AWS adapters: moto for S3/DynamoDB, the fake for Rekognition."""
from __future__ import annotations

import pytest

from tests.backends.aws.env import aws_world, use_fake_credentials


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A provisioned AWS world (bucket, collection, tables) that vanishes after the test."""
    use_fake_credentials(monkeypatch)
    with aws_world(tmp_path / "data") as w:
        yield w


@pytest.fixture
def aws_backend(world):
    """The AWS backend over the world."""
    return world.backend()
