"""The app as a hostile user and a newcomer meet it, in a real browser against a real
`benchshare serve --demo`: another school's pages say "not found" and nothing else, a long
unbroken name stays inside a phone's screen, a double-clicked Book books once and says nothing
alarming, a wrong password is called a wrong password, and the week grid's legend matches it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .app_browser import api, shot, sign_in, unique, wait_ready

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def served_app(shared_app):
    """The test process's shared app: this module moves no clock and changes nothing another
    module reads (what it adds has names of its own)."""
    return shared_app


BERLIN = ZoneInfo("Europe/Berlin")
LONG_NAME = ("<img src=x onerror=alert(1)> مرحبا " + "Superlongequipmentname" * 9)[:200]


@pytest.fixture(scope="module")
def open_all_day_item(served_app):
    """An item of Riverside's in a new base open round the clock in Berlin, named with 200
    characters without a break: (its id, its name)."""
    service, _ = served_app
    admin = api(service, "admin@school.example")
    hours = [{"weekday": day, "opens": "00:00", "closes": "24:00"} for day in range(1, 8)]
    base = admin.ok("POST", "/training-bases", {"name": unique("Berlin lab"), "kind": "campus",
                                                "timezone": "Europe/Berlin",
                                                "opening_hours": hours})
    printers = [c for c in admin.all("/equipment-categories") if c["code"] == "3d-printer"]
    item = admin.ok("POST", "/equipment", {
        "name": LONG_NAME, "asset_tag": unique("RV"), "base_id": base["id"],
        "category_id": printers[0]["id"], "slot_minutes": 60, "min_duration_minutes": 60,
        "max_duration_minutes": 240, "booking_horizon_days": 60})
    return item["id"], item["name"]


@pytest.mark.parametrize(("email", "path"), [
    ("student1@school2.example", "/equipment/1"),
    ("admin@school2.example", "/bookings/1"),
    ("staff@enterprise2.example", "/equipment/25"),
])
def test_another_organisations_item_or_booking_shows_a_plain_not_found_page(
        served_app, open_page, email, path):
    page = open_page(path, device="phone", locale="zh-CN")
    sign_in(page, email)
    page.get_by_test_id("not-found").wait_for()
    assert page.get_by_test_id("loading").count() == 0
    assert page.get_by_test_id("page-title").inner_text() == "未找到"
    assert page.get_by_role("link", name="前往我的预约").count() == 1
    assert "CNC" not in page.inner_text("main") and "5-axis" not in page.inner_text("main")


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_a_two_hundred_character_name_stays_inside_a_phones_screen(
        served_app, open_page, open_all_day_item, locale):
    item_id, name = open_all_day_item
    page = open_page(f"/equipment/{item_id}", device="phone", locale=locale)
    sign_in(page, "student5@school.example")
    wait_ready(page, "item")
    assert page.get_by_test_id("item-name").inner_text() == name
    # The week grid scrolls inside its own box; the page itself never does sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # ...and a time in the grid is never broken in two ("08:" above "00").
    lines = page.evaluate("""() => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector("[data-testid='week-grid'] tbody th"));
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    }""")
    assert lines == 1
    shot(page, f"review-long-name-phone-{locale}")


def test_double_clicking_book_makes_one_booking_and_shows_no_refusal(
        served_app, open_page, open_all_day_item):
    service, clock = served_app
    item_id, _ = open_all_day_item
    page = open_page(f"/equipment/{item_id}", device="desktop", locale="zh-CN")
    sign_in(page, "student4@school.example")
    wait_ready(page, "item")
    posts = []
    page.on("request", lambda r: posts.append(r.headers.get("idempotency-key"))
            if r.method == "POST" and r.url.endswith("/api/v1/reservations") else None)
    day = (clock.now().astimezone(BERLIN) + timedelta(days=3)).date()
    page.get_by_test_id("book-date").fill(day.isoformat())
    page.get_by_test_id("book-from").fill("10:00")
    page.get_by_test_id("book-to").fill("11:00")
    page.get_by_test_id("book-submit").dblclick()
    page.get_by_test_id("booked").wait_for()
    page.wait_for_timeout(1000)
    assert page.get_by_test_id("book-error").count() == 0
    assert page.get_by_test_id("join-waitlist").count() == 0
    student = api(service, "student4@school.example")
    mine = student.all("/reservations", equipment_id=item_id, holder_id=student.me["id"])
    starts = datetime.combine(day, datetime.min.time().replace(hour=10), BERLIN)
    assert [datetime.fromisoformat(r["starts_at"]) for r in mine] == [starts]
    assert len(set(posts)) == 1, posts
    assert not page.problems, page.problems


def test_a_wrong_password_is_called_a_wrong_password_in_chinese(open_page):
    page = open_page("/signin", device="phone", locale="zh-CN")
    wait_ready(page, "signin")
    page.get_by_test_id("email").fill("student1@school.example")
    page.get_by_test_id("password").fill("not-the-password")
    page.get_by_test_id("signin-submit").click()
    assert page.get_by_test_id("signin-error").inner_text() == "邮箱或密码错误。"


def test_the_week_grids_legend_shows_the_colours_of_its_cells(
        served_app, open_page, open_all_day_item):
    item_id, _ = open_all_day_item
    page = open_page(f"/equipment/{item_id}", device="desktop", locale="en-GB")
    sign_in(page, "student5@school.example")
    wait_ready(page, "item")
    colour = "(s) => getComputedStyle(document.querySelector(s)).backgroundColor"
    free_cell = page.evaluate(colour, "[data-testid='week-grid'] td.free")
    assert page.evaluate(colour, ".legend .swatch.free") == free_cell
    assert free_cell not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")


def test_the_week_grid_is_one_tab_stop_whose_free_times_the_arrow_keys_walk(
        served_app, open_page, open_all_day_item):
    item_id, _ = open_all_day_item
    page = open_page(f"/equipment/{item_id}", device="desktop", locale="en-GB")
    sign_in(page, "student5@school.example")
    wait_ready(page, "item")
    focused = "() => document.activeElement.dataset.testid || document.activeElement.tagName"
    label = "() => document.activeElement.getAttribute('aria-label')"
    page.get_by_test_id("week-next").focus()
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "free-cell"
    first = page.evaluate(label)
    page.keyboard.press("ArrowDown")
    below = page.evaluate(label)
    page.keyboard.press("ArrowRight")
    assert page.evaluate(focused) == "free-cell"
    assert below != first and page.evaluate(label) != below
    # The next Tab leaves the grid for the booking form, not for the grid's next hour.
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "book-date"
    # Shift+Tab comes back to the cell last chosen, and Enter fills the form with it.
    page.keyboard.press("Shift+Tab")
    chosen = page.evaluate("() => document.activeElement.dataset.start")
    page.keyboard.press("Enter")
    assert page.evaluate(focused) == "book-submit"
    assert page.get_by_test_id("book-from").input_value() == chosen[11:16]


def test_a_reservation_notice_reads_in_chinese_with_its_item_and_its_local_time(
        served_app, open_page, open_all_day_item):
    service, clock = served_app
    item_id, name = open_all_day_item
    student = api(service, "student2@school.example")
    day = (clock.now().astimezone(BERLIN) + timedelta(days=4)).date()
    student.ok("POST", "/reservations", {
        "equipment_id": item_id,
        "starts_at": datetime.combine(day, datetime.min.time().replace(hour=9), BERLIN).isoformat(),
        "ends_at": datetime.combine(day, datetime.min.time().replace(hour=10), BERLIN).isoformat()})
    page = open_page("/notifications", device="phone", locale="zh-CN")
    sign_in(page, "student2@school.example")
    wait_ready(page, "notifications")
    notice = page.get_by_test_id("notification").filter(has_text=name).first
    assert notice.get_by_test_id("notice-title").inner_text() == f"预约已确认：{name}"
    assert "09:00–10:00" in notice.inner_text() and "Reservation" not in notice.inner_text()


def test_who_grants_a_qualification_is_listed_the_chinese_way(served_app, open_page):
    service, clock = served_app
    cnc = api(service, "admin@school.example").equipment("RVC-CNC-002")
    page = open_page(f"/equipment/{cnc['id']}", device="phone", locale="zh-CN")
    sign_in(page, "student4@school.example")
    wait_ready(page, "item")
    day = (clock.now().astimezone(ZoneInfo("Asia/Shanghai")) + timedelta(days=2)).date()
    while day.isoweekday() == 7:
        day += timedelta(days=1)
    page.get_by_test_id("book-date").fill(day.isoformat())
    page.get_by_test_id("book-from").fill("10:00")
    page.get_by_test_id("book-to").fill("12:00")
    page.get_by_test_id("book-submit").click()
    said = page.get_by_test_id("book-error").inner_text()
    assert said.startswith("预约此设备需要“CNC machining”资质。请联系 ") and "、" in said, said
    assert ", " not in said, said


def test_a_student_who_can_see_no_equipment_is_told_why_on_the_find_page(served_app, open_page):
    page = open_page("/find", device="phone", locale="zh-CN")
    sign_in(page, "student1@school2.example")
    wait_ready(page, "find")
    said = page.get_by_test_id("none-bookable").inner_text()
    assert said.startswith("暂时没有您可见的设备") and "请咨询您的老师" in said, said


def test_a_finished_class_offers_no_check_in_and_a_late_one_is_explained(served_app, open_page):
    service, _ = served_app
    teacher = api(service, "teacher@school.example")
    done = [r for r in teacher.all("/reservations", status="completed")
            if r["holder_id"] == teacher.me["id"] and r.get("attendees")][0]
    page = open_page(f"/attendance/{done['id']}", device="phone", locale="zh-CN")
    sign_in(page, "teacher@school.example")
    wait_ready(page, "attendance")
    assert page.get_by_test_id("check-in").count() == 0
    assert page.get_by_test_id("absent").first.inner_text() == "未签到"
    page.evaluate("""async (id) => {
        const api = await import('/app/static/api.js');
        const r = await api.get(`/reservations/${id}`);
        const who = r.attendance.find((p) => !p.checked_in_at).user_id;
        try { await api.post(`/reservations/${id}/attendees/${who}/check-in`, {}); }
        catch (error) { window.refused = error.body; }
    }""", done["id"])
    said = page.evaluate("""async () => (await import('/app/static/refusals.js'))
        .explain(window.refused)""")
    assert said == "课程已签退，无法再为参与人员签到。", said



def test_one_unread_notice_is_counted_in_the_singular_at_home(
        served_app, open_page, open_all_day_item):
    service, clock = served_app
    item_id, _ = open_all_day_item
    student = api(service, "student1@school.example")
    student.ok("POST", "/me/notifications/read", {"all": True})
    day = (clock.now().astimezone(BERLIN) + timedelta(days=5)).date()
    student.ok("POST", "/reservations", {
        "equipment_id": item_id,
        "starts_at": datetime.combine(day, datetime.min.time().replace(hour=9), BERLIN).isoformat(),
        "ends_at": datetime.combine(day, datetime.min.time().replace(hour=10), BERLIN).isoformat()})
    assert student.ok("GET", "/me/notifications", unread="true")["unread"] == 1
    page = open_page("/", device="desktop", locale="en-GB")
    sign_in(page, "student1@school.example")
    wait_ready(page, "home")
    assert page.get_by_test_id("home-unread-link").inner_text() == "1 unread notification"


STUDENT_REFUSALS = [  # what POST /reservations can answer a student, with its members
    {"status": 409, "code": "reservation_conflict", "timezone": "Asia/Shanghai",
     "conflicting_span": {"starts_at": "2026-12-08T06:00:00+00:00",
                          "ends_at": "2026-12-08T08:00:00+00:00",
                          "blocked_until": "2026-12-08T08:15:00+00:00"}},
    {"status": 422, "code": "invalid_span"},
    {"status": 422, "code": "not_on_slot_grid", "slot_minutes": 30, "timezone": "Asia/Shanghai"},
    {"status": 422, "code": "duration_out_of_range", "min_duration_minutes": 60,
     "max_duration_minutes": 240},
    {"status": 422, "code": "starts_in_past"},
    {"status": 422, "code": "beyond_booking_horizon", "booking_horizon_days": 30,
     "latest_start": "2027-01-06T14:00:00+00:00", "timezone": "Asia/Shanghai"},
    {"status": 422, "code": "outside_opening_hours", "timezone": "Asia/Shanghai"},
    {"status": 422, "code": "base_closed", "timezone": "Asia/Shanghai"},
    {"status": 409, "code": "equipment_blacked_out"},
    {"status": 409, "code": "equipment_unavailable"},
    {"status": 409, "code": "equipment_retired"},
    {"status": 403, "code": "qualification_required", "category_name": "CNC machining",
     "granted_by": [{"id": 2, "full_name": "Zhang Min", "role": "instructor"}]},
    {"status": 409, "code": "quota_exceeded", "quota": "active_reservations", "limit": 3,
     "frees_at": "2026-12-09T04:00:00+00:00", "timezone": "Asia/Shanghai"},
    {"status": 409, "code": "quota_exceeded", "quota": "weekly_hours", "limit": 10,
     "booked_hours": 9, "frees_at": "2026-12-13T16:00:00+00:00", "timezone": "Asia/Shanghai"},
    {"status": 409, "code": "quota_exceeded", "quota": "weekly_hours", "limit": 4,
     "booked_hours": 4, "frees_at": "2026-12-13T16:00:00+00:00", "timezone": "Asia/Shanghai",
     "category": {"id": 1, "code": "cnc", "name": "CNC machining"}},
    {"status": 403, "code": "not_offered_to_your_school"},
    {"status": 422, "code": "outside_offer_window", "timezone": "Asia/Shanghai"},
    {"status": 409, "code": "offer_budget_exceeded", "weekly_hours_budget": 20,
     "counted_hours": 19},
    {"status": 409, "code": "slot_available"},
]


def test_every_refusal_a_student_meets_when_booking_reads_as_chinese_with_its_facts(open_page):
    page = open_page("/signin", device="phone", locale="zh-CN")
    wait_ready(page, "signin")
    said = page.evaluate("""async (problems) => {
        const { explain } = await import('/app/static/refusals.js');
        return problems.map((p) => explain({ ...p, title: 'English title',
                                             detail: 'English detail' }));
    }""", STUDENT_REFUSALS)
    for problem, sentence in zip(STUDENT_REFUSALS, said, strict=True):
        assert "English" not in sentence and sentence.endswith("。"), (problem["code"], sentence)
        # No generic fallback by status: each code has its own sentence.
        generic = "请刷新后重试" in sentence or "无效" in sentence
        assert not generic, (problem["code"], sentence)
    by_code = dict(zip([p["code"] + p.get("quota", "") + ("_category" if "category" in p else "")
                        for p in STUDENT_REFUSALS], said, strict=True))
    assert "14:00" in by_code["reservation_conflict"] and "16:15" in by_code["reservation_conflict"]
    assert "30 分钟" in by_code["not_on_slot_grid"] and "240" in by_code["duration_out_of_range"]
    assert "Zhang Min" in by_code["qualification_required"]
    assert "12:00" in by_code["quota_exceededactive_reservations"]
    assert "CNC machining" in by_code["quota_exceededweekly_hours_category"]
    assert "CNC" not in by_code["quota_exceededweekly_hours"]
    assert by_code["equipment_unavailable"] == "设备暂停服务（维护中），暂不可预约。"
    assert by_code["outside_opening_hours"] == (
        "实训基地在该时段内并非全程开放，请对照开放时间选择。")


def test_invalid_fields_are_named_in_the_users_words(open_page):
    page = open_page("/signin", device="phone", locale="zh-CN")
    wait_ready(page, "signin")
    flat = page.evaluate("""async () => (await import('/app/static/refusals.js')).explain(
        { status: 422, code: 'validation_error',
          errors: { on: ['Not a valid date.'], to: ['Must be after from.'] } })""")
    assert flat == "部分填写内容无效：日期、结束时间。", flat
