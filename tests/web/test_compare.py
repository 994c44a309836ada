"""The compare page and POST /api/v1/comparisons (fake engine; nothing may be stored)."""
import io
import re

import pytest

from tests.conftest import BLUE, RED, csrf_token
from tests.fakes import make_photo


def _post_page(client, source: bytes | None, target: bytes | None, token: str | None = None):
    data = {"csrf_token": token or csrf_token(client, "/compare")}
    if source is not None:
        data["source"] = (io.BytesIO(source), "first.png")
    if target is not None:
        data["target"] = (io.BytesIO(target), "second.png")
    return client.post("/compare", data=data)


def _nothing_stored(services, backend):
    return backend.store.list() == [] and services.recognizer.history(10) == [] and backend.faces.face_ids() == []


def test_page_has_two_drop_zones_a_csrf_token_and_no_inline_script(client):
    response = client.get("/compare")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="source"' in html and 'name="target"' in html and "data-compare" in html
    assert 'name="csrf_token"' in html and "data-dropzone" in html and "<script>" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # CSP: script-src 'self' only
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_same_person_shows_the_sentence_both_photos_and_boxes(client, services, backend):
    response = _post_page(client, make_photo(RED), make_photo(BLUE, RED))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Same person (similarity 100)" in html
    assert html.count('src="data:image/jpeg;base64,') == 2
    assert html.count('class="facebox known"') == 1 and html.count('class="facebox other"') == 1
    assert html.count('class="facebox source"') == 1 and "best match · similarity 100" in html
    assert _nothing_stored(services, backend)


def test_different_people_and_missing_faces_are_said_plainly(client):
    assert "Different people" in _post_page(client, make_photo(RED), make_photo(BLUE)).get_data(as_text=True)
    assert "No face found in the first photo" in _post_page(client, make_photo(), make_photo(RED)).get_data(
        as_text=True)
    assert "No face found in the second photo" in _post_page(client, make_photo(RED), make_photo()).get_data(
        as_text=True)


def test_missing_or_bad_photos_show_the_form_with_a_sentence(client):
    missing = _post_page(client, make_photo(RED), None)
    assert missing.status_code == 400 and "Choose the second photo." in missing.get_data(as_text=True)
    bad = _post_page(client, b"GIF89a.......", make_photo(RED))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "First photo: This file is not a JPEG" in html and 'name="source"' in html


def test_page_form_needs_the_csrf_token(client):
    response = client.post("/compare", data={"source": (io.BytesIO(make_photo(RED)), "a.png"),
                                              "target": (io.BytesIO(make_photo(RED)), "b.png")})
    assert response.status_code == 400 and "form expired" in response.get_data(as_text=True)


def _api(client, source=None, target=None, **form):
    data = dict(form)
    if source is not None:
        data["source"] = (io.BytesIO(source), "s.png")
    if target is not None:
        data["target"] = (io.BytesIO(target), "t.png")
    return client.post("/api/v1/comparisons", data=data)


def test_api_returns_201_with_matches_and_unmatched(client, services, backend):
    response = _api(client, make_photo(RED), make_photo(BLUE, RED))
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"source_face", "matches", "unmatched", "similarity", "match"}
    assert body["match"] is True and body["similarity"] == pytest.approx(100.0)
    assert set(body["source_face"]) == {"bounding_box", "confidence"}
    assert [set(m) for m in body["matches"]] == [{"bounding_box", "similarity"}]
    assert [set(u) for u in body["unmatched"]] == [{"bounding_box"}]
    assert _nothing_stored(services, backend)


def test_api_threshold_changes_the_verdict(client):
    assert _api(client, make_photo(RED), make_photo(BLUE)).get_json()["match"] is False
    body = _api(client, make_photo(RED), make_photo(BLUE), threshold="0").get_json()
    assert body["match"] is True and body["unmatched"] == [] and body["similarity"] is not None


def test_api_no_source_face_is_null(client):
    body = _api(client, make_photo(), make_photo(RED)).get_json()
    assert body["source_face"] is None and body["match"] is False and len(body["unmatched"]) == 1


@pytest.mark.parametrize("kwargs,status,start", [
    ({"source": b"x"}, 400, "Send the photos in multipart fields named 'source' and 'target' ('target' missing)"),
    ({}, 400, "Send the photos in multipart fields"),
    ({"source": b"GIF89a.......", "target": "red"}, 400, "source: This file is not a JPEG"),
    ({"source": "red", "target": b""}, 400, "target: The file is empty"),
    ({"source": "red", "target": "red", "threshold": "high"}, 400, "The threshold must be a number from 0 to 100"),
    ({"source": "red", "target": "red", "threshold": "150"}, 400, "The threshold must be a number from 0 to 100"),
])
def test_api_errors_are_json_sentences(client, kwargs, status, start):
    kwargs = {k: make_photo(RED) if v == "red" else v for k, v in kwargs.items()}
    response = _api(client, **kwargs)
    assert response.status_code == status
    assert response.get_json()["error"].startswith(start)
