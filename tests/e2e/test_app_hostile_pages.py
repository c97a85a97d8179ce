"""The workspace pages against a hostile neighbour: another organisation's offer, base or item
opened by id shows the plain not-found page, a student is turned away from the workspaces, and
a name made of markup and one unbroken 200-character word is shown as text and wrapped on a
phone."""

from __future__ import annotations

import pytest

from .app_browser import api, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served_app(shared_app):
    """The test process's shared app: this module moves no clock and changes nothing another
    module reads (what it adds has names of its own)."""
    return shared_app


HUAXIN, RIVERSIDE = "manager@enterprise1.example", "admin@school.example"
LAKESIDE, STUDENT = "admin@school2.example", "student1@school.example"
MARKUP = "<img src=x onerror=alert(1)>"
HOSTILE = MARKUP + "W" * (200 - len(MARKUP))  # the longest name the API takes


@pytest.fixture(scope="module")
def huaxin(served_app):
    """Huaxin's first offered item (offer to Riverside) and its base, the item renamed."""
    service, _ = served_app
    manager = api(service, HUAXIN)
    offer = next(o for o in manager.all("/offers") if o["status"] == "approved")
    item = manager.ok("GET", f"/equipment/{offer['items'][0]['equipment_id']}")
    manager.ok("PATCH", f"/equipment/{item['id']}", {"name": HOSTILE})
    return {"offer": offer["id"], "item": item["id"], "base": item["base_id"]}


def _open(open_page, email, path):
    """A phone page on `path`, signed in as `email` through the form it shows there."""
    page = open_page(path, device="phone")
    sign_in(page, email)  # back on `path`, drawn
    return page


def _shown_as_text(page) -> None:
    assert HOSTILE in page.inner_text("main")
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]
    assert not page.problems, page.problems


@pytest.mark.parametrize("path", ["/offers/{offer}", "/bases/{base}", "/equipment/{item}/edit"])
def test_another_schools_admin_opening_a_neighbours_page_by_id_finds_nothing(
        open_page, huaxin, path):
    page = _open(open_page, LAKESIDE, path.format(**huaxin))
    assert page.get_by_test_id("not-found").is_visible()
    text = page.inner_text("main")
    assert "Huaxin" not in text and HOSTILE not in text


@pytest.mark.parametrize("path", ["/offers/{offer}", "/fleet", "/people", "/partners"])
def test_a_student_is_turned_away_from_the_workspaces(open_page, huaxin, path):
    page = _open(open_page, STUDENT, path.format(**huaxin))
    assert page.get_by_test_id("not-for-role").is_visible()
    assert HOSTILE not in page.inner_text("main")


def test_the_addressed_school_reads_the_offered_item_but_edits_nothing(open_page, huaxin):
    page = _open(open_page, RIVERSIDE, "/equipment/{item}/edit".format(**huaxin))
    assert page.get_by_test_id("not-yours").is_visible()
    assert page.get_by_test_id("equipment-save").count() == 0
    _shown_as_text(page)
    page = _open(open_page, RIVERSIDE, "/offers/{offer}".format(**huaxin))
    _shown_as_text(page)


@pytest.mark.parametrize("path", ["/fleet", "/equipment/{item}/edit", "/bases/{base}",
                                  "/offers/{offer}"])
def test_a_name_of_markup_and_one_long_word_is_text_wrapped_on_a_phone(open_page, huaxin, path):
    page = _open(open_page, HUAXIN, path.format(**huaxin))
    _shown_as_text(page)
