"""Retention of visitors' uploads, the audit log, consent records, and what forgetting leaves."""
import dataclasses
import io
import threading
import time
from datetime import UTC, datetime, timedelta

from tests.conftest import BLUE, RED
from tests.fakes import make_photo
from webapp.errors import BackendUnavailable
from webapp.services.retention import Retention


def test_purge_deletes_expired_analyses_and_their_photos(glimpse, backend):
    old = glimpse.recognizer.analyse(make_photo(RED), "old.png")
    in_40_days = datetime.now(UTC) + timedelta(days=40)
    assert Retention(backend, 30).purge(now=in_40_days) == 1
    assert backend.directory.get_analysis(old.id) is None
    assert backend.store.list("analyses") == []


def test_purge_keeps_recent_analyses(glimpse, backend):
    recent = glimpse.recognizer.analyse(make_photo(RED), "new.png")
    assert Retention(backend, 30).purge() == 0
    assert glimpse.recognizer.get(recent.id).id == recent.id


def test_retention_zero_keeps_everything(glimpse, backend):
    glimpse.recognizer.analyse(make_photo(RED), "a.png")
    assert Retention(backend, 0).purge(now=datetime.now(UTC) + timedelta(days=10000)) == 0


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_purge_runs_in_a_background_thread_started_by_the_first_request_not_in_it(data_dir, backend):
    from webapp import create_app

    app = create_app({"data_dir": data_dir, "secret_key": "t"}, backend=backend)  # not testing: as served
    retention = app.extensions["glimpse"].retention
    threads = []
    retention.purge = lambda now=None: threads.append(threading.current_thread().name) or 0
    response = app.test_client().post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "a.png")})
    assert response.status_code == 201
    assert _wait_for(lambda: threads) and threads == ["glimpse-retention"]
    assert app.test_client().get("/").status_code == 200  # later requests pass straight through
    assert retention.start_background() is False  # one thread per process, whatever the traffic
    retention.stop()


def test_background_thread_deletes_expired_analyses(glimpse, backend):
    old = glimpse.recognizer.analyse(make_photo(RED), "old.png")
    retention = Retention(backend, 30, every_seconds=0.05, clock=lambda: datetime.now(UTC) + timedelta(days=40))
    assert retention.start_background()
    assert _wait_for(lambda: backend.directory.get_analysis(old.id) is None)
    retention.stop()


def test_background_thread_survives_a_failing_backend(glimpse, backend, caplog):
    retention = Retention(backend, 30, every_seconds=0.05)
    calls = []

    def flaky(now=None):
        calls.append(now)
        if len(calls) == 1:
            raise BackendUnavailable("Amazon DynamoDB is unavailable right now; try again in a minute.")
        return 0

    retention.purge = flaky
    retention.start_background()
    assert _wait_for(lambda: len(calls) >= 2)
    retention.stop()
    assert "retention purge failed" in caplog.text


def test_purge_ends_when_a_lagging_index_returns_deleted_analyses_again(glimpse, backend):
    analyses = [glimpse.recognizer.analyse(make_photo(RED), f"{n}.png") for n in range(3)]
    stale = [backend.directory.get_analysis(a.id) for a in analyses]

    class LaggingIndex:  # like a GSI that has not yet seen the deletes
        def __getattr__(self, name):
            return getattr(backend.directory, name)

        def analyses_before(self, cutoff, limit):
            return stale[:limit]

    lagging = dataclasses.replace(backend, directory=LaggingIndex())
    assert Retention(lagging, 1).purge(now=datetime.now(UTC) + timedelta(days=2)) == 3
    assert [backend.directory.get_analysis(a.id) for a in analyses] == [None] * 3


def test_purge_command_uses_the_days_given(runner, glimpse):
    glimpse.recognizer.analyse(make_photo(RED), "a.png")
    result = runner.invoke(args=["purge", "--days", "1"])
    assert result.exit_code == 0 and "deleted 0 analyses older than 1 days" in result.output


def test_unrecognised_faces_are_never_stored_as_faceprints(glimpse, backend):
    glimpse.recognizer.analyse(make_photo(RED, BLUE), "two strangers.png")
    assert backend.faces.face_ids() == [] and backend.directory.all_face_ids() == []


def test_enrolment_records_consent_who_when_and_text(glimpse):
    person = glimpse.people.enrol("Ada", [("a.png", make_photo(RED))], True, "admin-alice").person
    stored = glimpse.people.get(person.id)
    assert stored.consent_by == "admin-alice" and "consent" in stored.consent_text
    assert abs((datetime.now(UTC) - stored.created_at).total_seconds()) < 60


def test_audit_log_keeps_only_ids_after_forget(glimpse, backend):
    person = glimpse.people.enrol("Ada Secretname", [("a.png", make_photo(RED))], True, "alice").person
    glimpse.people.forget(person.id, actor="bob")
    entries = glimpse.people.audit_log()
    assert [(e.action, e.actor, e.subject) for e in entries] == [("forget", "bob", person.id),
                                                                 ("enrol", "alice", person.id)]
    assert not any("Secretname" in f"{e.subject} {e.detail}" for e in entries)


def test_admin_audit_page_lists_actions(auth, client, glimpse):
    auth.login()
    person = glimpse.people.enrol("Ada", [("a.png", make_photo(RED))], True, "admin").person
    glimpse.people.forget(person.id, actor="admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "forget" in page and "enrol" in page and person.id[:12] in page and "Ada" not in page


def test_admin_uploads_are_audited_as_searches(auth, client, glimpse):
    import io

    from tests.conftest import csrf_token

    auth.login()
    form = {"image": (io.BytesIO(make_photo(RED)), "a.png"), "csrf_token": csrf_token(client, "/")}
    client.post("/analyses", data=form, content_type="multipart/form-data")
    assert [e.action for e in glimpse.people.audit_log()] == ["search"]
