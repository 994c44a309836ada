"""Each browser gets a random visitor id in its signed session cookie, made on its first analysis."""
import io

from tests.conftest import RED, AuthActions, csrf_token
from tests.fakes import make_photo


def _upload(client):
    token = csrf_token(client, "/")
    return client.post("/analyses", data={"image": (io.BytesIO(make_photo(RED)), "p.png"), "csrf_token": token})


def _visitor(client):
    with client.session_transaction() as session:
        return session.get("visitor")


def test_first_analysis_gives_the_browser_a_random_visitor_id_that_stays(client):
    client.get("/")
    assert _visitor(client) is None  # looking around sets nothing
    _upload(client)
    first = _visitor(client)
    assert first and len(first) == 32 and int(first, 16) >= 0
    _upload(client)
    assert _visitor(client) == first


def test_another_browser_or_cleared_cookies_start_afresh(app, client):
    _upload(client)
    other = app.test_client()
    _upload(other)
    assert _visitor(other) != _visitor(client)
    first = _visitor(client)
    client.delete_cookie("session")
    _upload(client)
    assert _visitor(client) not in (None, first)


def test_logging_in_keeps_the_visitor_id(client, auth):
    _upload(client)
    before = _visitor(client)
    AuthActions(client).login()
    with client.session_transaction() as session:
        assert session["admin"] == "admin" and session["visitor"] == before
