"""The workspace's front page in a real browser: each role sees its own sections and nav, an
enterprise's staff and the operator land there from "/", a student is turned away; phone and
desktop, English and Chinese, axe-core clean."""

from __future__ import annotations

import pytest

from .app_browser import check_axe, shot, sign_in, wait_ready

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served_app(shared_app):
    """The test process's shared app: this module moves no clock and changes nothing another
    module reads (what it adds has names of its own)."""
    return shared_app


SECTIONS = {
    "manager@enterprise1.example": ["fleet", "offers", "approvals", "received", "impact",
                                    "bases", "people", "people/import", "sign-on", "dashboard"],
    "staff@enterprise1.example": ["fleet", "offers", "approvals", "received", "impact",
                                  "bases", "dashboard"],
    "admin@school.example": ["offers", "approvals", "partners", "bases", "people",
                             "people/import", "classes", "sign-on", "quotas", "qualifications",
                             "dashboard"],
    "operator@benchshare.example": ["organisations", "vocabulary", "dashboard"],
}
VIEWS = {"manager@enterprise1.example": ("desktop", "en-GB"),
         "staff@enterprise1.example": ("phone", "zh-CN"),
         "admin@school.example": ("phone", "en-GB"),
         "operator@benchshare.example": ("desktop", "zh-CN")}


@pytest.mark.parametrize("email", list(SECTIONS))
def test_each_workspace_role_sees_its_own_sections(open_page, email):
    device, locale = VIEWS[email]
    page = open_page("/work", device=device, locale=locale)
    sign_in(page, email)
    wait_ready(page, "work")
    shown = page.locator("[data-testid^='work-']").evaluate_all(
        "(cards) => cards.map((c) => c.dataset.testid.slice(5))")
    assert shown == SECTIONS[email]
    # Every card's link is an app path or the dashboard, and its words are in the language.
    links = page.locator("[data-testid^='work-'] a").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))")
    assert links == [f"/{name}" for name in SECTIONS[email]]
    title = page.get_by_test_id("page-title").inner_text()
    assert title == ("工作台" if locale == "zh-CN" else "Workspace")
    assert page.get_by_test_id("nav-dashboard").is_visible() or device == "phone"
    name = f"work-{email.split('@')[0]}-{device}-{locale[:2]}"
    check_axe(page, name)
    shot(page, name)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= page.viewport_size["width"]
    assert not page.problems, page.problems


@pytest.mark.parametrize("email", ["manager@enterprise1.example", "operator@benchshare.example"])
def test_those_who_book_nothing_land_on_their_workspace(open_page, email):
    page = open_page("/", device="phone")
    sign_in(page, email)
    wait_ready(page, "work")
    assert page.url.endswith("/work")
    assert page.get_by_test_id("nav-home").count() == 0
    assert page.get_by_test_id("nav-find").count() == 0


def test_a_student_is_turned_away_from_the_workspace(open_page):
    page = open_page("/work", device="phone")
    sign_in(page, "student1@school.example")
    wait_ready(page, "not-for-role")
    assert page.get_by_test_id("nav-work").count() == 0
    assert page.get_by_test_id("nav-home").is_visible()
