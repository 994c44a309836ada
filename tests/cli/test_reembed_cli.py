"""flask index reembed: faceprints of another engine are redone from the stored photos, resumably."""
from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import BLUE, GREEN, RED, build_fake_backend
from tests.fakes import make_photo
from tests.photos import photo_path
from webapp import create_app
from webapp.backends.local.vector_schema import LEGACY_ENGINE
from webapp.services.reembed import Reembedder

COLOURS = {"Ada": RED, "Grace": GREEN, "Linus": BLUE}


def _app(data_dir, engine: str):
    """An app over the data directory whose face engine tags its faceprints `engine`."""
    overrides = {"data_dir": data_dir, "testing": True, "secret_key": "test-secret"}
    return create_app(overrides, backend=build_fake_backend(data_dir, engine))


def _names_found(app) -> dict[str, str | None]:
    """Who each person's stored enrolment photo is recognised as now.

    The stored copy, not the PNG enrolled: it is a JPEG, and the fake engine's faceprint
    changes with the slightest colour shift (a real one barely moves).
    """
    services = app.extensions["services"]
    out = {}
    for person in services.people.list():
        record = services.people.faces(person.id)[0]
        photo = services.recognizer.decode(services.backend.store.get(record.image_key))
        faces = services.recognizer.recognize(photo).faces
        out[person.name] = faces[0].person_name
    return out


@pytest.fixture
def enrolled(data_dir):
    """Three people enrolled by engine 1; returns the data directory."""
    people = _app(data_dir, "fake-engine-1").extensions["services"].people
    for name, colour in COLOURS.items():
        people.enrol(name, [(f"{name}.png", make_photo(colour))], True, "t")
    return data_dir


def test_faces_of_another_engine_are_not_searched_until_reembedded(enrolled):
    app = _app(enrolled, "fake-engine-2")
    assert _names_found(app) == dict.fromkeys(COLOURS)
    status = app.test_cli_runner().invoke(args=["index", "status"])
    assert "3 faceprint(s) made by another engine" in status.output and "flask index reembed" in status.output
    result = app.test_cli_runner().invoke(args=["index", "reembed"])
    assert result.exit_code == 0, result.output
    assert "Re-embedded 3 of 3 face(s) with fake-engine-2" in result.output
    assert _names_found(app) == {name: name for name in COLOURS}
    again = app.test_cli_runner().invoke(args=["index", "reembed"])
    assert "nothing to do" in again.output


def test_interrupted_reembed_loses_nothing_and_a_second_run_finishes(enrolled, monkeypatch):
    app = _app(enrolled, "fake-engine-2")
    backend = app.extensions["services"].backend
    before = sorted(backend.vector_index.ids())
    real, calls = Reembedder.reembed, []

    def dies_on_the_second_face(self, record):
        calls.append(record.face_id)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C between two faces
        return real(self, record)

    monkeypatch.setattr(Reembedder, "reembed", dies_on_the_second_face)
    result = app.test_cli_runner().invoke(args=["index", "reembed"])
    assert result.exit_code == 1 and "Aborted" in result.output  # click's answer to Ctrl-C
    # Nothing lost: every faceprint and every face row is still there, one of them already redone.
    assert sorted(backend.vector_index.ids()) == before
    assert sorted(backend.people.all_face_ids()) == before
    assert len(backend.vector_index.stale_ids()) == 2
    assert list(_names_found(app).values()).count(None) == 2
    monkeypatch.setattr(Reembedder, "reembed", real)
    result = app.test_cli_runner().invoke(args=["index", "reembed"])
    assert result.exit_code == 0 and "Re-embedded 2 of 2" in result.output
    assert _names_found(app) == {name: name for name in COLOURS}
    assert sorted(backend.vector_index.ids()) == before


def test_a_face_whose_stored_images_are_gone_is_reported_and_kept(enrolled):
    app = _app(enrolled, "fake-engine-2")
    backend = app.extensions["services"].backend
    record = backend.people.faces_of(backend.people.list_people()[0].id)[0]
    backend.store.delete(record.image_key)
    backend.store.delete(record.crop_key)
    result = app.test_cli_runner().invoke(args=["index", "reembed"])
    assert result.exit_code == 1
    assert "Re-embedded 2 of 3" in result.output and record.face_id in result.output
    assert record.face_id in backend.vector_index.stale_ids()  # kept as it was, not deleted


@pytest.mark.model
def test_an_install_upgraded_from_sface_alone_is_searchable_again_after_reembed(tmp_path):
    app = create_app({"data_dir": tmp_path / "data", "testing": True, "secret_key": "test-secret"})
    services = app.extensions["services"]
    services.people.enrol("Barack Obama", [("obama.jpg", photo_path("obama.jpg").read_bytes())], True, "t")
    # What an older install left: the row tagged with the engine of before (SFace alone, 128-d).
    with sqlite3.connect(tmp_path / "data" / "vectors.sqlite3") as db:
        db.execute("UPDATE vectors SET engine = ?, vector = zeroblob(512)", (LEGACY_ENGINE,))
        db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
    probe = services.recognizer.decode(photo_path("obama2.jpg").read_bytes())
    assert services.recognizer.recognize(probe).faces[0].person_name is None
    result = app.test_cli_runner().invoke(args=["index", "reembed"])
    assert result.exit_code == 0 and "Re-embedded 1 of 1" in result.output, result.output
    assert services.recognizer.recognize(probe).faces[0].person_name == "Barack Obama"
