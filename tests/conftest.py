"""Shared fixtures: an app on a fake engine with real disk, SQLite and vector index."""
from __future__ import annotations

import re

import pytest

from tests.fakes import FakeEngine, FakeLabels, FakeModeration, FakeText
from webapp import create_app
from webapp.backends.base import Backend
from webapp.backends.local import directory_ports, wire_capabilities
from webapp.backends.local.disk_store import DiskImageStore
from webapp.backends.local.face_collection import LocalFaceCollection
from webapp.backends.local.vector_index import VectorIndex
from webapp.config import load_settings

ADMIN_PASSWORD = "correct horse battery"
RED, GREEN, BLUE = (220, 20, 20), (20, 200, 20), (20, 20, 220)


def build_fake_backend(data_dir, engine: str = "fake-engine-1", collection: str = "glimpse") -> Backend:
    """Real store, directory, index and wire collections; fake face engine (faceprints tagged `engine`) and labels."""
    index, fake = VectorIndex(data_dir / "vectors.sqlite3", engine=engine), FakeEngine()
    faces = LocalFaceCollection(fake, index)
    settings = load_settings(environ={}, overrides={"data_dir": data_dir, "rekognition_collection": collection})
    return Backend(
        name="local", store=DiskImageStore(data_dir / "images"), faces=faces, labels=FakeLabels(),
        text=FakeText(), moderation=FakeModeration(),
        **directory_ports(data_dir / "glimpse.sqlite3"), faceprints=faces, vector_index=index,
        unknown_prints=LocalFaceCollection(fake, VectorIndex(data_dir / "unknown.sqlite3", engine=engine)),
        **wire_capabilities(settings, faces),
    )


@pytest.fixture
def data_dir(tmp_path):
    """A fresh data directory per test."""
    return tmp_path / "data"


@pytest.fixture
def backend(data_dir):
    """The fake-engine backend over a fresh data directory."""
    return build_fake_backend(data_dir)


@pytest.fixture
def app(data_dir, backend):
    """An app with one admin ('admin' / ADMIN_PASSWORD)."""
    overrides = {"data_dir": data_dir, "testing": True, "secret_key": "test-secret", "admin_password": ADMIN_PASSWORD}
    return create_app(overrides, backend=backend)


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def services(app):
    """The services of the app."""
    return app.extensions["services"]


def csrf_token(client, path: str) -> str:
    """GET a page and pull the CSRF token out of its form."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    """Log the test client in and out as the admin."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str = "admin", password: str = ADMIN_PASSWORD):
        """Post the login form with its CSRF token."""
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def auth(client):
    """Login helper."""
    return AuthActions(client)
