"""`flask people import` is resumable: re-running adds only what is missing and never duplicates."""
from __future__ import annotations

import pytest

from tests.conftest import BLUE, GREEN, RED
from tests.fakes import make_photo
from webapp.services import importer as importer_module


def _write(root, relative, data):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.fixture
def folder(tmp_path):
    _write(tmp_path, "set/Ada Lovelace/1.png", make_photo(RED))
    _write(tmp_path, "set/Ada Lovelace/2.png", make_photo(RED, size=(420, 300)))
    _write(tmp_path, "set/Bob Byte/1.png", make_photo(BLUE))
    return tmp_path / "set"


def _import(runner, folder, *extra):
    result = runner.invoke(args=["people", "import", str(folder), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_running_an_import_twice_adds_nothing_the_second_time(runner, services, folder):
    _import(runner, folder)
    again = _import(runner, folder)
    assert "added 0 face(s)" in again and "skipped 2 photo(s) of Ada Lovelace imported before" in again
    assert [(p.name, p.face_count) for p in services.people.list()] == [("Ada Lovelace", 2), ("Bob Byte", 1)]


def test_an_interrupted_import_is_completed_by_the_next_run(runner, services, folder, monkeypatch):
    real = services.people.store_face
    calls = []

    def dies_on_the_third_face(*args):
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt  # kill -9 stands in here: nothing after this point runs
        return real(*args)

    monkeypatch.setattr(services.people, "store_face", dies_on_the_third_face)
    runner.invoke(args=["people", "import", str(folder)])
    monkeypatch.undo()
    # Bob's person was made and tied to his folder; his face was not stored
    assert [(p.name, p.face_count) for p in services.people.list()] == [("Ada Lovelace", 2), ("Bob Byte", 0)]
    output = _import(runner, folder)
    assert "added 1 face(s)" in output
    assert [(p.name, p.face_count) for p in services.people.list()] == [("Ada Lovelace", 2), ("Bob Byte", 1)]


def test_new_photos_in_a_folder_are_added_to_the_person_made_from_it(runner, services, folder):
    _import(runner, folder)
    (ada,) = [p for p in services.people.list() if p.name == "Ada Lovelace"]
    services.fixes.rename(ada.id, "Ada King", "admin")  # the folder key, not the name, ties them
    _write(folder, "Ada Lovelace/3.png", make_photo(RED, size=(440, 300)))
    assert "added 1 face(s)" in _import(runner, folder)
    assert services.people.get(ada.id).face_count == 3 and len(services.people.list()) == 2


def test_dry_run_says_what_it_would_do_and_changes_nothing(runner, services, folder):
    output = _import(runner, folder, "--dry-run")
    assert "would Ada Lovelace: create with 2 photo(s)" in output and "would Bob Byte: create with 1" in output
    assert services.people.list() == []
    _import(runner, folder)
    _write(folder, "Bob Byte/2.png", make_photo(BLUE, size=(440, 300)))
    output = _import(runner, folder, "--dry-run")
    assert "would Bob Byte: add 1 photo(s) (1 imported before)" in output
    assert "would Ada Lovelace: nothing to add (2 photo(s) imported before)" in output


def test_a_name_enrolled_another_way_is_not_duplicated(runner, services, folder):
    services.people.enrol("Bob Byte", [("b.png", make_photo(GREEN))], True, "admin")
    output = _import(runner, folder)
    assert "refused Bob Byte: Bob Byte is enrolled already" in output
    assert sorted(p.name for p in services.people.list()) == ["Ada Lovelace", "Bob Byte"]


def test_two_imports_racing_for_one_folder_make_one_person(services, folder):
    first, second = services.importer.plan(folder)[0], services.importer.plan(folder)[0]
    assert first.person is None and second.person is None  # both planned before either ran
    services.importer.run(first, "one")
    services.importer.run(second, "two")
    (ada,) = [p for p in services.people.list() if p.name == "Ada Lovelace"]
    assert ada.face_count == 2  # the second run found the first one's person and photos
    assert importer_module.folder_key("ada lovelace") == first.key


def test_the_same_photo_twice_in_a_folder_is_imported_once(runner, services, folder):
    _write(folder, "Bob Byte/copy.png", (folder / "Bob Byte/1.png").read_bytes())
    _import(runner, folder)
    assert [p.face_count for p in services.people.list() if p.name == "Bob Byte"] == [1]
