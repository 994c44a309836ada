"""The Lambda handler enrols from a synthetic S3 ObjectCreated event through the People service."""
from __future__ import annotations

import pytest

from tests.conftest import RED
from tests.fakes import make_photo
from webapp import create_app, lambda_handler


def _event(bucket: str, *keys: str) -> dict:
    """An S3 ObjectCreated:Put event as Lambda receives it (keys URL-encoded, spaces as +)."""
    return {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                         "s3": {"bucket": {"name": bucket}, "object": {"key": key.replace(" ", "+"), "size": 1}}}
                        for key in keys]}


@pytest.fixture
def lambda_app(world, aws_backend, monkeypatch):
    """create_app() replaced by one that builds the app over the world, counting its calls."""
    built = []

    def fake_create_app():
        app = create_app({**world.settings.__dict__}, backend=aws_backend)
        built.append(app)
        return app

    monkeypatch.setattr(lambda_handler, "_app", None)
    monkeypatch.setattr(lambda_handler, "create_app", fake_create_app)
    return built


def _drop(world, key: str, data: bytes) -> None:
    world.clients.get("s3").put_object(Bucket=world.settings.s3_bucket, Key=key, Body=data)


def test_photo_in_a_person_folder_enrols_that_person_and_is_deleted(world, aws_backend, lambda_app):
    bucket = world.settings.s3_bucket
    _drop(world, "enrol/Ada Lovelace/1.png", make_photo(RED))
    _drop(world, "enrol/Bob_Smith/empty.png", make_photo())
    result = lambda_handler.handler(_event(bucket, "enrol/Ada Lovelace/1.png", "enrol/Bob_Smith/empty.png"), None)
    enrolled, refused = result["results"]
    assert enrolled["status"] == "enrolled" and refused["status"] == "refused"
    (ada,) = aws_backend.people.list_people()
    assert ada.name == "Ada Lovelace" and ada.face_count == 1 and ada.consent_by == "s3 enrol"
    assert aws_backend.faces.face_ids() == enrolled["face_ids"]
    listed = world.clients.get("s3").list_objects_v2(Bucket=bucket, Prefix="enrol/")
    assert listed.get("KeyCount", 0) == 0  # the dropped photos do not outlive a forget


def test_app_is_built_once_per_container_and_not_at_import(world, lambda_app):
    assert lambda_handler._app is None
    _drop(world, "enrol/Ada/1.png", make_photo(RED))
    _drop(world, "enrol/ada/2.png", make_photo(RED))
    lambda_handler.handler(_event(world.settings.s3_bucket, "enrol/Ada/1.png"), None)
    second = lambda_handler.handler(_event(world.settings.s3_bucket, "enrol/ada/2.png"), None)
    assert len(lambda_app) == 1 and second["results"][0]["status"] == "skipped"


def test_keys_outside_the_enrol_folder_are_ignored(world, lambda_app):
    result = lambda_handler.handler(_event(world.settings.s3_bucket, "people/x/1.jpg", "enrol/flat.jpg"), None)
    assert [r["status"] for r in result["results"]] == ["ignored", "ignored"]
    assert lambda_handler.person_name("enrol/Jean-Luc_Picard/a.jpg") == "Jean-Luc Picard"
