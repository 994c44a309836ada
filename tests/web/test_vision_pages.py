"""Result page and API for object boxes, moderation and text (fake engines, real app and storage)."""
import io
import re

from PIL import Image

from tests.conftest import BLUE, RED, csrf_token
from tests.fakes import MAGENTA, make_photo


def _upload(client, data: bytes) -> str:
    form = {"image": (io.BytesIO(data), "p.png"), "csrf_token": csrf_token(client, "/")}
    response = client.post("/analyses", data=form, content_type="multipart/form-data")
    assert response.status_code == 302
    return response.headers["Location"]


def _magenta() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), MAGENTA).save(out, format="PNG")
    return out.getvalue()


def test_result_page_boxes_objects_counts_instances_and_toggles_them(client):
    """Two people -> two object boxes, 'Person ×2' in the labels, and Faces/Objects toggles."""
    page = client.get(_upload(client, make_photo(RED, BLUE))).get_data(as_text=True)
    assert page.count('class="objbox"') == 2 and page.count('class="facebox') == 2
    assert re.search(r"Person\s*<span class=\"times\">×2</span>", page)
    assert 'for="show-faces"' in page and 'for="show-objects"' in page
    assert "This photo is likely explicit" not in page


def test_read_text_button_reads_shows_overlay_and_a_copyable_list(client):
    """The page offers 'Read text'; after posting it the lines are listed and boxed."""
    location = _upload(client, make_photo(RED))
    page = client.get(location).get_data(as_text=True)
    assert "Read text" in page and 'class="textbox"' not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"{location}/text", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(location)
    page = client.get(location).get_data(as_text=True)
    assert "Read text" not in page and page.count('class="textbox"') == 1
    assert re.search(r'<textarea class="text-list" id="text-list"[^>]*>HELLO WORLD\n</textarea>', page)
    assert 'data-copy="text-list"' in page


def test_read_text_needs_the_csrf_token(client):
    """The form is protected like every other one."""
    location = _upload(client, make_photo(RED))
    assert client.post(f"{location}/text").status_code == 400


def test_photo_without_text_says_so(client):
    location = _upload(client, make_photo())
    client.post(f"{location}/text", data={"csrf_token": csrf_token(client, location)})
    assert "No text found in this photo." in client.get(location).get_data(as_text=True)


def test_likely_explicit_photo_is_blurred_with_show_anyway_and_a_blurred_thumbnail(client):
    """The photo frame is marked explicit, with the veil and its 'Show anyway' toggle; history blurs too."""
    page = client.get(_upload(client, _magenta())).get_data(as_text=True)
    assert 'class="photo-frame explicit"' in page and "Show anyway" in page and 'id="show-anyway"' in page
    assert "Flagged: Explicit Nudity 96%" in page
    history = client.get("/history").get_data(as_text=True)
    assert 'class="explicit"' in history


def test_api_analysis_has_instances_moderation_and_text_null_until_read(client):
    """labels[].instances, moderation_labels, and text null; POST .../text fills text (and GET shows it)."""
    body = client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED, BLUE)), "p.png")}).get_json()
    person = next(lb for lb in body["labels"] if lb["name"] == "Person")
    assert len(person["instances"]) == 2
    assert set(person["instances"][0]) == {"bounding_box", "confidence"}
    assert body["moderation_labels"] == [] and body["text"] is None
    read = client.post(f"/api/v1/analyses/{body['id']}/text")
    assert read.status_code == 200
    text = read.get_json()["text"]
    assert [(t["detected_text"], t["type"]) for t in text] == [("HELLO WORLD", "LINE"), ("HELLO", "WORD"),
                                                              ("WORLD", "WORD")]
    assert set(text[0]) >= {"detected_text", "type", "confidence", "bounding_box", "polygon"}
    assert len(text[0]["polygon"]) == 4 and set(text[0]["polygon"][0]) == {"x", "y"}
    assert client.get(f"/api/v1/analyses/{body['id']}").get_json()["text"] == text


def test_api_reads_text_at_upload_when_asked_and_flags_unsafe_photos(client):
    """text=true on upload returns the text at once; the unsafe stand-in comes back with its labels."""
    body = client.post("/api/v1/analyses", data={"image": (io.BytesIO(make_photo(RED)), "p.png"),
                                                 "text": "true"}).get_json()
    assert body["text"][0]["detected_text"] == "HELLO WORLD"
    flagged = client.post("/api/v1/analyses", data={"image": (io.BytesIO(_magenta()), "m.png")}).get_json()
    assert {(m["name"], m["parent_name"]) for m in flagged["moderation_labels"]} == {
        ("Explicit", ""), ("Explicit Nudity", "Explicit")}


def test_api_text_of_an_unknown_analysis_is_a_404_sentence(client):
    response = client.post("/api/v1/analyses/" + "0" * 32 + "/text")
    assert response.status_code == 404 and "no analysis" in response.get_json()["error"]
