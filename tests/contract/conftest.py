"""One behaviour suite, two backends: "local" (fake engine, disk, SQLite) and "aws" (moto + fake Rekognition)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from tests.backends.aws.env import aws_world, use_fake_credentials
from tests.conftest import ADMIN_PASSWORD, build_fake_backend
from webapp import create_app
from webapp.backends.base import Backend
from webapp.extensions import AppServices


@dataclass
class Subject:
    """An app over one backend, and its services."""

    app: Flask
    backend: Backend

    @property
    def services(self) -> AppServices:
        """The services of the app."""
        return self.app.extensions["services"]


@pytest.fixture(params=["local", "aws"])
def subject(request, tmp_path, monkeypatch):
    """The same app on each backend in turn."""
    data_dir = tmp_path / "data"
    common = {"data_dir": data_dir, "testing": True, "secret_key": "test-secret", "admin_password": ADMIN_PASSWORD}
    if request.param == "local":
        backend = build_fake_backend(data_dir)
        yield Subject(create_app(common, backend=backend), backend)
        return
    use_fake_credentials(monkeypatch)
    with aws_world(data_dir) as world:
        backend = world.backend()
        yield Subject(create_app({**world.settings.__dict__, **common}, backend=backend), backend)
