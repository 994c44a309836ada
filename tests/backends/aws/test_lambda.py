"""The Lambda handler enrols from a synthetic S3 ObjectCreated event through the People service."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import pytest

from tests.backends.aws.lagging import lag_indexes
from tests.conftest import RED
from tests.fakes import make_photo
from webapp import create_app, lambda_handler
from webapp.errors import BackendUnavailable


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
    assert refused["kept_at"] == "failed/Bob_Smith/empty.png"  # the refused one waits for an admin


def test_app_is_built_once_per_container_and_not_at_import(world, lambda_app):
    assert lambda_handler._app is None
    _drop(world, "enrol/Ada/1.png", make_photo(RED))
    _drop(world, "enrol/ada/2.png", make_photo(RED))
    lambda_handler.handler(_event(world.settings.s3_bucket, "enrol/Ada/1.png"), None)
    second = lambda_handler.handler(_event(world.settings.s3_bucket, "enrol/ada/2.png"), None)
    assert len(lambda_app) == 1 and second["results"][0]["status"] == "enrolled"


def test_keys_outside_the_enrol_folder_are_ignored(world, lambda_app):
    result = lambda_handler.handler(_event(world.settings.s3_bucket, "people/x/1.jpg", "enrol/flat.jpg"), None)
    assert [r["status"] for r in result["results"]] == ["ignored", "ignored"]
    assert lambda_handler.person_name("enrol/Jean-Luc_Picard/a.jpg") == "Jean-Luc Picard"


def _people(backend) -> list[tuple[str, int]]:
    return [(p.name, p.face_count) for p in backend.people.list_people()]


def test_photos_of_one_folder_add_their_faces_to_one_person(world, aws_backend, lambda_app):
    bucket = world.settings.s3_bucket
    for key in ("enrol/Ada_Lovelace/1.png", "enrol/ada_lovelace/2.png", "enrol/Ada_Lovelace/3.png"):
        _drop(world, key, make_photo(RED))
        (result,) = lambda_handler.handler(_event(bucket, key), None)["results"]
        assert result["status"] == "enrolled", result
    assert _people(aws_backend) == [("Ada Lovelace", 3)]


def test_photos_of_one_new_person_handled_at_once_make_one_person(world, aws_backend, lambda_app, monkeypatch):
    bucket, keys = world.settings.s3_bucket, ["enrol/Ada/1.png", "enrol/Ada/2.png"]
    for key in keys:
        _drop(world, key, make_photo(RED))
    lambda_handler._get_app()
    services = lambda_app[0].extensions["services"]
    both_checked = threading.Barrier(2, timeout=30)
    choose = services.people.choose

    def choose_together(photos):  # both invocations have seen "no such person" before either claims
        chosen = choose(photos)
        both_checked.wait()
        return chosen

    monkeypatch.setattr(services.people, "choose", choose_together)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda key: lambda_handler.handler(_event(bucket, key), None), keys))
    assert [r["results"][0]["status"] for r in results] == ["enrolled", "enrolled"]
    assert _people(aws_backend) == [("Ada", 2)]
    assert results[0]["results"][0]["person_id"] == results[1]["results"][0]["person_id"]


def test_a_repeated_event_for_a_handled_photo_changes_nothing(world, aws_backend, lambda_app):
    event = _event(world.settings.s3_bucket, "enrol/Ada/1.png")
    _drop(world, "enrol/Ada/1.png", make_photo(RED))
    lambda_handler.handler(event, None)
    (again,) = lambda_handler.handler(event, None)["results"]  # S3 delivers at least once
    assert again["status"] == "gone" and _people(aws_backend) == [("Ada", 1)]


def test_a_transient_failure_keeps_the_photo_and_fails_the_event_for_a_retry(world, aws_backend, lambda_app):
    _drop(world, "enrol/Ada/1.png", make_photo(RED))
    world.rekognition.fail("IndexFaces", "ThrottlingException")
    with pytest.raises(BackendUnavailable):
        lambda_handler.handler(_event(world.settings.s3_bucket, "enrol/Ada/1.png"), None)
    assert _people(aws_backend) == [] and aws_backend.faces.face_ids() == []
    (retried,) = lambda_handler.handler(_event(world.settings.s3_bucket, "enrol/Ada/1.png"), None)["results"]
    assert retried["status"] == "enrolled" and _people(aws_backend) == [("Ada", 1)]


def test_a_refused_photo_waits_under_failed_with_its_reason(world, lambda_app):
    bucket = world.settings.s3_bucket
    _drop(world, "enrol/Bob/empty.png", make_photo())
    (result,) = lambda_handler.handler(_event(bucket, "enrol/Bob/empty.png"), None)["results"]
    kept = world.clients.get("s3").get_object(Bucket=bucket, Key=result["kept_at"])
    assert unquote(kept["Metadata"]["glimpse-reason"]) == result["reason"] and "No face" in result["reason"]
    assert kept["Body"].read() == make_photo()
    assert world.clients.get("s3").list_objects_v2(Bucket=bucket, Prefix="enrol/").get("KeyCount", 0) == 0


def test_a_name_enrolled_from_the_admin_page_is_not_joined_by_a_drop(world, aws_backend, lambda_app):
    lambda_handler._get_app().extensions["services"].people.enrol("Ada", [("a.png", make_photo(RED))], True, "admin")
    _drop(world, "enrol/Ada/1.png", make_photo(RED))
    (result,) = lambda_handler.handler(_event(world.settings.s3_bucket, "enrol/Ada/1.png"), None)["results"]
    assert result["status"] == "refused" and "admin page" in result["reason"]
    assert _people(aws_backend) == [("Ada", 1)]


def test_the_folders_person_is_found_even_while_the_index_lags(world, aws_backend, lambda_app):
    lagging = lag_indexes(world)
    lagging.freeze(world.settings.dynamodb_table, world.settings.dynamodb_faces_table)  # sees no Ada, ever
    for key in ("enrol/Ada/1.png", "enrol/Ada/2.png"):
        _drop(world, key, make_photo(RED))
        lambda_handler.handler(_event(world.settings.s3_bucket, key), None)
    lagging.freeze(world.settings.dynamodb_table)  # now let the list catch up
    assert _people(aws_backend) == [("Ada", 2)]
