"""History listings in every backend: one owner's, one person's, one label's, one word's analyses, newest first."""
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


def _stored_words(subject) -> list[str]:
    """Every word index entry in the backend's own storage (SQLite rows or DynamoDB WORD# markers)."""
    analyses = subject.backend.analyses
    if hasattr(analyses, "table"):
        rows = analyses.db.call("scan", TableName=analyses.table)["Items"]
        return sorted(r["sk"]["S"].removeprefix("WORD#") for r in rows if r["sk"]["S"].startswith("WORD#"))
    with analyses._db() as db:
        return sorted(row[0] for row in db.execute("SELECT word FROM analysis_words"))


def test_analyses_with_a_word_read_in_their_text(subject):
    """FakeText reads "HELLO WORLD" under a face square; words match without case or end punctuation."""
    recognizer = subject.services.recognizer
    read_later, never_read = _analyse(subject, "visitor:a", RED), _analyse(subject, "visitor:a", RED)
    blank = _analyse(subject, "visitor:b")
    assert _ids(subject, word="hello") == []  # nothing is indexed before the text is read
    recognizer.read_text(read_later)
    recognizer.read_text(blank)  # read, and empty
    on_upload = recognizer.analyse(make_photo(BLUE), "p.png", "visitor:b", read_text=True).id
    assert _ids(subject, word="hello") == [on_upload, read_later]
    assert _ids(subject, word="«World!»") == [on_upload, read_later]
    assert _ids(subject, word="hell") == [] and _ids(subject, word="hello world") == []
    assert _ids(subject, 1, word="world") == [on_upload]
    assert never_read not in _ids(subject, word="hello")
    assert _stored_words(subject) == ["hello", "hello", "world", "world"]


def test_a_word_combines_with_person_label_and_owner(subject):
    ada = enrol(subject, "Ada", (RED,)).person
    recognizer = subject.services.recognizer
    with_ada = recognizer.analyse(make_photo(RED), "p.png", "visitor:a", read_text=True).id
    without = recognizer.analyse(make_photo(BLUE), "p.png", "visitor:b", read_text=True).id
    assert _ids(subject, word="hello", person_id=ada.id) == [with_ada]
    assert _ids(subject, word="hello", label="pattern") == [without, with_ada]
    assert _ids(subject, word="hello", label="Dog") == []
    assert _ids(subject, word="hello", owner="visitor:b") == [without]
    assert _ids(subject, word="goodbye", person_id=ada.id) == []


def test_deleting_an_analysis_leaves_none_of_its_words(subject):
    """Privacy: retention and forget-by-delete remove every word index entry of the analysis."""
    recognizer = subject.services.recognizer
    kept = recognizer.analyse(make_photo(RED), "p.png", "visitor:a", read_text=True).id
    subject.services.retention.days = 1
    assert subject.services.retention.purge(now=datetime.now(UTC) + timedelta(days=2)) == 1
    assert _stored_words(subject) == [] and _ids(subject, word="hello") == []
    later = recognizer.analyse(make_photo(BLUE), "p.png", "visitor:a").id
    recognizer.read_text(later)
    subject.backend.analyses.delete_analysis(later)
    assert _stored_words(subject) == [] and _ids(subject, word="world") == []
    assert kept not in _ids(subject)
