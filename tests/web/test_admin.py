"""Admin pages: login, every admin page guarded, enrol with consent, delete with confirmation."""
import io

import pytest

from tests.conftest import RED, csrf_token
from tests.fakes import make_photo


def _admin_urls(app):
    """Every GET-able admin URL in the URL map, with a dummy person id."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") and "GET" in rule.methods:
            urls.append(rule.rule.replace("<person_id>", "0" * 32))
    return urls


def test_every_admin_page_requires_login(app, client):
    urls = _admin_urls(app)
    assert len(urls) >= 4
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_wrong_password_is_refused(auth):
    response = auth.login(password="wrong password")
    assert response.status_code == 401 and "Wrong username or password" in response.get_data(as_text=True)


def test_login_then_people_page(auth, client):
    assert auth.login().status_code == 302
    assert "Enrol a person" in client.get("/admin/").get_data(as_text=True)


def test_login_never_redirects_off_site(auth, client):
    token = csrf_token(client, "/login")
    response = client.post("/login?next=//evil.example/x",
                           data={"username": "admin", "password": "correct horse battery", "csrf_token": token})
    assert response.headers["Location"] == "/admin/"


def _enrol_form(client, name="Ada Lovelace", consent=True, photos=None):
    data = {"name": name, "csrf_token": csrf_token(client, "/admin/people/new")}
    if consent:
        data["consent"] = "yes"
    data["images"] = photos if photos is not None else [(io.BytesIO(make_photo(RED)), "ada.png")]
    return client.post("/admin/people", data=data, content_type="multipart/form-data")


def test_enrol_form_creates_person_and_shows_their_face(auth, client, services):
    auth.login()
    response = _enrol_form(client, photos=[(io.BytesIO(make_photo(RED)), "a.png"), (io.BytesIO(make_photo()), "b.png")])
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ada Lovelace" in page and "Refused b.png: No face was found" in page
    (person,) = services.people.list()
    (face,) = services.people.faces(person.id)
    assert client.get(f"/media/{face.crop_key}").status_code == 200


@pytest.mark.parametrize("kwargs,message", [
    ({"consent": False}, "tick the consent box"),
    ({"name": ""}, "full name"),
    ({"photos": []}, "at least one photo"),
])
def test_enrol_form_refusals_store_nothing(auth, client, services, kwargs, message):
    auth.login()
    response = _enrol_form(client, **kwargs)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert services.people.list() == []


def test_delete_asks_for_confirmation_then_forgets(auth, client, services, backend):
    auth.login()
    person = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t").person
    page = client.get(f"/admin/people/{person.id}/delete").get_data(as_text=True)
    assert "cannot be undone" in page
    assert services.people.list() != []  # the GET deleted nothing
    token = csrf_token(client, f"/admin/people/{person.id}/delete")
    response = client.post(f"/admin/people/{person.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert services.people.list() == [] and backend.faces.face_ids() == [] and backend.store.list("people") == []


def test_delete_without_csrf_is_refused(auth, client, services):
    auth.login()
    person = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t").person
    assert client.post(f"/admin/people/{person.id}/delete").status_code == 400
    assert len(services.people.list()) == 1


def test_logout_ends_the_session(auth, client):
    auth.login()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert client.get("/admin/").status_code == 302


def test_logins_are_rate_limited_after_five_failures(auth, client):
    for _ in range(5):
        assert auth.login(password="wrong password").status_code == 401
    response = auth.login()  # even the right password waits now
    assert response.status_code == 429 and "Too many failed logins" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_http_only_and_same_site(auth):
    cookie = auth.login().headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_every_state_changing_form_carries_a_csrf_token(auth, client, services):
    auth.login()
    person = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t").person
    for path in ("/", "/admin/people/new", f"/admin/people/{person.id}/delete", "/login"):
        html = client.get(path).get_data(as_text=True)
        assert html.count('method="post"') == html.count('name="csrf_token"'), path


def test_behind_a_trusted_proxy_the_throttle_counts_real_clients(data_dir, backend):
    from tests.conftest import ADMIN_PASSWORD, AuthActions
    from webapp import create_app

    app = create_app({"data_dir": data_dir, "secret_key": "t", "admin_password": ADMIN_PASSWORD,
                      "trusted_proxies": 1}, backend=backend)
    for _ in range(5):
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
        AuthActions(client).login(username="mallory", password="wrong password")
    other = app.test_client()
    other.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.9"
    assert AuthActions(other).login().status_code == 302  # another client is not locked out
