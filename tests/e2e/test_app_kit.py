"""The browser kit itself: the served demo answers, and axe-core and screenshots work on a real
page. (Its clock and the page's moving together is tested in test_app_instructor.py, whose
module moves the clock anyway: this one runs on the shared app, whose clock stays.)"""

from __future__ import annotations

from datetime import timedelta

import pytest

from .app_browser import Api, check_axe, shot, sign_in, wait_ready

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served_app(shared_app):
    """The test process's shared app: this module moves no clock and changes nothing another
    module reads (what it adds has names of its own)."""
    return shared_app


def test_the_served_demo_signs_in_its_instructor(served_app):
    service, _ = served_app
    teacher = Api(service.url, "teacher@school.example")
    assert teacher.me["role"] == "instructor"
    assert any(e["asset_tag"] == "RVC-CNC-001" for e in teacher.all("/equipment"))


def test_the_shared_apps_clock_refuses_to_move(served_app):
    _, clock = served_app
    with pytest.raises(RuntimeError, match="cannot move"):
        clock.move_to(clock.now() + timedelta(hours=1))


def test_the_dashboards_sign_in_page_is_axe_clean_on_a_phone(open_page):
    page = open_page("/dashboard", device="phone", locale="zh-CN")
    page.get_by_test_id("email").wait_for(state="visible")
    check_axe(page, "kit-dashboard-signin-phone")
    assert shot(page, "kit-dashboard-signin-phone").exists()
    assert not page.problems, page.problems


def test_the_app_shell_asks_a_signed_out_visitor_to_sign_in_then_goes_back(open_page):
    page = open_page("/qualifications", device="phone")
    wait_ready(page, "signin")
    check_axe(page, "kit-app-signin-phone")
    sign_in(page, "teacher@school.example")
    wait_ready(page, "qualifications")
    assert page.evaluate("location.pathname") == "/qualifications"
    assert not page.problems, page.problems
