"""A real browser (Debian's Chromium through Playwright) against the real app and models."""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import ADMIN_PASSWORD
from tests.photos import photo_path
from tests.web.layout import box_sits_beside_its_text
from webapp import create_app

pytestmark = [pytest.mark.browser, pytest.mark.model]
CHROMIUM = os.environ.get("GLIMPSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(tmp_path):
    """The app served over real HTTP on a free loopback port, in a thread."""
    app = create_app({"data_dir": tmp_path / "data", "secret_key": "browser-test", "admin_password": ADMIN_PASSWORD})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def page(tmp_path):
    """A Chromium page with a fresh profile."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context.new_page()
        context.close()


def test_admin_enrols_in_the_browser_and_a_visitor_sees_the_name(live_server, page, tmp_path):
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server}/admin/people/new")
    page.fill("input[name=name]", "Barack Obama")
    page.set_input_files("input[name=images]", [str(photo_path("obama.jpg")), str(photo_path("obama3.jpg"))])
    consent = page.locator("label.check:has(input[name=consent])")
    assert box_sits_beside_its_text(consent)
    consent.click()  # the label's text ticks the box
    assert consent.locator("input").is_checked()
    page.click("form[data-dropzone] button[type=submit]")
    assert "Enrolled Barack Obama with 2 face(s)" in page.inner_text("main")

    page.goto(live_server)
    page.set_input_files("input[name=image]", str(photo_path("obama2.jpg")))
    page.click("form[data-dropzone] button[type=submit]")
    page.wait_for_selector(".facebox.known")
    assert page.inner_text(".facebox.known .tag") == "1. Barack Obama"
    assert "similarity" in page.inner_text("ol.faces")
    shots = os.environ.get("GLIMPSE_SCREENSHOT_DIR")
    if shots:  # the README's screenshot is made by this test: GLIMPSE_SCREENSHOT_DIR=docs
        page.screenshot(path=str(Path(shots) / "result.png"), full_page=True)
    # the people list shows the face thumbnail to the admin
    page.goto(f"{live_server}/admin/")
    assert page.locator("ul.people img").count() == 1


def test_street_photo_boxes_toggle_and_text_is_read_on_request(live_server, page):
    """bus.jpg: object boxes show and hide with their toggle; 'Read text' lists the bus's slogan."""
    page.goto(live_server)
    page.set_input_files("input[name=image]", str(photo_path("bus.jpg")))
    page.click("button[type=submit]")
    boxes = page.locator(".objbox")
    assert boxes.count() == 5 and boxes.first.is_visible()
    page.click("label[for=show-objects]")
    assert not boxes.first.is_visible() and page.locator(".facebox").first.is_visible()
    page.click("text=Read text")
    assert "emisiones" in page.input_value("#text-list")
    assert page.locator(".textbox").count() >= 2


def test_likely_explicit_photo_is_blurred_until_show_anyway(tmp_path, page):
    """A flagged photo is blurred behind a veil; 'Show anyway' takes the blur away (CSS only, no script)."""
    from PIL import Image

    from tests.conftest import build_fake_backend
    from tests.fakes import MAGENTA

    data = tmp_path / "fake"
    app = create_app({"data_dir": data, "secret_key": "browser-test"}, backend=build_fake_backend(data))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    photo = tmp_path / "m.png"
    Image.new("RGB", (300, 200), MAGENTA).save(photo)
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.set_input_files("input[name=image]", str(photo))
        page.click("button[type=submit]")
        image = page.locator(".photo-frame img")
        assert "blur" in image.evaluate("e => getComputedStyle(e).filter")
        page.click("text=Show anyway")
        assert image.evaluate("e => getComputedStyle(e).filter") == "none"
        assert not page.locator(".veil").is_visible()
    finally:
        server.shutdown()
