"""The browser kit itself: the served demo answers, its clock and the page's move together, and
axe-core and screenshots work on a real page."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest

from .app_browser import Api, check_axe, shot, sign_in, wait_ready
from .outage import call

pytestmark = pytest.mark.e2e


def _server_time(service):
    _, headers, _ = call(service.url + "/healthz")
    return parsedate_to_datetime(headers["Date"])


def test_the_served_demo_signs_in_its_instructor(served_app):
    service, _ = served_app
    teacher = Api(service.url, "teacher@school.example")
    assert teacher.me["role"] == "instructor"
    assert any(e["asset_tag"] == "RVC-CNC-001" for e in teacher.all("/equipment"))


def test_moving_the_clock_moves_the_server_and_the_page(served_app, open_page):
    service, clock = served_app
    page = open_page("/dashboard", device="desktop")
    before = _server_time(service)
    target = clock.now() + timedelta(days=3, hours=2)
    clock.move_to(target)
    assert abs((_server_time(service) - target).total_seconds()) < 10
    in_page = page.evaluate("Date.now()") / 1000
    assert abs(in_page - target.timestamp()) < 10
    assert _server_time(service) - before > timedelta(days=3)
    # The service still answers after the jump (gunicorn's workers kept their heads).
    assert Api(service.url, "teacher@school.example").me["role"] == "instructor"
    with pytest.raises(ValueError):
        clock.move_to(target - timedelta(days=1))


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
