"""The instructors' pages and the admin's label sheet in a real browser, on a phone in English
and on a desktop in Chinese, against `benchshare serve --demo`: booking for a class (and who
lacks a qualification), a weekly series' preview, approvals, attendance under a moved clock, an
outcome, qualifications, QR labels; axe-core after each page; the pages' security headers; and
the browser kit's clock, which moves the server and the page together."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest

from .app_browser import (
    Api,
    check_axe,
    shot,
    sign_in,
    tab_through,
    unique,
    visible,
    wait_ready,
    wait_until,
)
from .outage import call

pytestmark = pytest.mark.e2e

ZONE = ZoneInfo("Asia/Shanghai")  # every demo base's zone
TEACHER = "teacher@school.example"
VIEWS = [pytest.param("phone", "en-GB", id="phone-en"),
         pytest.param("desktop", "zh-CN", id="desktop-zh")]


def _school_day(clock, days_ahead: int) -> date:
    """A Monday-to-Friday date about `days_ahead` days after the service's today (bases open)."""
    day = clock.now().astimezone(ZONE).date() + timedelta(days=days_ahead)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def _instant(day: date, hhmm: str) -> str:
    return datetime.combine(day, time.fromisoformat(hhmm), ZONE).isoformat()


def _open_signed_in(open_page, path, device, locale, email=TEACHER, module=None):
    page = open_page(path, device=device, locale=locale)
    sign_in(page, email)
    wait_ready(page, module or path.strip("/").split("/")[0])
    return page


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _qualify(service, user_id: int, category_id: int) -> None:
    """The school's admin grants user_id the category, unless they hold it already."""
    admin = Api(service.url, "admin@school.example")
    if not admin.all("/qualifications", user_id=user_id, category_id=category_id, valid="true"):
        admin.ok("POST", "/qualifications", {"user_id": user_id, "category_id": category_id})


def _name(device, locale, what):
    return f"{what}-{device}-{locale.split('-')[0]}"


# ---------------------------------------------------------------- book for a class

@pytest.mark.parametrize(("device", "locale"), VIEWS)
def test_an_instructor_sees_who_lacks_a_qualification_removes_them_and_books(
        served_app, open_page, device, locale):
    service, clock = served_app
    teacher = Api(service.url, TEACHER)
    # A robot arm takes four attendees and needs the robot qualification.
    arm = teacher.equipment("RVC-RBT-001" if device == "phone" else "RVC-RBT-002")
    robots = next(c for c in teacher.all("/equipment-categories")
                  if c["code"] == "industrial-robot")
    chen, liu = teacher.user("student1@school.example"), teacher.user("student3@school.example")
    _qualify(service, teacher.me["id"], robots["id"])  # the holder needs it too
    day = _school_day(clock, 8)

    page = _open_signed_in(open_page, "/class", device, locale)
    check_axe(page, _name(device, locale, "class"))
    stops = tab_through(page, 30)
    assert {"class-item", "class-date", "class-from", "class-to", "class-repeat",
            "attendee-search", "class-book"} <= {s["testid"] for s in stops}
    assert [s for s in stops if not s["drawn"]] == []
    page.get_by_test_id("class-item").select_option(str(arm["id"]))
    assert "4" in page.get_by_test_id("class-item-rules").inner_text()
    assert robots["name"] in page.get_by_test_id("class-item-rules").inner_text()
    page.get_by_test_id("class-date").fill(day.isoformat())
    page.get_by_test_id("class-from").fill("09:00")
    page.get_by_test_id("class-to").fill("10:00")
    for who in (chen, liu):
        page.get_by_test_id("attendee-search").fill(who["full_name"].split()[0])
        page.locator(f"[data-testid=add-attendee][data-user-id='{who['id']}']").click()
    assert page.get_by_test_id("attendee").count() == 2

    page.get_by_test_id("class-book").click()
    refusal = visible(page, "unqualified")
    # Liu Yang lacks the robot qualification (the demo grants it to Chen Jie only).
    assert page.get_by_test_id("unqualified-person").all_inner_texts() == ["Liu Yang"]
    assert robots["name"] in refusal.inner_text()
    assert ("缺少" in refusal.inner_text()) == (locale == "zh-CN")
    check_axe(page, _name(device, locale, "class-unqualified"))
    shot(page, _name(device, locale, "class-unqualified"))

    page.get_by_test_id("remove-unqualified").click()
    booked = visible(page, "booked")
    reservation = teacher.ok("GET", f"/reservations/{booked.get_attribute('data-reservation-id')}")
    assert reservation["attendees"] == [chen["id"]]
    assert _at(reservation["starts_at"]) == _at(_instant(day, "09:00"))
    assert reservation["equipment_id"] == arm["id"] and reservation["status"] == "confirmed"
    assert page.get_by_test_id("attendee").all_inner_texts() == [
        page.get_by_test_id("attendee").first.inner_text()]
    shot(page, _name(device, locale, "class-booked"))
    assert not page.problems, page.problems


def test_a_students_name_is_shown_as_text_never_as_markup(served_app, open_page):
    service, _ = served_app
    hostile = '<img src=x onerror="window.pwned=1">Mallory'
    admin = Api(service.url, "admin@school.example")
    email = f"{unique('mallory')}@school.example"
    admin.ok("POST", "/users", {"email": email, "full_name": hostile, "role": "student",
                                "password": "a-long-enough-password-1"})

    page = _open_signed_in(open_page, "/class", "phone", "en-GB")
    page.get_by_test_id("attendee-search").fill(email.split("@")[0])
    page.locator("[data-testid=add-attendee]").first.click()
    assert page.get_by_test_id("attendee").first.inner_text().startswith(hostile)
    assert page.locator("main img").count() == 0
    assert page.evaluate("window.pwned") is None
    assert not page.problems, page.problems


# At one size: the class page it is a state of is drawn (and axe-checked) at both by the first
# test, and the refusal's sentence is the page's, checked not to be the API's code.
@pytest.mark.parametrize(("device", "locale"), VIEWS[1:])
def test_the_series_preview_shows_the_conflicting_date_and_books_the_others(
        served_app, open_page, device, locale):
    service, clock = served_app
    teacher = Api(service.url, TEACHER)
    station = teacher.equipment("RVC-PLC-001" if device == "phone" else "RVC-PLC-002")
    first = _school_day(clock, 2)
    # Someone holds the second week's session already.
    status, taken = Api(service.url, "student2@school.example").post("/reservations", {
        "equipment_id": station["id"], "starts_at": _instant(first + timedelta(weeks=1), "14:00"),
        "ends_at": _instant(first + timedelta(weeks=1), "15:00")})
    assert status == 201, taken

    page = _open_signed_in(open_page, "/class", device, locale)
    page.get_by_test_id("class-item").select_option(str(station["id"]))
    page.get_by_test_id("class-date").fill(first.isoformat())
    page.get_by_test_id("class-from").fill("14:00")
    page.get_by_test_id("class-to").fill("15:00")
    page.get_by_test_id("class-repeat").check()
    page.get_by_test_id("class-weeks").fill("3")
    page.get_by_test_id("series-preview").click()
    occurrences = page.get_by_test_id("occurrence")
    occurrences.first.wait_for(state="visible")
    assert [o.get_attribute("data-bookable") for o in occurrences.all()] == [
        "true", "false", "true"]
    refusal = occurrences.nth(1).get_by_test_id("occurrence-refusal").inner_text()
    assert refusal.strip() and "conflict" not in refusal  # explained, not the API's code
    check_axe(page, _name(device, locale, "series-preview"))
    shot(page, _name(device, locale, "series-preview"))

    # All or nothing: the taken date stops the whole series, and nothing is booked.
    before = teacher.all("/series")
    page.get_by_test_id("series-all").click()
    stopped = visible(page, "error")
    assert stopped.inner_text().strip() and "conflict" not in stopped.inner_text()
    assert teacher.all("/series") == before

    page.get_by_test_id("series-skip").click()
    done = visible(page, "series-booked")
    booked = teacher.all("/reservations", series_id=done.get_attribute("data-series-id"))
    assert sorted(_at(r["starts_at"]) for r in booked) == [
        _at(_instant(first, "14:00")), _at(_instant(first + timedelta(weeks=2), "14:00"))]
    assert not page.problems, page.problems


# ---------------------------------------------------------------- approvals

@pytest.mark.parametrize(("device", "locale"), VIEWS)
def test_an_instructor_approves_one_request_and_rejects_another_with_a_reason(
        served_app, open_page, device, locale):
    service, clock = served_app
    student = Api(service.url, "student1@school.example")
    resin = student.equipment("RVC-3DP-SLA-001")  # needs approval, no qualification
    day = _school_day(clock, 3 if device == "phone" else 4)
    requests = []
    for start, end in (("09:00", "10:00"), ("14:00", "15:00")):
        status, body = student.post("/reservations", {
            "equipment_id": resin["id"], "starts_at": _instant(day, start),
            "ends_at": _instant(day, end), "purpose": "Prototype bracket"})
        assert status == 201 and body["status"] == "pending", body
        requests.append(body)

    page = _open_signed_in(open_page, "/approvals", device, locale)
    rows = {int(r.get_attribute("data-reservation-id")): r
            for r in page.get_by_test_id("request").all()}
    assert {r["id"] for r in requests} <= set(rows)
    assert "Chen Jie" in rows[requests[0]["id"]].inner_text()
    check_axe(page, _name(device, locale, "approvals"))
    shot(page, _name(device, locale, "approvals"))

    # Every control is reached with Tab, and shows that it has the focus.
    stops = tab_through(page)
    assert {"approve", "reject", "reason"} <= {s["testid"] for s in stops}
    assert [s for s in stops if not s["drawn"]] == []

    rows[requests[0]["id"]].get_by_test_id("approve").click()
    visible(page, "decided")
    assert page.locator(f"[data-testid=request][data-reservation-id='{requests[0]['id']}']"
                        ).count() == 0
    row = page.locator(f"[data-testid=request][data-reservation-id='{requests[1]['id']}']")
    row.get_by_test_id("reject").click()  # no reason yet: the page asks for one
    assert row.get_by_role("alert").inner_text().strip()
    row.get_by_test_id("reason").fill("The resin printer is booked for an exam piece")
    row.get_by_test_id("reject").click()
    row.wait_for(state="detached")
    assert student.ok("GET", f"/reservations/{requests[0]['id']}")["status"] == "confirmed"
    assert student.ok("GET", f"/reservations/{requests[1]['id']}")["status"] == "rejected"
    history = student.ok("GET", f"/reservations/{requests[1]['id']}/history")["events"]
    assert any(e.get("reason") == "The resin printer is booked for an exam piece"
               for e in history), history
    assert not page.problems, page.problems


# ---------------------------------------------------------------- qualifications

@pytest.mark.parametrize(("device", "locale"), VIEWS)
def test_an_instructor_grants_a_qualification_and_revokes_it(
        served_app, open_page, device, locale):
    service, _ = served_app
    teacher = Api(service.url, TEACHER)
    student = teacher.user("student4@school.example" if device == "phone"
                           else "student5@school.example")
    welding = next(c for c in teacher.all("/equipment-categories") if c["code"] == "welding")

    page = _open_signed_in(open_page, "/qualifications", device, locale)
    page.get_by_test_id("qual-student").select_option(str(student["id"]))
    page.get_by_test_id("qual-category").select_option(str(welding["id"]))
    page.get_by_test_id("qual-expires").fill("2031-06-30")
    page.get_by_test_id("qual-grant").click()
    visible(page, "granted")
    held = teacher.all("/qualifications", user_id=student["id"], valid="true")
    assert [q["category_id"] for q in held] == [welding["id"]]
    assert held[0]["expires_at"].startswith("2031-0")
    check_axe(page, _name(device, locale, "qualifications"))
    shot(page, _name(device, locale, "qualifications"))

    page.locator(f"[data-testid=qualification][data-qualification-id='{held[0]['id']}'] "
                 "[data-testid=revoke]").click()
    page.get_by_test_id("dialog-ok").click()
    visible(page, "revoked")
    assert teacher.all("/qualifications", user_id=student["id"], valid="true") == []
    assert not page.problems, page.problems


# ---------------------------------------------------------------- QR labels

@pytest.mark.parametrize(("device", "locale"), VIEWS)
def test_the_label_sheet_shows_a_qr_code_for_every_item_of_the_base(
        served_app, open_page, device, locale):
    service, _ = served_app
    admin = Api(service.url, "admin@school.example")
    campus = next(b for b in admin.all("/training-bases")
                  if b["name"] == "Riverside Campus Training Centre")
    items = [e for e in admin.all("/equipment", base_id=campus["id"])
             if e.get("status") != "retired"]

    page = _open_signed_in(open_page, f"/labels/{campus['id']}", device, locale,
                           email="admin@school.example", module="labels")
    labels = page.get_by_test_id("label")
    assert sorted(int(x.get_attribute("data-equipment-id")) for x in labels.all()) == sorted(
        e["id"] for e in items)
    images = page.get_by_test_id("label-qr")
    assert images.count() == len(items)
    wait_until(page, "[...document.querySelectorAll('[data-testid=label-qr]')]"
               ".every((img) => img.complete && img.naturalWidth > 0)", what="every QR drawn")
    assert all(src.startswith("blob:") for src in images.evaluate_all(
        "(imgs) => imgs.map((img) => img.src)"))
    assert "RVC-CNC-001" in labels.first.inner_text() or "RVC-CNC-001" in page.inner_text("main")
    check_axe(page, _name(device, locale, "labels"))
    shot(page, _name(device, locale, "labels"))
    page.emulate_media(media="print")
    shot(page, _name(device, locale, "labels-print"))
    assert not page.get_by_test_id("labels-print").is_visible()
    assert not page.problems, page.problems


# ---------------------------------------------------------------- the pages' headers

def test_every_app_path_and_dashboard_page_answers_the_security_headers(served_app):
    service, _ = served_app
    paths = ["/", "/signin", "/find", "/equipment/1", "/bookings/1", "/notifications",
             "/practice", "/calendar", "/class", "/approvals", "/qualifications",
             "/outcomes/new/1", "/attendance/1", "/labels/1", "/dashboard",
             "/app/static/app.js", "/app/static/labels.css"]
    for path in paths:
        status, headers, _ = call(service.url + path)
        assert status == 200, path
        policy = headers.get("Content-Security-Policy") or ""
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives.get("script-src") == ["'self'"], (path, policy)
        assert directives.get("frame-ancestors") == ["'none'"], (path, policy)
        assert directives.get("default-src") == ["'none'"], (path, policy)
        assert "'unsafe-inline'" not in directives.get("script-src", []), path
        if not path.startswith("/dashboard"):
            assert directives.get("style-src") == ["'self'"], (path, policy)
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("Referrer-Policy") == "no-referrer", path
        assert headers.get("X-Frame-Options") == "DENY", path
    status, headers, _ = call(service.url + "/api/v1/openapi.json")
    assert status == 200
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "no-referrer"


# ---------------------------------------------------------------- under a moved clock (last)

def _server_time(service):
    _, headers, _ = call(service.url + "/healthz")
    return parsedate_to_datetime(headers["Date"])


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


@pytest.mark.parametrize(("device", "locale"), VIEWS)
def test_an_instructor_checks_attendees_in_one_by_one_then_records_the_outcome(
        served_app, open_page, device, locale):
    service, clock = served_app
    teacher = Api(service.url, TEACHER)
    simulator = teacher.equipment("RVC-PSIM-001")
    people = [teacher.user(f"student{n}@school.example") for n in (1, 2, 4)]
    day = _school_day(clock, 1)
    status, booking = teacher.post("/reservations", {
        "equipment_id": simulator["id"], "starts_at": _instant(day, "10:00"),
        "ends_at": _instant(day, "12:00"), "attendees": [p["id"] for p in people]})
    assert status == 201, booking
    starts = datetime.fromisoformat(booking["starts_at"])
    clock.move_to(starts - timedelta(minutes=5))  # the check-in window is open
    teacher = Api(service.url, TEACHER)  # the token from before the jump has lapsed

    page = _open_signed_in(open_page, f"/attendance/{booking['id']}", device, locale)
    check_axe(page, _name(device, locale, "attendance"))
    for n, person in enumerate(people, start=1):
        row = page.locator(f"[data-testid=attendee][data-user-id='{person['id']}']")
        row.get_by_test_id("check-in").click()
        row.get_by_test_id("checked-in").wait_for(state="visible")
        assert page.get_by_test_id("attendance-count").inner_text().startswith(
            f"{n} of 3" if locale == "en-GB" else "已签到 ")
    shot(page, _name(device, locale, "attendance"))
    attendance = teacher.ok("GET", f"/reservations/{booking['id']}")["attendance"]
    assert all(a["checked_in_at"] for a in attendance)

    # The class runs its course, then the outcome is recorded on its page.
    teacher.ok("POST", f"/reservations/{booking['id']}/check-in", {})
    clock.move_to(starts + timedelta(minutes=90))
    teacher.ok("POST", f"/reservations/{booking['id']}/check-out", {})
    page.get_by_test_id("record-outcome").click()
    wait_ready(page, "outcome")
    page.get_by_test_id("skill").first.check()
    page.get_by_test_id("outcome-hours").fill("1.5")
    page.get_by_test_id("outcome-text").fill("Started up the column and held it steady.")
    check_axe(page, _name(device, locale, "outcome"))
    page.get_by_test_id("outcome-save").click()
    visible(page, "outcome-saved")
    outcome = teacher.ok("GET", "/outcomes", reservation_id=booking["id"])["items"][0]
    assert outcome["hours"] == 1.5 and outcome["trainee_count"] == 3
    assert sorted(p["id"] for p in outcome["trainees"]) == sorted(p["id"] for p in people)
    shot(page, _name(device, locale, "outcome"))
    assert not page.problems, page.problems


def test_a_student_records_the_outcome_of_their_own_session_as_its_trainee(
        served_app, open_page):
    service, clock = served_app
    student = Api(service.url, "student2@school.example")
    printer = student.equipment("RVC-3DP-004")
    day = _school_day(clock, 1)
    status, booking = student.post("/reservations", {
        "equipment_id": printer["id"], "starts_at": _instant(day, "14:00"),
        "ends_at": _instant(day, "16:00")})
    assert status == 201, booking
    starts = datetime.fromisoformat(booking["starts_at"])
    clock.move_to(starts - timedelta(minutes=5))
    student = Api(service.url, "student2@school.example")
    student.ok("POST", f"/reservations/{booking['id']}/check-in", {})
    clock.move_to(starts + timedelta(minutes=100))
    student.ok("POST", f"/reservations/{booking['id']}/check-out", {})

    page = _open_signed_in(open_page, f"/outcomes/new/{booking['id']}", "phone", "zh-CN",
                           email="student2@school.example", module="outcome")
    trainee = page.get_by_test_id("trainee")
    assert trainee.count() == 1 and trainee.is_checked()
    assert page.get_by_test_id("outcome-count").input_value() == "1"
    page.get_by_test_id("outcome-hours").fill("1.75")
    page.get_by_test_id("outcome-text").fill("Printed and measured the bracket.")
    check_axe(page, "outcome-student-phone-zh")
    page.get_by_test_id("outcome-save").click()  # no skill yet: the page asks for one
    assert "技能" in visible(page, "error").inner_text()
    page.get_by_test_id("outcome-tags").fill("切片参数, 测量")
    page.get_by_test_id("outcome-save").click()
    visible(page, "outcome-saved")
    outcome = student.ok("GET", "/outcomes", reservation_id=booking["id"])["items"][0]
    assert [p["id"] for p in outcome["trainees"]] == [student.me["id"]]
    assert outcome["hours"] == 1.75 and outcome["trainee_count"] == 1
    assert sorted(outcome["free_tags"]) == sorted(["切片参数", "测量"])
    assert not page.problems, page.problems
