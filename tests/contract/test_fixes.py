"""Fixing people in every backend: rename, merge, move a face, remove a face — and resuming a half-done one."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import BLUE, GREEN, RED
from tests.contract.helpers import enrol, names
from tests.fakes import make_photo
from webapp.domain import HistoryFilter
from webapp.errors import InvalidInput, NotFound
from webapp.services.fixes import STEPS


def _analyse(subject, *colours):
    return subject.services.recognizer.analyse(make_photo(*colours), "p.png", "visitor:v")


def _face_of(subject, person_id: str, colour_photo_index: int = 0) -> str:
    return subject.backend.people.faces_of(person_id)[colour_photo_index].face_id


def _healthy(subject) -> bool:
    subject.services.doctor.grace = timedelta(0)
    return subject.services.doctor.check().ok


def test_rename_shows_the_new_name_everywhere(subject):
    ada = enrol(subject, "Ada", (RED,)).person
    past = _analyse(subject, RED)
    renamed = subject.services.fixes.rename(ada.id, "  Ada   King ", "admin")
    assert renamed.name == "Ada King" and [p.name for p in subject.services.people.list()] == ["Ada King"]
    assert names(subject.services.recognizer.get(past.id)) == ["Ada King"]
    assert names(_analyse(subject, RED)) == ["Ada King"]
    assert subject.services.people.audit_log(1)[0].action == "rename"
    with pytest.raises(InvalidInput):
        subject.services.fixes.rename(ada.id, "", "admin")


def test_merge_keeps_every_face_under_one_person_and_renames_past_analyses(subject):
    ada, lovelace = enrol(subject, "Ada", (RED,)).person, enrol(subject, "A. Lovelace", (BLUE,)).person
    past = _analyse(subject, RED, BLUE)
    merged = subject.services.fixes.merge(ada.id, lovelace.id, "admin")
    assert merged.id == lovelace.id and merged.face_count == 2
    assert [p.id for p in subject.services.people.list()] == [lovelace.id]
    assert names(subject.services.recognizer.get(past.id)) == ["A. Lovelace", "A. Lovelace"]
    assert names(_analyse(subject, RED)) == ["A. Lovelace"]  # the merged faceprint names the survivor
    history = subject.services.recognizer.history(10, HistoryFilter(person_id=lovelace.id))
    assert past.id in [a.id for a in history]
    assert subject.services.recognizer.history(10, HistoryFilter(person_id=ada.id)) == []
    assert subject.services.people.audit_log(1)[0].action == "merge"
    assert subject.backend.journal.pending() == [] and _healthy(subject)


def test_forgetting_after_a_merge_deletes_the_merged_faces_images_too(subject):
    ada, lovelace = enrol(subject, "Ada", (RED,)).person, enrol(subject, "A. Lovelace", (BLUE,)).person
    subject.services.fixes.merge(ada.id, lovelace.id, "admin")
    subject.services.people.forget(lovelace.id)
    assert subject.backend.store.list("people") == [] and subject.backend.faces.face_ids() == []


def test_move_a_face_to_another_person(subject):
    ada = enrol(subject, "Ada", (RED,), (GREEN,)).person
    bob = enrol(subject, "Bob", (BLUE,)).person
    green = _face_of(subject, ada.id, 1)
    past = _analyse(subject, GREEN, RED)
    assert names(past) == ["Ada", "Ada"]
    subject.services.fixes.move_face(ada.id, green, bob.id, "admin")
    assert names(subject.services.recognizer.get(past.id)) == ["Bob", "Ada"]  # only the face matched through it
    assert names(_analyse(subject, GREEN)) == ["Bob"]
    assert subject.services.people.get(ada.id).face_count == 1 and subject.services.people.get(bob.id).face_count == 2
    assert _healthy(subject)


def test_remove_one_face(subject):
    ada = enrol(subject, "Ada", (RED,), (GREEN,)).person
    green = _face_of(subject, ada.id, 1)
    images = [f for f in subject.backend.store.list("people") if green in f]
    past = _analyse(subject, GREEN, RED)
    subject.services.fixes.remove_face(ada.id, green, "admin")
    assert names(subject.services.recognizer.get(past.id)) == [None, "Ada"]
    assert green not in subject.backend.faces.face_ids() and len(images) == 2
    assert not [f for f in subject.backend.store.list("people") if green in f]
    assert names(_analyse(subject, GREEN)) == [None]
    assert _healthy(subject)
    with pytest.raises(InvalidInput, match="only face"):
        subject.services.fixes.remove_face(ada.id, _face_of(subject, ada.id), "admin")


def test_fixes_refuse_what_does_not_exist(subject):
    ada = enrol(subject, "Ada", (RED,)).person
    with pytest.raises(NotFound):
        subject.services.fixes.merge(ada.id, "0" * 32, "admin")
    with pytest.raises(NotFound):
        subject.services.fixes.move_face(ada.id, "no-such-face", ada.id, "admin")
    with pytest.raises(InvalidInput):
        subject.services.fixes.merge(ada.id, ada.id, "admin")


def test_doctor_finds_and_finishes_a_half_done_merge(subject, monkeypatch):
    ada, lovelace = enrol(subject, "Ada", (RED,)).person, enrol(subject, "A. Lovelace", (BLUE,)).person
    past = _analyse(subject, RED)

    def crash_after_moving_faces(backend, args):
        backend.people.move_faces([f.face_id for f in backend.people.faces_of(args["from"])], args["into"])
        raise KeyboardInterrupt  # the process dies here

    monkeypatch.setitem(STEPS, "merge", crash_after_moving_faces)
    with pytest.raises(KeyboardInterrupt):
        subject.services.fixes.merge(ada.id, lovelace.id, "admin")
    monkeypatch.undo()
    subject.services.doctor.grace = timedelta(0)
    report = subject.services.doctor.check()
    assert len(report.unfinished) == 1 and "half-done" in report.lines()[0]
    subject.services.doctor.repair(report)
    assert [p.id for p in subject.services.people.list()] == [lovelace.id]
    assert names(subject.services.recognizer.get(past.id)) == ["A. Lovelace"]
    assert subject.backend.journal.pending() == [] and _healthy(subject)
