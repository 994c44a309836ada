"""History listings in every backend: one owner's, one person's, one label's analyses, newest first."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import BLUE, RED
from tests.contract.helpers import enrol
from tests.fakes import make_photo
from webapp.domain import HistoryFilter


def _analyse(subject, owner: str, *colours):
    return subject.services.recognizer.analyse(make_photo(*colours), "p.png", owner).id


def _ids(subject, limit: int = 10, **only) -> list[str]:
    return [a.id for a in subject.services.recognizer.history(limit, HistoryFilter(**only))]


def test_an_owner_lists_only_their_own_analyses_newest_first(subject):
    a1, b1 = _analyse(subject, "visitor:a", RED), _analyse(subject, "visitor:b", RED)
    a2 = _analyse(subject, "visitor:a")
    assert _ids(subject, owner="visitor:a") == [a2, a1]
    assert _ids(subject, owner="visitor:b") == [b1]
    assert _ids(subject, owner="visitor:nobody") == []
    assert _ids(subject, 1, owner="visitor:a") == [a2]
    assert _ids(subject) == [a2, b1, a1]  # no filter: everything (what admins see)
    assert subject.services.recognizer.get(a1).owner == "visitor:a"


def test_analyses_with_a_person_and_with_a_label(subject):
    ada = enrol(subject, "Ada", (RED,)).person
    with_ada, without = _analyse(subject, "visitor:a", RED, BLUE), _analyse(subject, "visitor:a", BLUE)
    assert _ids(subject, person_id=ada.id) == [with_ada]
    assert _ids(subject, label="PATTERN") == [without, with_ada]  # labels match without case
    assert _ids(subject, label="design") == [without, with_ada]  # and by their parents
    assert _ids(subject, label="Dog") == []
    assert _ids(subject, person_id=ada.id, label="Pattern", owner="visitor:a") == [with_ada]
    assert _ids(subject, person_id=ada.id, owner="visitor:b") == []


def test_forgetting_a_person_leaves_no_listing_by_them(subject):
    ada = enrol(subject, "Ada", (RED,)).person
    _analyse(subject, "visitor:a", RED)
    subject.services.people.forget(ada.id)
    assert _ids(subject, person_id=ada.id) == []


def test_retention_removes_analyses_from_every_listing(subject):
    ada = enrol(subject, "Ada", (RED,)).person
    _analyse(subject, "visitor:a", RED)
    subject.services.retention.days = 1
    assert subject.services.retention.purge(now=datetime.now(UTC) + timedelta(days=2)) == 1
    for only in ({}, {"owner": "visitor:a"}, {"person_id": ada.id}, {"label": "Pattern"}):
        assert _ids(subject, **only) == [], only
