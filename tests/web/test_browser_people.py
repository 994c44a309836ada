"""Real browsers (Chromium through Playwright) on the real app and models: who sees what, "who is this?", merge."""
from pathlib import Path

import pytest

from tests.conftest import ADMIN_PASSWORD
from tests.photos import photo_path
from tests.web.layout import box_sits_beside_its_text, in_one_row
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, live_server  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.model]


@pytest.fixture
def browser():
    """One Chromium; each test opens as many independent visitors (contexts) as it needs."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _visitor(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}).new_page()


def _upload(page, server, name):
    page.goto(server)
    page.set_input_files("input[name=image]", str(photo_path(name)))
    page.click("form[data-dropzone] button[type=submit]")
    page.wait_for_selector("ol.faces, .muted")
    return page.url.rsplit("/", 1)[1]


def _login(page, server):
    page.goto(f"{server}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")


def test_strangers_are_kept_apart_then_enrolled_from_the_unknown_faces_page(live_server, browser):  # noqa: F811
    alice, bob = _visitor(browser), _visitor(browser)
    alice_ids = [_upload(alice, live_server, "obama.jpg"), _upload(alice, live_server, "obama2.jpg")]
    bob_id = _upload(bob, live_server, "biden.jpg")
    alice.goto(f"{live_server}/history")
    bob.goto(f"{live_server}/history")
    assert all(a in alice.content() for a in alice_ids) and bob_id not in alice.content()
    assert bob_id in bob.content() and not any(a in bob.content() for a in alice_ids)

    admin = _visitor(browser)
    _login(admin, live_server)
    admin.goto(f"{live_server}/history")
    assert all(a in admin.content() for a in [*alice_ids, bob_id])  # the admin sees both
    filters = admin.locator("form.filters")  # on one line on a wide screen, the fields as high as the button
    assert in_one_row(filters.locator("select[name=person]"), filters.locator("input[name=label]"),
                      filters.locator("input[name=word]"), filters.locator("button"))
    admin.goto(f"{live_server}/admin/unknown/")
    biggest = admin.locator("section.cluster").first
    assert biggest.locator("h2").inner_text() == "2 photos" and biggest.locator("ul.faces img").count() == 2
    assert in_one_row(*biggest.locator("ul.faces img").all())  # thumbnails side by side, not a list
    different = biggest.locator("form.enrol-new label.check:has(input[name=allow_duplicate])")
    assert all(box_sits_beside_its_text(label) for label in biggest.locator("label.check").all())
    different.click()  # the label's text ticks its box, and unticks it
    assert different.locator("input").is_checked()
    different.click()
    assert not different.locator("input").is_checked()
    biggest.locator("form.enrol-new input[name=name]").fill("Barack Obama")
    biggest.locator("form.enrol-new input[name=consent]").check()
    biggest.locator("form.enrol-new button[type=submit]").click()
    assert "Barack Obama now has 2 face(s)" in admin.inner_text("main")

    _upload(bob, live_server, "obama3.jpg")  # a new photo of the stranger is now named
    bob.wait_for_selector(".facebox.known")
    assert "Barack Obama" in bob.inner_text(".facebox.known .tag")
    alice.goto(f"{live_server}/analyses/{alice_ids[0]}")  # and so are the past ones
    assert "Barack Obama" in alice.inner_text("main")


def test_admin_merges_two_people_on_the_person_page(live_server, browser):  # noqa: F811
    admin = _visitor(browser)
    _login(admin, live_server)
    for name, photo in (("Obama One", "obama.jpg"), ("Obama Two", "obama3.jpg")):
        admin.goto(f"{live_server}/admin/people/new")
        admin.fill("input[name=name]", name)
        admin.set_input_files("input[name=images]", [str(photo_path(photo))])
        admin.check("input[name=consent]")
        admin.click("form[data-dropzone] button[type=submit]")
    admin.goto(f"{live_server}/admin/")
    admin.click("text=Obama One")
    rename = admin.locator("form:has(input[name=name])")  # each fix on one line: field, then its button
    assert in_one_row(rename.locator("input[name=name]"), rename.locator("button"))
    admin.select_option("form[data-merge] select[name=into]", label="Obama Two (1 face(s))")
    admin.click("form[data-merge] button[type=submit]")
    assert "Merged: Obama Two now has 2 face(s)" in admin.inner_text("main")
    admin.goto(f"{live_server}/admin/")
    assert admin.locator("ul.people li").count() == 1 and "2 face(s)" in admin.inner_text("ul.people")
