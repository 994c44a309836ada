"""Who sees what: a visitor's history holds only their own analyses; admins see all and filter them."""
import io

import pytest

from tests.conftest import BLUE, RED, AuthActions, csrf_token
from tests.fakes import make_photo


def _upload(client, *colours):
    token = csrf_token(client, "/")
    response = client.post("/analyses", data={"image": (io.BytesIO(make_photo(*colours)), "p.png"),
                                              "csrf_token": token})
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[1]


@pytest.fixture
def ada(services):
    return services.people.enrol("Ada Lovelace", [("a.png", make_photo(RED))], True, "t").person


def test_two_visitors_each_see_only_their_own_analyses(app, ada):
    alice, bob = app.test_client(), app.test_client()
    mine, theirs = _upload(alice, RED), _upload(bob, BLUE)
    alice_page, bob_page = alice.get("/history").get_data(as_text=True), bob.get("/history").get_data(as_text=True)
    assert mine in alice_page and theirs not in alice_page
    assert theirs in bob_page and mine not in bob_page and "Ada Lovelace" not in bob_page


def test_a_new_browser_has_an_empty_history(app, ada):
    _upload(app.test_client(), RED)
    page = app.test_client().get("/history").get_data(as_text=True)
    assert "Nothing analysed yet" in page and "Ada Lovelace" not in page


def test_a_shared_result_link_still_opens_for_anyone(app, ada):
    analysis_id = _upload(app.test_client(), RED)
    stranger = app.test_client()
    assert "Ada Lovelace" in stranger.get(f"/analyses/{analysis_id}").get_data(as_text=True)
    assert stranger.get(f"/api/v1/analyses/{analysis_id}").get_json()["id"] == analysis_id


def test_anonymous_api_analyses_are_in_no_visitor_history(app, services):
    created = app.test_client().post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "p.png")})
    visitor = app.test_client()
    _upload(visitor, BLUE)
    assert created.get_json()["id"] not in visitor.get("/history").get_data(as_text=True)
    assert services.recognizer.get(created.get_json()["id"]).owner == ""


def test_admin_sees_everyone_and_filters_by_person_and_by_label(app, ada):
    with_ada, without = _upload(app.test_client(), RED), _upload(app.test_client(), BLUE)
    admin = app.test_client()
    AuthActions(admin).login()
    everything = admin.get("/history").get_data(as_text=True)
    assert with_ada in everything and without in everything
    by_person = admin.get(f"/history?person={ada.id}").get_data(as_text=True)
    assert with_ada in by_person and without not in by_person
    by_label = admin.get("/history?label=pattern").get_data(as_text=True)  # FakeLabels: every photo is a Pattern
    assert with_ada in by_label and without in by_label
    no_dog = admin.get("/history?label=Dog").get_data(as_text=True)
    assert without not in no_dog and "No analysis matches these filters." in no_dog


def test_admin_filters_by_a_word_read_in_the_text(app, ada, services):
    read, unread = _upload(app.test_client(), RED), _upload(app.test_client(), BLUE)
    services.recognizer.read_text(read)  # FakeText: "HELLO WORLD"
    admin = app.test_client()
    AuthActions(admin).login()
    form = admin.get("/history").get_data(as_text=True)
    assert '<label>Word in text <input name="word"' in form
    by_word = admin.get("/history?word=Hello").get_data(as_text=True)
    assert read in by_word and unread not in by_word and 'value="Hello"' in by_word
    both = admin.get(f"/history?word=world&person={ada.id}&label=pattern").get_data(as_text=True)
    assert read in both and unread not in both
    none = admin.get("/history?word=goodbye").get_data(as_text=True)
    assert read not in none and "No analysis matches these filters." in none


def test_a_visitor_cannot_filter_others_analyses_by_word(app, ada, services):
    theirs = _upload(app.test_client(), RED)
    services.recognizer.read_text(theirs)
    visitor = app.test_client()
    page = visitor.get("/history?word=hello").get_data(as_text=True)
    assert theirs not in page and 'name="word"' not in page


def test_logging_out_does_not_leave_the_admin_view_behind(app, ada):
    other = _upload(app.test_client(), RED)
    client = app.test_client()
    AuthActions(client).login()
    token = csrf_token(client, "/")
    client.post("/logout", data={"csrf_token": token})
    assert other not in client.get("/history").get_data(as_text=True)
