"""The administrators' keeping pages in a real browser against `benchshare serve --demo`: a
base's opening hours scheduled from a later day and its closures, an item's rules (and a stale
edit explained, never overwritten), a blackout over a booking, people and quotas, and an
enterprise's manager against its plain staff; phone and desktop, English and Chinese,
axe-core on each page, names shown as text."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from .app_browser import (
    ARTIFACTS,
    Api,
    check_axe,
    shot,
    sign_in,
    unique,
    visible,
    wait_ready,
    wait_until,
)
from .outage import call

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served_app(shared_app):
    """The test process's shared app: this module moves no clock and changes nothing another
    module reads (what it adds has names of its own)."""
    return shared_app


ZONE = ZoneInfo("Asia/Shanghai")  # every demo base's zone
ADMIN = "admin@school.example"
HOSTILE = '<img src=x onerror="window.pwned=1">Mallory'


def _today(clock) -> date:
    return clock.now().astimezone(ZONE).date()


def _weekday_after(clock, days: int, weekdays=(1, 2, 3, 4, 5)) -> date:
    day = _today(clock) + timedelta(days=days)
    while day.isoweekday() not in weekdays:
        day += timedelta(days=1)
    return day


def _open(open_page, path, device, locale, email=ADMIN, module=None):
    page = open_page(path, device=device, locale=locale)
    sign_in(page, email)
    wait_ready(page, module or path.strip("/").split("/")[0])
    return page


def _name(device, locale, what):
    return f"school-{what}-{device}-{locale.split('-')[0]}"


def _campus(api: Api) -> dict:
    return next(b for b in api.all("/training-bases") if b["name"].startswith("Riverside Campus"))


def _saturday(page, container: str) -> str:
    return page.locator(f"[data-testid={container}] [data-testid=hours-weekday]"
                        "[data-weekday='6'] dd").first.inner_text()


# ---------------------------------------------------------------- a base

def test_an_admin_schedules_new_saturday_hours_and_keeps_closures(served_app, open_page):
    service, clock = served_app
    admin = Api(service.url, ADMIN)
    campus = _campus(admin)
    page = _open(open_page, "/bases", "phone", "en-GB")
    rows = page.get_by_test_id("base-row")
    assert str(campus["id"]) in [r.get_attribute("data-base-id") for r in rows.all()]
    check_axe(page, _name("phone", "en-GB", "bases"))
    page.locator(f"[data-testid=base-row][data-base-id='{campus['id']}'] a").click()
    wait_ready(page, "base")
    assert page.get_by_test_id("base-labels").get_attribute("href") == f"/labels/{campus['id']}"
    assert _saturday(page, "hours-current") == "09:00–17:00"

    # From a Saturday a week or more ahead, Saturdays close at 13:00.
    effective = _weekday_after(clock, 7, weekdays=(6,))
    page.get_by_test_id("hours-effective-from").fill(effective.isoformat())
    saturday = page.locator("[data-testid=hours-day][data-weekday='6']")
    saturday.get_by_test_id("hours-closes").first.fill("13:00")
    page.get_by_test_id("hours-save").click()
    visible(page, "saved")
    scheduled = f"hours-change][data-effective-from='{effective.isoformat()}'"
    assert _saturday(page, scheduled) == "09:00–13:00"
    assert _saturday(page, "hours-current") == "09:00–17:00"  # until then, as before
    answer = admin.ok("GET", f"/training-bases/{campus['id']}")
    change = next(c for c in answer["opening_hours_changes"]
                  if c["effective_from"] == effective.isoformat())
    assert [(s["opens"], s["closes"]) for s in change["opening_hours"] if s["weekday"] == 6] == [
        ("09:00", "13:00")]
    assert [s for s in change["opening_hours"] if s["weekday"] == 1] == [
        s for s in answer["opening_hours"] if s["weekday"] == 1]

    # A closure added, then removed.
    closed = _weekday_after(clock, 10)
    page.get_by_test_id("closure-from").fill(closed.isoformat())
    page.get_by_test_id("closure-to").fill(closed.isoformat())
    page.get_by_test_id("closure-reason").fill(HOSTILE)
    page.get_by_test_id("closure-add").click()
    row = page.locator(f"[data-testid=closure-row][data-starts-on='{closed.isoformat()}']")
    row.wait_for(state="visible")
    assert HOSTILE in row.inner_text() and page.locator("main img").count() == 0
    check_axe(page, _name("phone", "en-GB", "base"))
    shot(page, _name("phone", "en-GB", "base"))
    row.get_by_test_id("closure-remove").click()
    page.get_by_test_id("dialog-ok").click()
    row.wait_for(state="detached")
    assert not [c for c in admin.all(f"/training-bases/{campus['id']}/closures")
                if c["starts_on"] == closed.isoformat()]
    assert page.evaluate("window.pwned") is None
    assert not page.problems, page.problems


# ---------------------------------------------------------------- an item

def test_an_admin_edits_an_items_rules_and_a_stale_edit_is_explained(served_app, open_page):
    service, _ = served_app
    admin = Api(service.url, ADMIN)
    item = admin.equipment("RVC-PSIM-001")
    page = _open(open_page, f"/equipment/{item['id']}/edit", "desktop", "zh-CN",
                 module="equipment-edit")
    page.get_by_test_id("rule-max").fill("180")
    page.get_by_test_id("rule-approval").check()
    page.get_by_test_id("equipment-save").click()
    visible(page, "saved")
    after = admin.ok("GET", f"/equipment/{item['id']}")
    assert (after["max_duration_minutes"], after["requires_approval"]) == (180, True)
    check_axe(page, _name("desktop", "zh-CN", "equipment-edit"))
    shot(page, _name("desktop", "zh-CN", "equipment-edit"))

    # Someone renames the item while the page is open: the page's change is not sent over it.
    admin.ok("PATCH", f"/equipment/{item['id']}", {"name": "Column simulator (renamed)"})
    page.get_by_test_id("rule-buffer").fill("45")
    page.get_by_test_id("equipment-save").click()
    stale = visible(page, "stale")
    assert "他人" in stale.inner_text()
    assert page.get_by_test_id("equipment-name").input_value() == "Column simulator (renamed)"
    assert page.get_by_test_id("rule-buffer").input_value() == str(after["setup_buffer_minutes"])
    assert admin.ok("GET", f"/equipment/{item['id']}")["setup_buffer_minutes"] == after[
        "setup_buffer_minutes"]
    shot(page, _name("desktop", "zh-CN", "equipment-stale"))
    page.get_by_test_id("rule-buffer").fill("45")
    page.get_by_test_id("equipment-save").click()
    visible(page, "saved")
    assert admin.ok("GET", f"/equipment/{item['id']}")["setup_buffer_minutes"] == 45
    assert not page.problems, page.problems


def test_a_blackout_over_a_booking_lists_it_first_and_cancels_it(served_app, open_page):
    service, clock = served_app
    admin, student = Api(service.url, ADMIN), Api(service.url, "student2@school.example")
    item = admin.equipment("RVC-PSIM-002")
    day = _weekday_after(clock, 5)
    at = lambda hhmm: datetime.combine(day, time.fromisoformat(hhmm), ZONE).isoformat()  # noqa: E731
    status, booking = student.post("/reservations", {"equipment_id": item["id"],
                                                     "starts_at": at("10:00"),
                                                     "ends_at": at("11:00")})
    assert status == 201, booking

    page = _open(open_page, f"/equipment/{item['id']}/edit", "phone", "en-GB",
                 module="equipment-edit")
    page.get_by_test_id("blackout-from").fill(f"{day.isoformat()}T09:00")
    page.get_by_test_id("blackout-to").fill(f"{day.isoformat()}T12:00")
    page.get_by_test_id("blackout-reason").fill("Annual inspection")
    page.get_by_test_id("blackout-add").click()
    affected = visible(page, "blackout-affected")
    assert affected.get_attribute("data-reservation-id") == str(booking["id"])
    assert booking["holder_name"] in affected.inner_text()
    assert "10:00–11:00" in affected.inner_text()
    assert admin.ok("GET", f"/reservations/{booking['id']}")["status"] == "confirmed"
    check_axe(page, _name("phone", "en-GB", "blackout-confirm"))
    shot(page, _name("phone", "en-GB", "blackout-confirm"))
    page.get_by_test_id("dialog").screenshot(
        path=str(ARTIFACTS / f"{_name('phone', 'en-GB', 'blackout-dialog')}.png"))
    page.get_by_test_id("dialog-ok").click()
    visible(page, "blackout-row")
    assert "1" in visible(page, "saved").inner_text()
    assert admin.ok("GET", f"/reservations/{booking['id']}")["status"] == "cancelled"
    assert "Annual inspection" in page.get_by_test_id("blackout-row").first.inner_text()
    shot(page, _name("phone", "en-GB", "blackout-added"))
    assert not page.problems, page.problems


# ---------------------------------------------------------------- people and quotas

def test_an_admin_creates_a_person_changes_the_role_and_disables_them(served_app, open_page):
    service, _ = served_app
    admin = Api(service.url, ADMIN)
    email = f"{unique('new')}@school.example"
    page = _open(open_page, "/people", "desktop", "zh-CN")
    page.get_by_test_id("person-name").fill(HOSTILE)
    page.get_by_test_id("person-email").fill(email)
    page.get_by_test_id("person-password").fill("a-long-enough-password-1")
    page.get_by_test_id("person-create").click()
    visible(page, "person-created")
    page.get_by_test_id("person-search").fill(email.split("@")[0])
    page.get_by_test_id("person-find").click()
    wait_until(page, "document.querySelectorAll('[data-testid=person-row]').length === 1")
    row = page.get_by_test_id("person-row")
    assert HOSTILE in row.inner_text() and page.locator("main img").count() == 0
    person = admin.user(email)
    assert (person["full_name"], person["role"]) == (HOSTILE, "student")

    row.get_by_test_id("person-role").select_option("instructor")
    wait_until(page, "document.querySelector('[data-testid=person-row]').dataset.role"
                     " === 'instructor'")
    assert admin.user(email)["role"] == "instructor"
    check_axe(page, _name("desktop", "zh-CN", "people"))
    shot(page, _name("desktop", "zh-CN", "people"))
    assert call(service.url + "/api/v1/auth/token", "POST",
                {"email": email, "password": "a-long-enough-password-1"})[0] == 200
    page.get_by_test_id("person-disable").click()
    page.get_by_test_id("dialog-ok").click()
    wait_until(page, "document.querySelector('[data-testid=person-row]').dataset.active"
                     " === 'false'")
    status, _, refusal = call(service.url + "/api/v1/auth/token", "POST",
                              {"email": email, "password": "a-long-enough-password-1"})
    assert status in (401, 403) and refusal["code"] == "account_disabled", refusal
    assert page.evaluate("window.pwned") is None
    assert not page.problems, page.problems


def test_an_admin_sets_the_students_quota(served_app, open_page):
    service, _ = served_app
    admin = Api(service.url, ADMIN)
    page = _open(open_page, "/quotas", "phone", "zh-CN")
    student = page.locator("[data-testid=quota-row][data-role=student]")
    student.get_by_test_id("quota-weekly").fill("10")
    student.get_by_test_id("quota-active").fill("")
    student.get_by_test_id("quota-save").click()
    assert "不限" in visible(page, "saved").inner_text()
    quotas = admin.ok("GET", f"/organisations/{admin.me['organisation_id']}/quotas")["items"]
    assert {"role": "student", "category": None, "weekly_hours": 10,
            "active_reservations": None,
            "organisation_id": admin.me["organisation_id"]} in quotas
    check_axe(page, _name("phone", "zh-CN", "quotas"))
    shot(page, _name("phone", "zh-CN", "quotas"))
    assert not page.problems, page.problems
    # The demo's quota back (seeds/quotas.json): the other modules on the shared app book
    # as Riverside's students.
    admin.ok("PUT", f"/organisations/{admin.me['organisation_id']}/quotas/student",
             {"weekly_hours": 12, "active_reservations": 6})


def test_an_enterprise_manager_keeps_its_people_and_its_staff_only_read(served_app, open_page):
    service, _ = served_app
    email = f"{unique('staff')}@enterprise1.example"
    page = _open(open_page, "/people", "phone", "en-GB", email="manager@enterprise1.example")
    page.get_by_test_id("person-name").fill("Wang Fang")
    page.get_by_test_id("person-email").fill(email)
    page.get_by_test_id("person-password").fill("a-long-enough-password-2")
    page.get_by_test_id("person-create").click()
    visible(page, "person-created")
    row = page.locator("[data-testid=person-row]").filter(has_text=email)
    assert row.get_attribute("data-role") == "enterprise_staff"
    check_axe(page, _name("phone", "en-GB", "people-manager"))
    shot(page, _name("phone", "en-GB", "people-manager"))
    page.goto(page.base_url + "/bases")
    wait_ready(page, "bases")
    assert page.get_by_test_id("base-row").count() >= 1
    assert page.get_by_test_id("base-create").count() == 1

    staff = _open(open_page, "/people", "desktop", "en-GB", email="staff@enterprise1.example")
    assert staff.get_by_test_id("person-row").count() >= 2
    assert staff.get_by_test_id("person-create").count() == 0
    assert staff.get_by_test_id("person-disable").count() == 0
    assert staff.get_by_test_id("person-manager").count() == 0
    visible(staff, "read-only")
    check_axe(staff, _name("desktop", "en-GB", "people-staff"))
    assert not page.problems and not staff.problems, (page.problems, staff.problems)


def test_an_admin_adds_and_removes_a_co_owner_of_a_co_built_base(served_app, open_page):
    service, _ = served_app
    admin = Api(service.url, ADMIN)
    lab = next(b for b in admin.all("/training-bases") if b["kind"] == "co_built")
    lakeside = next(o for o in admin.all("/organisations") if o["name"].startswith("Lakeside"))
    page = _open(open_page, f"/bases/{lab['id']}", "desktop", "zh-CN", module="base")
    assert "星期六" in page.get_by_test_id("hours-current").inner_text()
    owners = lambda: [int(o.get_attribute("data-organisation-id"))  # noqa: E731
                      for o in page.get_by_test_id("co-owner").all()]
    assert owners() == lab["co_owner_ids"]
    page.get_by_test_id("co-owner-pick").select_option(str(lakeside["id"]))
    page.get_by_test_id("co-owner-add").click()
    visible(page, "saved")
    assert sorted(owners()) == sorted([*lab["co_owner_ids"], lakeside["id"]])
    assert lakeside["id"] in admin.ok("GET", f"/training-bases/{lab['id']}")["co_owner_ids"]
    check_axe(page, _name("desktop", "zh-CN", "co-built-base"))
    shot(page, _name("desktop", "zh-CN", "co-built-base"))
    page.locator(f"[data-testid=co-owner][data-organisation-id='{lakeside['id']}'] "
                 "[data-testid=co-owner-remove]").click()
    wait_until(page, "(id) => !document.querySelector("
                     "`[data-testid=co-owner][data-organisation-id='${id}']`)", lakeside["id"])
    assert admin.ok("GET", f"/training-bases/{lab['id']}")["co_owner_ids"] == lab["co_owner_ids"]
    assert not page.problems, page.problems
