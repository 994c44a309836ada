"""Retention of visitors' uploads, the audit log, consent records, and what forgetting leaves."""
import io
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tests.conftest import BLUE, RED
from tests.fakes import make_photo
from webapp.errors import BackendUnavailable
from webapp.services.retention import Retention


def test_purge_deletes_expired_analyses_and_their_photos(services, backend):
    old = services.recognizer.analyse(make_photo(RED), "old.png")
    in_40_days = datetime.now(UTC) + timedelta(days=40)
    assert Retention(backend, 30).purge(now=in_40_days) == 1
    assert backend.analyses.get_analysis(old.id) is None
    assert backend.store.list("analyses") == []


def test_purge_keeps_recent_analyses(services, backend):
    recent = services.recognizer.analyse(make_photo(RED), "new.png")
    assert Retention(backend, 30).purge() == 0
    assert services.recognizer.get(recent.id).id == recent.id


def test_retention_zero_keeps_everything(services, backend):
    services.recognizer.analyse(make_photo(RED), "a.png")
    assert Retention(backend, 0).purge(now=datetime.now(UTC) + timedelta(days=10000)) == 0


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_purge_runs_in_a_background_thread_started_by_the_first_request_not_in_it(data_dir, backend):
    from webapp import create_app

    app = create_app({"data_dir": data_dir, "secret_key": "t"}, backend=backend)  # not testing: as served
    retention = app.extensions["services"].retention
    threads = []
    retention.purge = lambda now=None: threads.append(threading.current_thread().name) or 0
    response = app.test_client().post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "a.png")})
    assert response.status_code == 201
    assert _wait_for(lambda: threads) and threads == ["glimpse-retention"]
    assert app.test_client().get("/").status_code == 200  # later requests pass straight through
    assert retention.start_background() is False  # one thread per process, whatever the traffic
    retention.stop()


def test_background_thread_deletes_expired_analyses(services, backend):
    old = services.recognizer.analyse(make_photo(RED), "old.png")
    retention = Retention(backend, 30, every_seconds=0.05, clock=lambda: datetime.now(UTC) + timedelta(days=40))
    assert retention.start_background()
    assert _wait_for(lambda: backend.analyses.get_analysis(old.id) is None)
    retention.stop()


def test_background_thread_survives_a_failing_backend(services, backend, caplog):
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


def test_purge_ends_when_a_lagging_index_returns_deleted_analyses_again(services, backend):
    analyses = [services.recognizer.analyse(make_photo(RED), f"{n}.png") for n in range(3)]
    stale = [backend.analyses.get_analysis(a.id) for a in analyses]

    class LaggingIndex:  # like a GSI that has not yet seen the deletes
        def __getattr__(self, name):
            return getattr(backend.analyses, name)

        def analyses_before(self, cutoff, limit):
            return stale[:limit]

    lagging = replace(backend, analyses=LaggingIndex())
    assert Retention(lagging, 1).purge(now=datetime.now(UTC) + timedelta(days=2)) == 3
    assert [backend.analyses.get_analysis(a.id) for a in analyses] == [None] * 3


def test_purge_command_uses_the_days_given(runner, services, backend):
    recent = services.recognizer.analyse(make_photo(RED), "recent.png")
    three_days = services.recognizer.analyse(make_photo(RED), "old.png")
    backend.analyses.delete_analysis(three_days.id)  # the same analysis, saved as if made three days ago
    backend.analyses.save_analysis(replace(three_days, created_at=datetime.now(UTC) - timedelta(days=3)))
    kept = runner.invoke(args=["purge"])  # the default (30 days) keeps both
    assert kept.exit_code == 0 and "deleted 0 analyses older than 30 days" in kept.output
    result = runner.invoke(args=["purge", "--days", "2"])
    assert result.exit_code == 0 and "deleted 1 analyses older than 2 days" in result.output
    assert [a.id for a in services.recognizer.history(10)] == [recent.id]
    assert backend.store.list(f"analyses/{three_days.id}") == []


def test_unrecognized_faces_are_never_stored_as_faceprints(services, backend):
    services.recognizer.analyse(make_photo(RED, BLUE), "two strangers.png")
    assert backend.faces.face_ids() == [] and backend.people.all_face_ids() == []


def test_enrolment_records_consent_who_when_and_text(services):
    person = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "admin-alice").person
    stored = services.people.get(person.id)
    assert stored.consent_by == "admin-alice" and "consent" in stored.consent_text
    assert abs((datetime.now(UTC) - stored.created_at).total_seconds()) < 60


def test_audit_log_keeps_only_ids_after_forget(services, backend):
    person = services.people.enrol("Ada Secretname", [("a.png", make_photo(RED))], True, "alice").person
    services.people.forget(person.id, actor="bob")
    entries = services.people.audit_log()
    assert [(e.action, e.actor, e.subject) for e in entries] == [("forget", "bob", person.id),
                                                                 ("enrol", "alice", person.id)]
    assert not any("Secretname" in f"{e.subject} {e.detail}" for e in entries)


def test_admin_audit_page_lists_actions(auth, client, services):
    auth.login()
    person = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "admin").person
    services.people.forget(person.id, actor="admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "forget" in page and "enrol" in page and person.id[:12] in page and "Ada" not in page


def test_admin_uploads_are_audited_as_searches(auth, client, services):
    import io

    from tests.conftest import csrf_token

    auth.login()
    form = {"image": (io.BytesIO(make_photo(RED)), "a.png"), "csrf_token": csrf_token(client, "/")}
    client.post("/analyses", data=form, content_type="multipart/form-data")
    assert [e.action for e in services.people.audit_log()] == ["search"]
