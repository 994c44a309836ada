"""Retention, the audit log and the doctor, on every backend."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from tests.conftest import BLUE, RED
from tests.contract.helpers import enrol, photo, traces
from tests.fakes import make_photo
from webapp.domain import Analysis, AuditEntry, BoundingBox, RecognizedFace
from webapp.services.maintenance import Doctor
from webapp.services.retention import Retention

EMPTY = {"faceprints": [], "face_rows": [], "people": [], "people_images": []}


def _analyse(subject, count: int) -> list[str]:
    """Analyse `count` photos; their ids in creation order."""
    return [subject.services.recognizer.analyse(make_photo(RED), f"{i}.png").id for i in range(count)]


def test_retention_purges_old_analyses_and_their_images_and_keeps_recent_ones(subject):
    old = _analyse(subject, 3)
    between = datetime.now(UTC)
    recent = _analyse(subject, 2)
    analyses, store = subject.backend.analyses, subject.backend.store
    assert [a.id for a in analyses.analyses_before(between, 10)] == old  # oldest first
    assert [a.id for a in analyses.analyses_before(between, 2)] == old[:2]
    assert Retention(subject.backend, 30).purge(now=between + timedelta(days=30)) == 3
    assert [a.id for a in analyses.list_analyses(10)] == recent[::-1]
    assert all(analyses.get_analysis(aid) is None and store.list(f"analyses/{aid}") == [] for aid in old)
    assert all(len(store.list(f"analyses/{aid}")) == 2 for aid in recent)
    assert Retention(subject.backend, 0).purge(now=between + timedelta(days=999)) == 0  # 0 keeps forever
    assert Doctor(subject.backend).check().ok


def test_deleting_an_analysis_that_named_a_person_leaves_forgetting_them_working(subject):
    ada = enrol(subject, "Ada", (RED,))
    kept, gone = (subject.services.recognizer.analyse(make_photo(RED, BLUE)) for _ in range(2))
    subject.backend.analyses.delete_analysis(gone.id)
    subject.backend.analyses.delete_analysis(gone.id)  # absent: not an error
    assert subject.backend.analyses.get_analysis(gone.id) is None
    subject.services.people.forget(ada.person.id)
    assert subject.services.recognizer.get(kept.id).faces[0].person_id is None


def test_audit_is_newest_first_and_limited(subject):
    start = datetime(2024, 5, 1, 12, tzinfo=UTC)
    for minutes in (0, 2, 1):
        subject.backend.audit.add_audit(AuditEntry(start + timedelta(minutes=minutes), "root", f"a{minutes}", "s"))
    entries = subject.backend.audit.list_audit(10)
    assert [e.action for e in entries] == ["a2", "a1", "a0"]
    assert entries[0] == AuditEntry(start + timedelta(minutes=2), "root", "a2", "s", "")
    assert [e.action for e in subject.backend.audit.list_audit(2)] == ["a2", "a1"]


def test_enrol_and_forget_are_audited_with_ids_only(subject):
    ada = enrol(subject, "Ada Lovelace", (RED,), (RED,))
    subject.services.people.forget(ada.person.id, actor="admin")
    forget, enrolment = subject.services.people.audit_log()
    assert (enrolment.actor, enrolment.action, enrolment.subject) == ("tester", "enrol", ada.person.id)
    assert (forget.actor, forget.action, forget.subject) == ("admin", "forget", ada.person.id)
    assert forget.at >= enrolment.at
    text = " ".join(f"{e.actor} {e.action} {e.subject} {e.detail}" for e in (forget, enrolment))
    assert "Ada" not in text and "Lovelace" not in text


def test_doctor_finds_and_repairs_orphans_and_missing_faceprints(subject):
    backend = subject.backend
    ada = enrol(subject, "Ada", (RED,), (RED,))
    lost_print, kept_print = ada.face_ids
    loose = photo(BLUE)
    orphan_print = backend.faces.index(loose, backend.faces.detect(loose)[0], uuid4().hex)  # no row points to it
    backend.faces.delete([lost_print])  # behind the directory's back
    stray = f"people/{uuid4().hex}/{uuid4().hex}.jpg"  # no such person
    backend.store.put(stray, make_photo(RED), "image/jpeg")
    doctor = Doctor(backend, grace=timedelta(0))  # grace is tested on its own
    report = doctor.check()
    assert not report.ok and report.faceless_people == []
    assert (report.orphan_faceprints, report.missing_faceprints) == ([orphan_print], [lost_print])
    assert stray in report.orphan_images
    doctor.repair(report)
    assert backend.people.all_face_ids() == [kept_print] == backend.faces.face_ids()
    assert backend.people.get_person(ada.person.id).face_count == 1
    assert stray not in backend.store.list("people")
    assert doctor.check().ok  # one pass: the photo and crop of the dropped row went with it
    assert backend.store.list("people") == [f"people/{ada.person.id}/{kept_print}{s}.jpg" for s in ("-face", "")]


def test_a_forget_that_crashes_after_the_rows_are_gone_is_finished_by_the_doctor(subject, monkeypatch):
    backend = subject.backend
    ada = enrol(subject, "Ada", (RED,), (RED,))
    analysis = subject.services.recognizer.analyse(make_photo(RED))

    def crash(face_ids: list[str]) -> None:
        raise RuntimeError("the process died")

    monkeypatch.setattr(backend.faces, "delete", crash)
    with pytest.raises(RuntimeError):
        subject.services.people.forget(ada.person.id)
    monkeypatch.undo()
    assert backend.people.get_person(ada.person.id) is None and backend.people.list_people() == []
    assert subject.services.recognizer.get(analysis.id).faces[0].person_id is None
    left = traces(backend)
    assert left["faceprints"] == sorted(ada.face_ids) and left["face_rows"] == [] and left["people_images"]
    doctor = Doctor(backend, grace=timedelta(0))  # grace is tested on its own
    report = doctor.check()
    assert report.orphan_faceprints == sorted(ada.face_ids) and len(report.orphan_images) == 4
    doctor.repair(report)
    assert doctor.check().ok and traces(backend) == EMPTY


def test_doctor_leaves_fresh_inconsistencies_alone_and_repairs_them_once_they_outlast_the_grace(subject):
    backend, now = subject.backend, [datetime.now(UTC)]
    loose = photo(BLUE)
    fresh_print = backend.faces.index(loose, backend.faces.detect(loose)[0], uuid4().hex)  # as mid-enrolment
    stray = f"people/{uuid4().hex}/{uuid4().hex}.jpg"
    backend.store.put(stray, make_photo(BLUE), "image/jpeg")
    doctor = Doctor(backend, grace=timedelta(minutes=10), clock=lambda: now[0])
    first = doctor.check()
    assert first.ok and first.waiting == 2
    doctor.repair(first)
    assert backend.faces.face_ids() == [fresh_print] and stray in backend.store.list("people")
    now[0] += timedelta(minutes=11)
    later = doctor.check()
    assert (later.orphan_faceprints, later.orphan_images, later.waiting) == ([fresh_print], [stray], 0)
    doctor.repair(later)
    assert backend.faces.face_ids() == [] and stray not in backend.store.list("people")


def test_a_doctor_running_in_the_middle_of_an_enrolment_does_not_break_it(subject, monkeypatch):
    backend, services = subject.backend, subject.services
    doctor = Doctor(backend)  # the default grace, as `flask doctor --repair` from cron would run
    add_face = backend.people.add_face

    def repair_then_add(record):  # the faceprint and images exist, the row does not yet
        doctor.repair(doctor.check())
        add_face(record)

    monkeypatch.setattr(backend.people, "add_face", repair_then_add)
    ada = enrol(subject, "Ada", (RED,))
    monkeypatch.undo()
    assert backend.faces.face_ids() == ada.face_ids == backend.people.all_face_ids()
    assert len(backend.store.list("people")) == 2
    assert services.recognizer.analyse(make_photo(RED)).faces[0].person_id == ada.person.id


def test_an_analysis_of_a_turned_photo_keeps_its_orientation_in_the_history(subject):
    face = RecognizedFace(BoundingBox(0.1, 0.2, 0.3, 0.4), 97.0, orientation=270)
    analysis = Analysis(uuid4().hex, datetime.now(UTC), "analyses/x/photo.jpg", "analyses/x/thumb.jpg", 640, 480,
                        faces=(face,))
    subject.backend.analyses.save_analysis(analysis)
    stored = subject.backend.analyses.get_analysis(analysis.id)
    assert stored.to_dict()["orientation_correction"] == "ROTATE_270"
    assert [f.orientation for f in stored.faces] == [270]
