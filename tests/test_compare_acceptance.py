"""Compare faces with the real models on real photos (local mode, end to end)."""
import io
import json

import pytest
from PIL import Image
from skimage import data as skdata

from tests.photos import photo_path
from webapp import create_app
from webapp.services.comparison import sentence

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """An app on the real local backend, shared so models load once."""
    app = create_app({"data_dir": tmp_path_factory.mktemp("compare-data"), "secret_key": "test", "testing": True})
    services = app.extensions["services"]
    return app, services.comparer


def _compare(comparer, source: bytes, target: bytes):
    return comparer.compare(comparer.decode(source), comparer.decode(target))


def _bytes(name: str) -> bytes:
    return photo_path(name).read_bytes()


def _png(array) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG")
    return out.getvalue()


def test_two_photos_of_obama_match(real):
    result = _compare(real[1], _bytes("obama.jpg"), _bytes("obama2.jpg"))
    assert result.similarity is not None and result.similarity >= 80
    assert sentence(result).startswith("Same person (similarity")


def test_obama_is_not_biden(real):
    result = _compare(real[1], _bytes("obama.jpg"), _bytes("biden.jpg"))
    assert result.matches == () and len(result.unmatched) == 1
    assert sentence(result) == "Different people"


def test_obama_against_the_friends_cast_leaves_six_faces_unmatched(real):
    result = _compare(real[1], _bytes("obama.jpg"), _bytes("t1.jpg"))
    assert result.matches == () and len(result.unmatched) == 6 and result.target_faces == 6


def test_a_photo_without_a_face_gives_a_null_source_face(real):
    result = _compare(real[1], _png(skdata.coffee()), _bytes("obama.jpg"))
    assert result.source_face is None
    assert sentence(result) == "No face found in the first photo"


def test_api_and_cli_agree_on_obama3(real, tmp_path):
    app, _ = real
    response = app.test_client().post("/api/v1/comparisons", data={
        "source": (io.BytesIO(_bytes("obama3.jpg")), "a.jpg"), "target": (io.BytesIO(_bytes("obama2.jpg")), "b.jpg")})
    assert response.status_code == 201 and response.get_json()["match"] is True
    source, target = str(photo_path("obama3.jpg")), str(photo_path("obama2.jpg"))
    result = app.test_cli_runner().invoke(args=["compare", source, target, "--json"])
    row = json.loads(result.stdout)
    assert result.exit_code == 0 and row["similarity"] == response.get_json()["similarity"]


@pytest.fixture
def live_server(real):
    """The shared real app over HTTP on a free loopback port, in a thread."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, real[0], threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


_DROP = """([selector, b64, name]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: "image/jpeg"}));
  document.querySelector(selector).dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
}"""


@pytest.mark.browser
def test_browser_drop_two_photos_and_see_the_verdict(live_server, tmp_path):
    import base64

    from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []  # script errors and CSP refusals (an inline script would be one); not the favicon's 404
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
        page.goto(f"{live_server}/compare")
        page.evaluate(_DROP, ["label[for=source]", base64.b64encode(_bytes("obama.jpg")).decode(), "obama.jpg"])
        page.set_input_files("input[name=target]", str(photo_path("obama2.jpg")))
        assert page.is_visible("label[for=source] .preview") and page.is_visible("label[for=target] .preview")
        assert page.inner_text("label[for=source] .drop-hint") == "obama.jpg"
        page.click("form[data-compare] button[type=submit]")
        assert page.inner_text("[data-verdict]").startswith("Same person (similarity")
        assert page.locator(".compare-result .facebox").count() == 2
        page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
        browser.close()
    assert errors == []
