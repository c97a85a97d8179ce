"""A student's app in a real browser (phone and desktop, English and Chinese) against a real
`benchshare serve --demo`: find and book, see it at home, check in and out at the machine's QR
page at the start time, the quota refusal in Chinese, a hostile item name shown as text, and
axe-core clean on every page on the way."""

from __future__ import annotations

import re
import time as clock_time
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from .app_browser import api, check_axe, shot, sign_in, wait_ready
from .outage import call

pytestmark = pytest.mark.e2e

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the demo's Riverside bases
HOSTILE = "<img src=x onerror=alert(1)>"


def _open_day(clock, after_days: int = 1) -> date:
    """The first day at least `after_days` after today in Shanghai on which Riverside opens
    its full hours (Monday to Friday, 08:00-12:00 and 13:30-21:00; Saturday closes at 17:00)."""
    day = clock.now().astimezone(SHANGHAI).date() + timedelta(days=after_days)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def _at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), SHANGHAI)


def _no_dialogs(page) -> list:
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return dialogs


@pytest.mark.parametrize(("device", "locale"), [("phone", "en-GB"), ("desktop", "zh-CN")])
def test_a_student_finds_a_free_item_for_tomorrow_afternoon_books_it_and_sees_it_at_home(
        served_app, open_page, device, locale):
    service, clock = served_app
    student = "student1@school.example" if device == "phone" else "student2@school.example"
    day = _open_day(clock)
    page = open_page("/find", device=device, locale=locale)
    sign_in(page, student)
    wait_ready(page, "find")
    page.get_by_test_id("find-date").fill(day.isoformat())
    page.get_by_test_id("find-from").fill("14:00")
    page.get_by_test_id("find-to").fill("16:00")
    page.get_by_test_id("find-submit").click()
    bookable = page.get_by_test_id("bookable-item")
    bookable.first.wait_for()
    check_axe(page, f"student-find-{device}-{locale}")
    shot(page, f"student-find-{device}-{locale}")
    # Items they may not book say why, in the page's language, never the API's English detail.
    refused = page.get_by_test_id("unbookable-item")
    if refused.count():
        reason = refused.first.get_by_test_id("refusal").inner_text()
        assert reason and (locale == "en-GB" or re.search(r"[\u4e00-\u9fff]", reason)), reason
    first = bookable.first
    name = first.get_by_test_id("item-link").inner_text()
    first.get_by_test_id("book").click()
    first.get_by_test_id("booked").wait_for()
    page.get_by_test_id("nav-home").click()
    wait_ready(page, "home")
    row = page.get_by_test_id("my-bookings").get_by_test_id("booking").filter(has_text=name)
    assert row.count() == 1
    assert "14:00" in row.get_by_test_id("booking-span").inner_text()
    assert row.get_attribute("data-status") in ("confirmed", "pending")
    check_axe(page, f"student-home-{device}-{locale}")
    shot(page, f"student-home-{device}-{locale}")
    assert not page.problems, page.problems


# (device, language, the holder, the item, the Check in and Check out buttons' words). On a
# phone in Chinese only: the exchange's walk (test_app_exchange.py) checks in and out on a phone
# in English, and the item's page is axe-checked on a desktop in English below (the waitlist).
AT_THE_MACHINE = [("phone", "zh-CN", "student3@school.example", "RVC-3DP-004", "签到", "签退")]


@pytest.mark.parametrize(("device", "locale", "email", "tag", "check_in_word",
                          "check_out_word"), AT_THE_MACHINE)
def test_the_holder_checks_in_and_out_on_the_items_qr_page_at_the_start_time(
        served_app, open_page, device, locale, email, tag, check_in_word, check_out_word):
    service, clock = served_app
    student = api(service, email)
    printer = student.equipment(tag)
    day = _open_day(clock)
    starts = _at(day, 17)
    ends = starts + timedelta(hours=1)
    made = student.ok("POST", "/reservations", {"equipment_id": printer["id"],
                                                "starts_at": starts.isoformat(),
                                                "ends_at": ends.isoformat()})
    clock.move_to(starts - timedelta(minutes=5))
    # The QR code opens the item's page in a new tab; signing in comes back to it.
    page = open_page(f"/equipment/{printer['id']}", device=device, locale=locale)
    sign_in(page, email)
    wait_ready(page, "item")
    assert page.url.endswith(f"/equipment/{printer['id']}")
    check_in = page.get_by_test_id("action-check-in")
    assert check_in.inner_text() == check_in_word
    check_axe(page, f"student-qr-check-in-{device}-{locale}")
    shot(page, f"student-qr-check-in-{device}-{locale}")
    check_in.click()
    page.get_by_test_id("qr-panel").get_by_test_id("done").wait_for()
    student = api(service, email)  # its token lapsed as the clock moved
    assert student.ok("GET", f"/reservations/{made['id']}")["status"] == "checked_in"

    clock.move_to(starts + timedelta(minutes=40))
    page.reload()
    wait_ready(page, "item")
    check_out = page.get_by_test_id("action-check-out")
    assert check_out.inner_text() == check_out_word
    check_out.click()
    page.get_by_test_id("qr-panel").get_by_test_id("done").wait_for()
    student = api(service, email)
    assert student.ok("GET", f"/reservations/{made['id']}")["status"] == "completed"
    # Nothing of theirs under way now: the page says when the item is free next.
    page.reload()
    wait_ready(page, "item")
    assert page.get_by_test_id("free-next").is_visible()
    assert not page.problems, page.problems


def test_a_student_at_their_quota_is_told_so_in_chinese(served_app, open_page):
    # On a phone only: a refusal on the item's page on a desktop is drawn (and axe-checked) by
    # the waitlist's test below, and every refusal's Chinese sentence is checked by
    # test_app_review.py's test_every_refusal_a_student_meets_when_booking_reads_as_chinese.
    service, clock = served_app
    device = "phone"
    email = "student4@school.example"
    student = api(service, email)
    quota = 6  # seeds/quotas.json: six active reservations for Riverside's students
    items = [student.equipment(tag) for tag in ("RVC-3DP-001", "RVC-3DP-002", "RVC-3DP-003",
                                                "RVC-PLC-001", "RVC-PLC-002", "RVC-PLC-003",
                                                "RVC-PLC-004")]
    day = _open_day(clock, 2)
    hour = 9
    for item in items[:quota]:
        student.ok("POST", "/reservations", {
            "equipment_id": item["id"], "starts_at": _at(day, hour).isoformat(),
            "ends_at": _at(day, hour + 1).isoformat()})
    page = open_page(f"/equipment/{items[quota]['id']}", device=device, locale="zh-CN")
    sign_in(page, email)
    wait_ready(page, "item")
    page.get_by_test_id("book-date").fill(day.isoformat())
    page.get_by_test_id("book-from").fill(f"{hour:02d}:00")
    page.get_by_test_id("book-to").fill(f"{hour + 1:02d}:00")
    page.get_by_test_id("book-submit").click()
    refusal = page.get_by_test_id("book-error")
    refusal.wait_for()
    assert f"您已有 {quota} 个有效预约，已达上限" in refusal.inner_text()
    assert "quota" not in refusal.inner_text().lower()
    check_axe(page, f"student-quota-{device}-zh")
    shot(page, f"student-quota-{device}-zh")
    assert not page.problems, page.problems


def test_a_hostile_item_name_shows_as_text_and_runs_nothing(served_app, open_page):
    service, clock = served_app
    admin = api(service, "admin@school.example")
    item = admin.equipment("RVC-PSIM-002")
    admin.ok("PATCH", f"/equipment/{item['id']}", {"name": HOSTILE})
    page = open_page(f"/equipment/{item['id']}", device="desktop", locale="en-GB")
    dialogs = _no_dialogs(page)
    sign_in(page, "student5@school.example")
    wait_ready(page, "item")
    assert page.get_by_test_id("item-name").inner_text() == HOSTILE
    assert page.locator("img[src='x']").count() == 0
    day = _open_day(clock)
    page.goto(f"{page.base_url}/find?on={day}&from=14:00&to=16:00")
    wait_ready(page, "find")
    page.get_by_text(HOSTILE).first.wait_for()
    assert page.locator("img[src='x']").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == [] and not page.problems, (dialogs, page.problems)


@pytest.mark.parametrize(("device", "locale"), [("phone", "zh-CN"), ("desktop", "en-GB")])
def test_every_student_page_is_axe_clean_and_says_its_words_in_the_chosen_language(
        served_app, open_page, device, locale):
    service, clock = served_app
    email = "student1@school.example"
    student = api(service, email)
    past = student.ok("GET", "/reservations", holder_id=student.me["id"], sort="starts_at",
                      page_size=1)["items"][0]
    item = student.equipment("RVC-3DP-005")
    page = open_page("/", device=device, locale=locale)
    sign_in(page, email)
    pages = [("/", "home"), ("/find", "find"), (f"/equipment/{item['id']}", "item"),
             (f"/bookings/{past['id']}", "booking"), ("/notifications", "notifications"),
             ("/practice", "practice"), ("/calendar", "calendar")]
    for path, module in pages:
        page.goto(page.base_url + path)
        wait_ready(page, module)
        page.wait_for_load_state("networkidle")
        title = page.locator("main h1").first.inner_text()
        if locale == "zh-CN" and module not in ("item", "booking"):
            assert re.search(r"[\u4e00-\u9fff]", title), (path, title)
        check_axe(page, f"student-{module}-{device}-{locale}")
        shot(page, f"student-{module}-{device}-{locale}")
    assert page.evaluate("document.documentElement.lang") == ("zh-CN" if locale == "zh-CN"
                                                              else "en")
    # The language switch changes the page in place and is remembered.
    page.get_by_test_id("lang-switch").click()
    wait_ready(page, "calendar")
    other = "en" if locale == "zh-CN" else "zh-CN"
    assert page.evaluate("document.documentElement.lang") == other
    page.reload()
    wait_ready(page, "calendar")
    assert page.evaluate("document.documentElement.lang") == other
    assert not page.problems, page.problems
    # Signed in, the switch also made it the student's own language (tests/e2e/
    # test_app_settings.py): once saved, give them theirs back for the next tests.
    saved = "zh-Hans" if other == "zh-CN" else "en"
    for _ in range(50):
        if student.ok("GET", "/me")["language"] == saved:
            break
        clock_time.sleep(0.1)
    student.ok("PATCH", "/me", {"language": "en"})


def test_an_expired_session_signs_in_again_and_comes_back(served_app, open_page):
    page = open_page("/practice", device="phone", locale="en-GB")
    sign_in(page, "student1@school.example")
    wait_ready(page, "practice")
    # The token is revoked behind the page's back: its next call answers 401.
    token = page.evaluate("localStorage.getItem('benchshare.token')")
    status, _, _ = call(page.base_url + "/api/v1/auth/token", "DELETE", token=token)
    assert status in (200, 204)
    page.get_by_test_id("nav-calendar").click()
    page.get_by_test_id("signin-notice").wait_for()
    assert "/signin" in page.url
    sign_in(page, "student1@school.example")
    wait_ready(page, "calendar")
    assert page.url.endswith("/calendar")
    assert not page.problems, page.problems


def test_the_pages_clock_arithmetic_keeps_dst_nights_and_odd_offsets_right(open_page):
    page = open_page("/signin", device="desktop")
    wait_ready(page, "signin")
    answer = page.evaluate("""async () => {
      const time = await import("/app/static/time.js");
      const hours = (d, z) => { const [s, e] = time.dayBounds(d, z); return (e - s) / 3600000; };
      const iso = (ms) => new Date(ms).toISOString();
      return {
        spring: hours("2026-03-29", "Europe/Berlin"),
        autumn: hours("2026-10-25", "Europe/Berlin"),
        plain: hours("2026-12-08", "Asia/Shanghai"),
        skipped: iso(time.zonedToInstant("2026-03-29", "02:30", "Europe/Berlin")),
        repeated: iso(time.zonedToInstant("2026-10-25", "02:30", "Europe/Berlin")),
        kathmandu: time.isoInZone(Date.UTC(2026, 11, 8, 3, 15), "Asia/Kathmandu"),
        midnight: iso(time.zonedToInstant("2026-12-08", "24:00", "Asia/Shanghai")),
        week: time.days("2026-10-22", 7).map((d) => hours(d, "Europe/Berlin")),
      };
    }""")
    assert answer["spring"] == 23 and answer["autumn"] == 25 and answer["plain"] == 24
    # service/calendar/wallclock.py's rule: a skipped wall time takes the offset before the
    # change, a repeated one is its first occurrence.
    assert answer["skipped"] == "2026-03-29T01:30:00.000Z"
    assert answer["repeated"] == "2026-10-25T00:30:00.000Z"
    assert answer["kathmandu"] == "2026-12-08T09:00:00+05:45"
    assert answer["midnight"] == "2026-12-08T16:00:00.000Z"
    assert answer["week"] == [24, 24, 24, 25, 24, 24, 24]


def test_the_owners_admin_sees_the_items_qr_code_and_can_print_it(served_app, open_page):
    service, _ = served_app
    item = api(service, "admin@school.example").equipment("RVC-3DP-006")
    page = open_page(f"/equipment/{item['id']}", device="phone", locale="en-GB")
    sign_in(page, "admin@school.example")
    wait_ready(page, "item")
    image = page.get_by_test_id("qr-image")
    image.wait_for()
    assert image.get_attribute("src").startswith("blob:")
    assert page.evaluate("document.querySelector('[data-testid=qr-image]').naturalWidth") > 0
    assert page.get_by_test_id("qr-print").is_visible()
    check_axe(page, "admin-item-qr-phone-en")
    shot(page, "admin-item-qr-phone-en")
    assert not page.problems, page.problems


def test_a_taken_span_is_explained_and_the_student_joins_the_waitlist(served_app, open_page):
    service, clock = served_app
    holder = api(service, "student2@school.example")
    plc = holder.equipment("RVC-PLC-004")
    day = _open_day(clock, 3)
    holder.ok("POST", "/reservations", {"equipment_id": plc["id"],
                                        "starts_at": _at(day, 19).isoformat(),
                                        "ends_at": _at(day, 20).isoformat()})
    page = open_page(f"/equipment/{plc['id']}", device="desktop", locale="en-GB")
    sign_in(page, "student1@school.example")
    wait_ready(page, "item")
    page.get_by_test_id("book-date").fill(day.isoformat())
    page.get_by_test_id("book-from").fill("19:00")
    page.get_by_test_id("book-to").fill("20:00")
    page.get_by_test_id("book-submit").click()
    refusal = page.get_by_test_id("book-error")
    refusal.wait_for()
    assert "Someone has booked this item then" in refusal.inner_text()
    assert "+08:00" in refusal.inner_text()
    page.get_by_test_id("join-waitlist").click()
    page.get_by_test_id("waiting").wait_for()
    student = api(service, "student1@school.example")
    waiting = student.ok("GET", "/waitlist")["items"]
    assert [w["equipment_id"] for w in waiting] == [plc["id"]]
    check_axe(page, "student-waitlist-desktop-en")
    assert not page.problems, page.problems


def test_the_next_free_slot_is_offered_only_to_whom_the_service_would_book_it(served_app,
                                                                              open_page):
    """A CNC lathe needs a qualification: student3 has none and is told whom to ask instead of
    being offered a one-tap booking the service would refuse; student1, qualified, gets it."""
    service, _ = served_app
    lathe = api(service, "student1@school.example").equipment("RVC-CNC-002")
    page = open_page(f"/equipment/{lathe['id']}", device="phone", locale="zh-CN")
    sign_in(page, "student3@school.example")
    wait_ready(page, "item")
    refused = page.get_by_test_id("next-refused")
    refused.wait_for()
    # In Chinese, with the instructor who grants it (the demo's Zhang Min) named.
    assert "资质" in refused.inner_text() and "Zhang Min" in refused.inner_text()
    assert page.get_by_test_id("book-next").count() == 0
    check_axe(page, "student-next-refused-phone-zh")
    qualified = open_page(f"/equipment/{lathe['id']}", device="desktop", locale="en-GB")
    sign_in(qualified, "student1@school.example")
    wait_ready(qualified, "item")
    qualified.get_by_test_id("book-next").wait_for()
    assert qualified.get_by_test_id("next-refused").count() == 0
    assert not page.problems and not qualified.problems, (page.problems, qualified.problems)


@pytest.mark.parametrize(("locale", "written"), [("en-GB", "Tuesday 8 December"),
                                                 ("en-US", "Tuesday, December 8"),
                                                 ("zh-CN", "12月8日星期二")])
def test_dates_are_written_in_the_browsers_own_variant_of_the_language(open_page, locale,
                                                                       written):
    page = open_page("/signin", device="phone", locale=locale)
    wait_ready(page, "signin")
    said = page.evaluate("""async () => {
      const i18n = await import("/app/static/i18n.js");
      return new Intl.DateTimeFormat(i18n.locale(), { weekday: "long", day: "numeric",
        month: "long", timeZone: "Asia/Shanghai" }).format(new Date(Date.UTC(2026, 11, 8, 2)));
    }""")
    assert said == written
