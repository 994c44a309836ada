""""Who is this?" in every backend: unknown faces kept while their analysis is, clustered, enrolled or ignored."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import BLUE, GREEN, RED
from tests.contract.helpers import enrol, names
from tests.fakes import make_photo
from webapp.errors import InvalidInput, NotFound


def _analyse(subject, *colours):
    return subject.services.recognizer.analyse(make_photo(*colours), "p.png", "visitor:v")


def test_photos_of_one_stranger_form_one_cluster_biggest_first(subject):
    enrol(subject, "Ada", (RED,))
    for _ in range(3):
        _analyse(subject, GREEN, RED)
    _analyse(subject, BLUE)
    clusters = subject.services.unknown.clusters()
    assert [c.size for c in clusters] == [3, 1]
    assert len(subject.backend.unknown_prints.face_ids()) == 4  # Ada's face is not kept as unknown
    assert {f.position for f in clusters[0].faces} == {0}


def test_enrolling_a_cluster_names_the_person_in_past_and_new_photos(subject):
    past = [_analyse(subject, GREEN).id for _ in range(2)]
    (cluster,) = subject.services.unknown.clusters()
    with pytest.raises(InvalidInput, match="Consent"):
        subject.services.unknown.enrol(cluster.id, "admin", consent=False, name="Grace Hopper")
    done = subject.services.unknown.enrol(cluster.id, "admin", consent=True, name="Grace Hopper")
    assert done.added == 2 and done.person.face_count == 2
    assert [names(subject.services.recognizer.get(a)) for a in past] == [["Grace Hopper"], ["Grace Hopper"]]
    # a new photo of her: the fake engine keys identity on exact colours, and enrolment from a cluster
    # works from the stored (JPEG) copy, so the new photo is that copy sent again (JPEG noise makes
    # the fake see a few more small "faces"; the largest is hers)
    stored = subject.backend.store.get(subject.services.recognizer.get(past[0]).image_key)
    assert names(subject.services.recognizer.analyse(stored, "again.jpg"))[0] == "Grace Hopper"
    assert cluster.id not in [c.id for c in subject.services.unknown.clusters()]
    with pytest.raises(NotFound):
        subject.services.unknown.enrol(cluster.id, "admin", consent=True, name="Again")


def test_a_cluster_can_join_an_enrolled_person(subject):
    ada = enrol(subject, "Ada", (RED,)).person
    _analyse(subject, GREEN)
    (cluster,) = subject.services.unknown.clusters()
    done = subject.services.unknown.enrol(cluster.id, "admin", consent=True, person_id=ada.id)
    assert done.person.id == ada.id and subject.services.people.get(ada.id).face_count == 2
    assert subject.services.unknown.clusters() == []


def test_ignoring_a_cluster_deletes_its_faceprints(subject):
    _analyse(subject, GREEN)
    (cluster,) = subject.services.unknown.clusters()
    assert subject.services.unknown.ignore(cluster.id, "admin") == 1
    assert subject.services.unknown.clusters() == [] and subject.backend.unknown_prints.face_ids() == []


def test_unknown_faceprints_go_with_their_analysis(subject):
    _analyse(subject, GREEN, BLUE)
    subject.services.retention.days = 1
    subject.services.retention.purge(now=datetime.now(UTC) + timedelta(days=2))
    assert subject.services.unknown.clusters() == [] and subject.backend.unknown_prints.face_ids() == []


def test_nothing_is_kept_when_the_setting_is_off(subject):
    subject.services.unknown.enabled = False
    _analyse(subject, GREEN)
    assert subject.services.unknown.clusters() == [] and subject.backend.unknown_prints.face_ids() == []


def test_the_setting_can_be_read_from_the_environment():
    from webapp.config import load_settings

    assert load_settings(environ={"GLIMPSE_REMEMBER_UNKNOWN_FACES": "false"}).remember_unknown_faces is False
    assert replace(load_settings(environ={}), remember_unknown_faces=True).remember_unknown_faces


def test_doctor_removes_unknown_prints_and_rows_that_lost_each_other(subject):
    from tests.contract.helpers import photo
    from webapp.domain import BoundingBox, UnknownFace

    _analyse(subject, GREEN)
    lone = photo(BLUE)
    subject.backend.unknown_prints.index(lone, subject.backend.faces.detect(lone)[0], "c0")  # a print, no row
    subject.backend.unknown.add_unknown(UnknownFace("gone", "a" * 32, 0, BoundingBox(0, 0, 0.1, 0.1), "c1",
                                                    datetime.now(UTC)))  # a row, no print
    subject.services.doctor.grace = timedelta(0)
    report = subject.services.doctor.check()
    assert len(report.orphan_unknown) == 2 and "unknown-face" in report.lines()[0]
    subject.services.doctor.repair(report)
    assert subject.services.doctor.check().ok
    assert [c.size for c in subject.services.unknown.clusters()] == [1]  # the real one stays


def test_merging_clusters_moves_every_face_and_keeps_the_counts(subject):
    from webapp.domain import BoundingBox, UnknownFace

    store, box, now = subject.backend.unknown, BoundingBox(0, 0, 0.1, 0.1), datetime.now(UTC)
    for i, cluster in enumerate(["c1", "c1", "c2", "c2", "c2", "c3"]):
        store.add_unknown(UnknownFace(f"f{i}", f"{i:032x}", 0, box, cluster, now + timedelta(seconds=i)))
    store.merge_clusters("c1", ["c2"])
    assert sorted(f.face_id for f in store.unknown_in("c1")) == ["f0", "f1", "f2", "f3", "f4"]
    assert store.unknown_in("c2") == [] and store.clusters_of(["f3"]) == {"f3": "c1"}
    assert [(c.id, c.size) for c in store.list_clusters(10, 2)] == [("c1", 5), ("c3", 1)]
    assert [f.face_id for f in store.list_clusters(10, 2)[0].faces] == ["f4", "f3"]  # newest first
    store.delete_unknown(["f5"])
    assert [c.id for c in store.list_clusters(10, 2)] == ["c1"]
