"""Visitor pages: upload, result, history, media, errors, headers."""
import io

from tests.conftest import RED, csrf_token
from tests.fakes import make_photo


def _upload(client, data: bytes, filename: str = "photo.png", token: str | None = None):
    token = token if token is not None else csrf_token(client, "/")
    return client.post("/analyses", data={"image": (io.BytesIO(data), filename), "csrf_token": token},
                       content_type="multipart/form-data")


def test_home_page_offers_upload_with_drag_and_drop(client):
    html = client.get("/").get_data(as_text=True)
    assert 'type="file" name="image"' in html and "data-dropzone" in html and "15 MB" in html


def test_upload_shows_result_with_named_and_unknown_faces(client, services):
    services.people.enrol("Ada Lovelace", [("a.png", make_photo(RED))], True, "t")
    response = _upload(client, make_photo(RED, (20, 200, 20)))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ada Lovelace" in page and "Unknown" in page and "similarity 100" in page
    assert page.count('class="facebox') == 2 and "Pattern" in page


def test_bad_upload_gets_a_sentence_and_keeps_the_form(client, services):
    response = _upload(client, b"%PDF-1.4 not an image", "x.jpg")
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP image" in response.get_data(as_text=True)
    assert services.recognizer.history(10) == []


def test_upload_without_file_is_a_400(client):
    response = client.post("/analyses", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 400 and "Choose a photo" in response.get_data(as_text=True)


def test_upload_without_csrf_token_is_refused(client, services):
    response = _upload(client, make_photo(RED), token="")
    assert response.status_code == 400 and "Reload the page" in response.get_data(as_text=True)
    assert services.recognizer.history(10) == []


def test_request_over_the_body_limit_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = _upload(client, make_photo(RED))
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)


def test_history_lists_thumbnails_newest_first(client, services):
    _upload(client, make_photo(RED), "1.png")
    _upload(client, make_photo(), "2.png")
    second, first = services.recognizer.history(10)
    page = client.get("/history").get_data(as_text=True)
    assert page.index(second.id) < page.index(first.id) and first.thumb_key in page


def test_media_serves_analysis_images_as_jpeg(client, services):
    analysis = services.recognizer.analyse(make_photo(RED), "1.png")
    response = client.get(f"/media/{analysis.thumb_key}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.data[:3] == b"\xff\xd8\xff"


def test_enrolment_images_are_hidden_from_visitors(client, services):
    result = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    (face,) = services.people.faces(result.person.id)
    assert client.get(f"/media/{face.crop_key}").status_code == 404


def test_media_refuses_odd_keys(client):
    assert client.get("/media/../secret_key").status_code == 404
    assert client.get("/media/analyses/x/photo.jpg").status_code == 404


def test_unknown_analysis_is_a_friendly_404(client):
    response = client.get("/analyses/nope")
    assert response.status_code == 404 and "no analysis with that id" in response.get_data(as_text=True)


def test_security_headers_are_set(client):
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
