"""The classes pages in a real browser against `benchshare serve --demo`: an admin adds a class,
fills it with students found by name and takes one out, and sets a category's quota (desktop,
English); on a phone in Chinese the admin reads a class's students with their practice hours
and an instructor books for the class picked by its name. axe-core after each page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from .app_browser import Api, check_axe, shot, sign_in, unique, visible, wait_ready, wait_until

pytestmark = pytest.mark.e2e

ZONE = ZoneInfo("Asia/Shanghai")  # every demo base's zone
ADMIN, TEACHER = "admin@school.example", "teacher@school.example"
DEMO_CLASS = "CNC 2026 A"  # seeds/classes.json: student1..5


def _school_day(clock, days_ahead: int) -> date:
    day = clock.now().astimezone(ZONE).date() + timedelta(days=days_ahead)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def _open(open_page, path, device, locale, email, module):
    page = open_page(path, device=device, locale=locale)
    sign_in(page, email)
    wait_ready(page, module)
    return page


def test_an_admin_adds_a_class_fills_it_and_sets_a_category_quota(served_app, open_page):
    service, _ = served_app
    admin = Api(service.url, ADMIN)
    name = f"Welding {unique('c')}"
    page = _open(open_page, "/classes", "desktop", "en-GB", ADMIN, "classes")
    assert DEMO_CLASS in page.get_by_test_id("classes-table").inner_text()
    check_axe(page, "classes-desktop-en")
    page.get_by_test_id("class-new-name").fill(name)
    page.get_by_test_id("class-create").click()
    wait_ready(page, "school-class")
    assert page.get_by_test_id("page-title").inner_text() == name
    for who in ("Liu Yang", "Zhao Lei"):
        page.get_by_test_id("member-search").fill(who.split()[0])
        page.locator("[data-testid=add-member]").first.click()
        wait_until(page, "(n) => [...document.querySelectorAll('[data-testid=member-row]')]"
                   ".some((r) => r.textContent.includes(n))", who, what=f"{who} in the class")
    check_axe(page, "school-class-desktop-en")
    shot(page, "school-class-desktop-en")
    liu = admin.user("student3@school.example")  # Liu Yang
    page.locator(f"[data-testid=remove-member][data-user-id='{liu['id']}']").click()
    wait_until(page, "() => document.querySelectorAll('[data-testid=member-row]').length === 1",
               what="one student left")
    made = next(c for c in admin.ok("GET", "/classes")["items"] if c["name"] == name)
    assert made["member_count"] == 1

    page.goto(f"{service.url}/quotas")
    wait_ready(page, "quotas")
    page.get_by_test_id("category-quota-role").select_option("student")
    page.get_by_test_id("category-quota-category").select_option("welding")
    page.get_by_test_id("category-quota-weekly").fill("40")
    page.get_by_test_id("category-quota-save").click()
    visible(page, "saved")
    row = page.locator("[data-testid=category-quota][data-role=student][data-category=welding]")
    row.wait_for(state="visible")
    check_axe(page, "quotas-categories-desktop-en")
    row.get_by_test_id("category-quota-remove").click()
    row.wait_for(state="detached")
    assert not page.problems, page.problems


def test_on_a_phone_in_chinese_an_admin_reads_a_class_and_an_instructor_books_it_by_name(
        served_app, open_page):
    service, clock = served_app
    teacher = Api(service.url, TEACHER)
    demo = next(c for c in teacher.ok("GET", "/classes")["items"] if c["name"] == DEMO_CLASS)
    page = _open(open_page, "/classes", "phone", "zh-CN", ADMIN, "classes")
    check_axe(page, "classes-phone-zh")
    page.locator(f"[data-testid=class-link][data-class-id='{demo['id']}']").click()
    wait_ready(page, "school-class")
    assert page.get_by_test_id("member-row").count() == demo["member_count"]
    assert "合计" in page.get_by_test_id("class-total").inner_text()
    check_axe(page, "school-class-phone-zh")
    shot(page, "school-class-phone-zh")
    page.goto(f"{service.url}/quotas")
    wait_ready(page, "quotas")
    check_axe(page, "quotas-phone-zh")

    simulator = teacher.equipment("RVC-PSIM-002")  # 12 people, no qualification
    day = _school_day(clock, 15)
    booker = _open(open_page, "/class", "phone", "zh-CN", TEACHER, "class")
    booker.get_by_test_id("class-item").select_option(str(simulator["id"]))
    booker.get_by_test_id("class-date").fill(day.isoformat())
    booker.get_by_test_id("class-from").fill("15:00")
    booker.get_by_test_id("class-to").fill("16:00")
    booker.get_by_test_id("class-pick").select_option(DEMO_CLASS)
    assert booker.get_by_test_id("attendee-search").is_hidden()
    check_axe(booker, "class-by-name-phone-zh")
    booker.get_by_test_id("class-book").click()
    booked = visible(booker, "booked")
    reservation = teacher.ok("GET", f"/reservations/{booked.get_attribute('data-reservation-id')}")
    assert reservation["class"] == {"id": demo["id"], "name": DEMO_CLASS}
    assert len(reservation["attendees"]) == demo["member_count"]
    assert datetime.fromisoformat(reservation["starts_at"]) == datetime.combine(
        day, time(15), ZONE)
    shot(booker, "class-by-name-phone-zh")
    assert not page.problems and not booker.problems, (page.problems, booker.problems)
