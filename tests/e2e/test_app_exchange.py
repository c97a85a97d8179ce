"""The exchange end to end, on pages only, against `benchshare serve --demo` with a moved clock:
an enterprise drafts an offer from an idle item, edits its windows and submits it; the school's
admin approves it; a student books inside it; the enterprise approves the request before its
deadline; the student checks in and out at the machine; the instructor records the outcome; the
enterprise reads the outcome and its impact; after the month the school confirms it and the
enterprise prints its statement. Each actor on its own device and language, axe-core on every
page; the API is only read, to check what the pages did."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from .app_browser import PASSWORD, Api, check_axe, shot, sign_in, wait_ready, wait_until

pytestmark = pytest.mark.e2e

ZONE = ZoneInfo("Asia/Shanghai")  # the co-built EV lab's
# Greenvolt offers nothing to Lakeside yet (one live offer per school and enterprise).
MANAGER = "manager@enterprise2.example"
ADMIN = "admin@school2.example"
STUDENT = "student1@school2.example"
TEACHER = "teacher@school2.example"  # Lakeside's first instructor, added before the walk
TEACHER_PASSWORD = "a-long-password-for-lakeside"
TAUGHT = "Reading a battery pack's cell balance on the BMS bench."
IDLE_TAG = "GV-BMS-001"  # idle for weeks in the demo, needs no qualification


def _next_weekday(day: date, weekday: int) -> date:
    """The first date after `day` with this ISO weekday."""
    ahead = (weekday - day.isoweekday()) % 7 or 7
    return day + timedelta(days=ahead)


class Walk:
    """The actors' pages, each opened once on its own device and language and reused."""

    def __init__(self, open_page, service):
        self.open_page = open_page
        self.service = service
        self.pages = {}

    def page(self, email, path, module, *, device, locale):
        page = self.pages.get(email)
        password = TEACHER_PASSWORD if email == TEACHER else PASSWORD
        if page is None:
            page = self.pages[email] = self.open_page(path, device=device, locale=locale)
            sign_in(page, email, password)
        else:
            page.goto(self.service.url + path)
            # A moved clock lapses the session: the app asks to sign in, then comes back here.
            wait_until(page, "document.body.dataset.ready", what="a page drawn")
            if page.evaluate("document.body.dataset.ready") == "signin":
                sign_in(page, email, password)
        wait_ready(page, module)
        return page

    def check(self, page, name):
        check_axe(page, f"exchange-{name}")
        shot(page, f"exchange-{name}")


def test_the_exchange_walks_from_an_idle_item_to_a_printed_statement(served_app, open_page):
    service, clock = served_app
    walk = Walk(open_page, service)
    Api(service.url, ADMIN).ok("POST", "/users", {
        "email": TEACHER, "full_name": "Zhao Min", "role": "instructor",
        "password": TEACHER_PASSWORD})
    manager = Api(service.url, MANAGER)
    item = manager.equipment(IDLE_TAG)
    today = clock.now().astimezone(ZONE).date()
    session_day = _next_weekday(today + timedelta(days=3), 2)  # a Tuesday next week or after
    window_from, window_to = today + timedelta(days=1), session_day + timedelta(days=14)

    # 1. The enterprise, on a desktop in English: the fleet flags the idle item; a draft offer
    #    to Lakeside is made from it and opens in the editor.
    page = walk.page(MANAGER, "/fleet", "fleet", device="desktop", locale="en-GB")
    row = page.locator(f"[data-testid='fleet-row'][data-equipment-id='{item['id']}']")
    row.get_by_test_id("fleet-draft-offer").wait_for()
    walk.check(page, "fleet-desktop-en")
    school = next(s for s in manager.all("/organisations", kind="school")
                  if s["name"].startswith("Lakeside"))
    row.get_by_test_id("fleet-school").select_option(str(school["id"]))
    row.get_by_test_id("fleet-draft-offer").click()
    # /offers/new?from_finding=... drafts it, then opens /offers/<id>/edit.
    wait_until(page, "/^\\/offers\\/\\d+\\/edit$/.test(location.pathname)",
               what="the draft's editor")
    wait_ready(page, "offer-edit")
    offer_id = int(page.url.split("?")[0].rstrip("/").split("/")[-2])
    drafted = manager.ok("GET", f"/offers/{offer_id}")
    assert drafted["status"] == "draft" and drafted["school_id"] == school["id"]
    assert [i["equipment_id"] for i in drafted["items"]] == [item["id"]]

    # 2. Its windows edited in the visual editor: one window over the coming weeks, Tuesdays
    #    09:00-12:00 only (cells toggled by click), approval by the enterprise within 48 h.
    window = page.get_by_test_id("offer-window").first
    for other in page.get_by_test_id("offer-window").all()[1:]:
        other.get_by_test_id("remove-window").click()
    window.get_by_test_id("window-starts-on").fill(window_from.isoformat())
    window.get_by_test_id("window-ends-on").fill(window_to.isoformat())
    grid = window.get_by_test_id("window-grid")
    window.get_by_test_id("window-clear").click()  # start from an empty week
    assert grid.locator("[aria-pressed='true']").count() == 0
    tuesday = grid.locator("[data-weekday='2'][data-time]")
    for cell in tuesday.all():
        if "09:00" <= cell.get_attribute("data-time") < "12:00":
            cell.click()
    page.get_by_test_id("offer-requires-approval").check()
    page.get_by_test_id("offer-approval-hours").fill("48")
    walk.check(page, "offer-editor-desktop-en")
    page.get_by_test_id("offer-save").click()
    wait_ready(page, "offer")
    saved = manager.ok("GET", f"/offers/{offer_id}")
    assert saved["windows"] == [{"starts_on": window_from.isoformat(),
                                 "ends_on": window_to.isoformat(),
                                 "spans": [{"weekday": 2, "opens": "09:00", "closes": "12:00"}]}]
    assert saved["requires_approval"] is True and saved["approval_hours"] == 48
    page.get_by_test_id("offer-submit").click()
    wait_until(page, "document.querySelector(\"[data-testid='offer-status']\")"
               "?.dataset.status === 'submitted'", what="the offer submitted")
    walk.check(page, "offer-submitted-desktop-en")

    # 3. The school's admin, on a phone in Chinese, reviews and approves it.
    page = walk.page(ADMIN, "/offers", "offers", device="phone", locale="zh-CN")
    page.locator(f"[data-testid='offer-row'][data-offer-id='{offer_id}'] a").first.click()
    wait_ready(page, "offer")
    page.get_by_test_id("offer-calendar").wait_for()
    walk.check(page, "offer-review-phone-zh")
    page.get_by_test_id("offer-approve").click()
    wait_until(page, "document.querySelector(\"[data-testid='offer-status']\")"
               "?.dataset.status === 'approved'", what="the offer approved")
    assert manager.ok("GET", f"/offers/{offer_id}")["status"] == "approved"

    # 4. A student, on a phone in English, books Tuesday 09:00-11:00 on the item's page: it
    #    waits for the enterprise's approval.
    page = walk.page(STUDENT, f"/equipment/{item['id']}", "item", device="phone",
                     locale="en-GB")
    page.get_by_test_id("book-date").fill(session_day.isoformat())
    page.get_by_test_id("book-from").fill("09:00")
    page.get_by_test_id("book-to").fill("11:00")
    page.get_by_test_id("book-submit").click()
    page.get_by_test_id("booked").wait_for()
    starts = datetime.combine(session_day, time(9), ZONE)
    student = Api(service.url, STUDENT)
    booking = next(r for r in student.all("/reservations", equipment_id=item["id"])
                   if datetime.fromisoformat(r["starts_at"]) == starts)
    assert booking["status"] == "pending" and booking["offer_id"] == offer_id

    # 5. The enterprise decides on its requests page before the deadline it counts down.
    page = walk.page(MANAGER, "/approvals", "approvals", device="desktop", locale="en-GB")
    request = page.locator(f"[data-reservation-id='{booking['id']}']")
    assert request.get_by_test_id("approval-countdown").inner_text().strip()
    walk.check(page, "requests-desktop-en")
    request.get_by_test_id("approve").click()
    wait_until(page, f"!document.querySelector(\"[data-reservation-id='{booking['id']}'] "
               "[data-testid='approve']\")", what="the request decided")
    assert Api(service.url, STUDENT).ok(
        "GET", f"/reservations/{booking['id']}")["status"] == "confirmed"

    # 6. On the day: the student checks in and out at the machine (its QR page).
    clock.move_to(starts - timedelta(minutes=5))
    page = walk.page(STUDENT, f"/equipment/{item['id']}", "item", device="phone",
                     locale="en-GB")
    assert page.get_by_test_id("action-check-in").inner_text() == "Check in"
    page.get_by_test_id("action-check-in").click()
    page.get_by_test_id("qr-panel").get_by_test_id("done").wait_for()
    assert Api(service.url, STUDENT).ok(
        "GET", f"/reservations/{booking['id']}")["status"] == "checked_in"
    clock.move_to(starts + timedelta(hours=1, minutes=55))
    page.reload()
    wait_ready(page, "item")
    assert page.get_by_test_id("action-check-out").inner_text() == "Check out"
    page.get_by_test_id("action-check-out").click()
    page.get_by_test_id("qr-panel").get_by_test_id("done").wait_for()

    # 7. The instructor, on a desktop in Chinese, records what the session taught.
    page = walk.page(TEACHER, f"/outcomes/new/{booking['id']}", "outcome", device="desktop",
                     locale="zh-CN")
    page.get_by_test_id("skill").first.check()
    page.get_by_test_id("outcome-text").fill(TAUGHT)
    page.get_by_test_id("outcome-save").click()
    page.get_by_test_id("outcome-saved").wait_for()

    # 8. The enterprise reads the outcome it received and its impact.
    page = walk.page(MANAGER, "/received", "received", device="desktop", locale="en-GB")
    received = page.get_by_test_id("received-row").filter(
        has_text=TAUGHT)
    received.first.wait_for()
    walk.check(page, "received-desktop-en")
    page = walk.page(MANAGER, f"/impact?year={session_day.year}", "impact", device="desktop",
                     locale="en-GB")
    month = session_day.strftime("%Y-%m")
    statement = page.locator(f"[data-testid='statement-month'][data-month='{month}']"
                             f"[data-school-id='{school['id']}']")
    statement.wait_for()
    assert statement.get_attribute("data-confirmed") == "false"

    # 9. After the month: the school's admin sees the figures it freezes, then confirms.
    clock.move_to(datetime.combine(date(session_day.year + (session_day.month == 12),
                                        session_day.month % 12 + 1, 4), time(10), ZONE))
    page = walk.page(ADMIN, "/partners", "partners", device="phone", locale="zh-CN")
    confirm = page.locator(f"[data-testid='confirm-month'][data-month='{month}']").first
    confirm.wait_for()
    walk.check(page, "partners-phone-zh")
    confirm.click()
    page.locator(f"[data-testid='month-confirmed'][data-month='{month}']").first.wait_for()

    # 10. The enterprise's statement shows the month confirmed, and prints as a clean document.
    page = walk.page(MANAGER, f"/impact?year={session_day.year}", "impact", device="desktop",
                     locale="en-GB")
    row = f"[data-testid='statement-month'][data-month='{month}'][data-school-id='{school['id']}']"
    confirmed = page.locator(row)
    wait_until(page, f"document.querySelector(\"{row}\")?.dataset.confirmed === 'true'",
               what="the month confirmed on the statement")
    assert confirmed.is_visible()
    walk.check(page, "statement-desktop-en")
    page.emulate_media(media="print")
    assert not page.get_by_test_id("nav").is_visible()
    assert not page.get_by_test_id("statement-print").is_visible()
    shot(page, "exchange-statement-print")
    for opened in walk.pages.values():
        assert not opened.problems, opened.problems
