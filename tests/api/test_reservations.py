"""The booking engine through HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .bookings import body, post, tomorrow
from .problems import assert_problem
from .tenancy import ACTORS, HIDDEN, NOT_ORG, ROLE, expect


def test_student_reserves_a_free_slot(client, world, item):
    response = post(client, world, "student", body(item, purpose="Practice turning"))
    assert response.status_code == 201
    reservation = response.get_json()
    assert reservation["status"] == "confirmed"
    assert reservation["holder_id"] == world.users["student"].id
    assert datetime.fromisoformat(reservation["blocked_until"]) == tomorrow(11, 15)
    assert response.headers["ETag"] == f'"{reservation["version"]}"'


def test_naive_times_are_422(client, world, item):
    payload = body(item)
    payload["starts_at"] = "2030-01-01T10:00:00"
    response = post(client, world, "student", payload)
    assert "starts_at" in assert_problem(response, 422, "validation_error")["errors"]


def test_a_taken_slot_is_409_naming_the_span_but_not_the_holder(client, world, item):
    assert post(client, world, "instructor", body(item)).status_code == 201
    response = post(client, world, "student", body(item, start=tomorrow(10, 30)))
    problem = assert_problem(response, 409, "reservation_conflict")
    assert datetime.fromisoformat(problem["conflicting_span"]["starts_at"]) == tomorrow(10)
    assert "reservation_id" not in problem["conflicting_span"]
    staff = post(client, world, "admin", body(item, start=tomorrow(10, 30)))
    assert "reservation_id" in assert_problem(staff, 409, "reservation_conflict")[
        "conflicting_span"]


def test_rule_refusals_carry_their_codes(client, world, item):
    assert_problem(post(client, world, "student", body(item, start=tomorrow(10, 10))), 422,
                   "not_on_slot_grid")
    assert_problem(post(client, world, "student", body(item, start=tomorrow(21, 30))), 422,
                   "outside_opening_hours")
    assert_problem(post(client, world, "student", body(item, start=tomorrow(10, days=40))),
                   422, "beyond_booking_horizon")
    assert_problem(post(client, world, "student", body(item, start=tomorrow(10, days=-2))),
                   422, "starts_in_past")


def test_enterprise_staff_do_not_book_a_schools_equipment(client, world, item):
    # A school's item does not exist for them (tests/api/test_another_schools_items.py).
    problem = assert_problem(post(client, world, "enterprise_staff", body(item)), 422,
                             "validation_error")
    assert problem["errors"] == {"equipment_id": ["Does not exist."]}


def test_same_idempotency_key_and_body_replays_the_first_answer(client, world, item):
    payload = body(item)
    first = post(client, world, "student", payload, **{"Idempotency-Key": "abc-1"})
    again = post(client, world, "student", payload, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    listed = client.get("/api/v1/reservations", headers=world.headers("student")).get_json()
    assert listed["total"] == 1


def test_same_idempotency_key_with_another_body_is_422(client, world, item):
    post(client, world, "student", body(item), **{"Idempotency-Key": "abc-2"})
    response = post(client, world, "student", body(item, start=tomorrow(14)),
                    **{"Idempotency-Key": "abc-2"})
    assert "Idempotency-Key" in assert_problem(response, 422, "idempotency_key_reused")["errors"]


def test_a_refusal_is_replayed_too(client, world, item):
    post(client, world, "instructor", body(item))
    first = post(client, world, "student", body(item), **{"Idempotency-Key": "k-3"})
    again = post(client, world, "student", body(item), **{"Idempotency-Key": "k-3"})
    assert first.status_code == again.status_code == 409
    assert first.get_json() == again.get_json()


def test_a_garbled_idempotency_key_is_400(client, world, item):
    response = post(client, world, "student", body(item), **{"Idempotency-Key": "has space"})
    assert "Idempotency-Key" in assert_problem(response, 400, "invalid_header")["errors"]


def test_a_reservation_states_its_check_in_window_as_check_in_applies_it(client, world, item):
    reservation = post(client, world, "student", body(item)).get_json()
    starts_at = datetime.fromisoformat(reservation["starts_at"])
    assert (datetime.fromisoformat(reservation["check_in_opens_at"]),
            datetime.fromisoformat(reservation["check_in_closes_at"])) == (
        starts_at - timedelta(minutes=15), starts_at + timedelta(minutes=15))
    early = client.post(f"/api/v1/reservations/{reservation['id']}/check-in",
                        headers=world.headers("student"))
    refusal = assert_problem(early, 409, "outside_check_in_window")
    assert (refusal["opens_at"], refusal["closes_at"]) == (
        reservation["check_in_opens_at"], reservation["check_in_closes_at"])


def test_lifecycle_through_http_with_history(client, world, item):
    reservation = post(client, world, "student", body(item)).get_json()
    url = f"/api/v1/reservations/{reservation['id']}"
    early = client.post(url + "/check-in", headers=world.headers("student"))
    assert_problem(early, 409, "outside_check_in_window")
    cancelled = client.post(url + "/cancel", json={"reason": "exam clash"},
                            headers=world.headers("student"))
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    history = client.get(url + "/history", headers=world.headers("student")).get_json()
    assert [(e["from_status"], e["to_status"]) for e in history["events"]] == [
        (None, "confirmed"), ("confirmed", "cancelled")]
    assert history["events"][1]["reason"] == "exam clash"
    assert_problem(client.post(url + "/cancel", headers=world.headers("student")), 409,
                   "invalid_transition")


def test_reservations_of_others_are_404_to_students(client, make, world, item):
    reservation = post(client, world, "instructor", body(item)).get_json()
    url = f"/api/v1/reservations/{reservation['id']}"
    assert_problem(client.get(url, headers=world.headers("student")), 404, "not_found")
    assert client.get(url, headers=world.headers("admin")).status_code == 200
    assert_problem(client.get(url, headers=world.headers("other_staff")), 404, "not_found")


def test_availability_shows_free_and_busy_with_buffers(client, world, item):
    post(client, world, "instructor", body(item))
    start, end = tomorrow(0), tomorrow(0, days=2)
    response = client.get(f"/api/v1/equipment/{item.id}/availability",
                          query_string={"from": start.isoformat(), "to": end.isoformat()},
                          headers=world.headers("student"))
    assert response.status_code == 200
    result = response.get_json()
    free = [(datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
            for s in result["free"]]
    # 06:00-22:00, minus 10:00-11:15 and the buffer a new booking needs before 10:00.
    assert free == [(tomorrow(6), tomorrow(9, 30)), (tomorrow(11, 30), tomorrow(22))]
    [busy] = result["busy"]
    assert busy["kind"] == "reservation" and "holder_id" not in busy
    staff_view = client.get(f"/api/v1/equipment/{item.id}/availability",
                            query_string={"from": start.isoformat(), "to": end.isoformat()},
                            headers=world.headers("admin")).get_json()
    assert staff_view["busy"][0]["holder_id"] == world.users["instructor"].id


def test_availability_windows_are_bounded(client, world, item):
    url = f"/api/v1/equipment/{item.id}/availability"
    start = tomorrow(0)
    too_long = client.get(url, headers=world.headers("student"), query_string={
        "from": start.isoformat(), "to": (start + timedelta(days=40)).isoformat()})
    assert_problem(too_long, 422, "window_too_large")
    naive = client.get(url, headers=world.headers("student"), query_string={
        "from": "2030-01-01T00:00:00", "to": "2030-01-02T00:00:00"})
    assert_problem(naive, 422, "validation_error")


def test_catalogue_lists_items_free_for_a_whole_span(client, make, world, item, session):
    other = make.equipment(item.base, world.category, world.school, name="Spare lathe")
    session.commit()
    post(client, world, "instructor", body(item))
    response = client.get("/api/v1/equipment", headers=world.headers("student"), query_string={
        "free_from": tomorrow(10, 30).isoformat(), "free_to": tomorrow(11).isoformat(),
        "base_id": item.base_id})
    assert [i["id"] for i in response.get_json()["items"]] == [other.id]
    closed = client.get("/api/v1/equipment", headers=world.headers("student"), query_string={
        "free_from": tomorrow(22).isoformat(), "free_to": tomorrow(23).isoformat(),
        "base_id": item.base_id})
    assert closed.get_json()["total"] == 0
    half = client.get("/api/v1/equipment", headers=world.headers("student"),
                      query_string={"free_from": tomorrow(22).isoformat()})
    assert "free_to" in assert_problem(half, 422, "validation_error")["errors"]


def test_notifications_and_calendar_feed(client, world, item):
    reservation = post(client, world, "student", body(item, purpose="Turning")).get_json()
    notes = client.get("/api/v1/me/notifications", headers=world.headers("student")).get_json()
    assert [n["kind"] for n in notes["items"]] == ["confirmed"]
    assert notes["items"][0]["reservation_id"] == reservation["id"]

    ics = client.get("/api/v1/me/calendar.ics", headers=world.headers("student"))
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert f"UID:reservation-{reservation['id']}@benchshare" in ics.get_data(as_text=True)

    link = client.get("/api/v1/me/calendar-link", headers=world.headers("student")).get_json()
    path = link["url"].split("localhost", 1)[1]
    by_key = client.get(path)
    assert by_key.status_code == 200 and b"BEGIN:VCALENDAR" in by_key.data
    wrong = client.get("/api/v1/me/calendar.ics?key=1.deadbeef")
    assert_problem(wrong, 404, "not_found")
    assert_problem(client.get("/api/v1/me/calendar.ics"), 401, "not_authenticated")


def test_series_through_http(client, world, item):
    start_day = tomorrow(0).date()
    response = client.post("/api/v1/series", headers=world.headers("instructor"), json={
        "equipment_id": item.id, "weekdays": [start_day.isoweekday()], "start_time": "14:00",
        "duration_minutes": 60, "starts_on": start_day.isoformat(), "count": 2,
        "attendees": [world.users["student"].id]})
    assert response.status_code == 201, response.get_json()
    result = response.get_json()
    assert len(result["reservations"]) == 2 and result["skipped"] == []
    assert result["reservations"][0]["attendees"] == [world.users["student"].id]
    mine = client.get("/api/v1/reservations", headers=world.headers("student")).get_json()
    assert mine["total"] == 2, "attendees see the sessions they attend"
    both = client.post("/api/v1/series", headers=world.headers("instructor"), json={
        "equipment_id": item.id, "weekdays": [1], "start_time": "14:00",
        "duration_minutes": 60, "starts_on": start_day.isoformat(), "count": 2,
        "until": start_day.isoformat()})
    assert_problem(both, 422, "series_end_required")


def test_quotas_are_set_by_the_schools_admin(client, world, item):
    url = f"/api/v1/organisations/{world.school.id}/quotas/student"
    response = client.put(url, json={"weekly_hours": 1, "active_reservations": None},
                          headers=world.headers("admin"))
    assert response.status_code == 200 and response.get_json()["weekly_hours"] == 1
    assert post(client, world, "student", body(item)).status_code == 201
    over = post(client, world, "student", body(item, start=tomorrow(14)))
    assert_problem(over, 409, "quota_exceeded")
    assert_problem(client.put(url, json={"weekly_hours": 1, "active_reservations": None},
                              headers=world.headers("instructor")), 403, "role_not_allowed")
    assert_problem(client.put(f"/api/v1/organisations/{world.school.id}/quotas/operator",
                              json={"weekly_hours": 1, "active_reservations": None},
                              headers=world.headers("admin")), 404, "not_found")


# ---------------------------------------------------------------- the permission matrix
# Every actor of the tenancy matrix against every booking endpoint on A's lathe, in a world
# where A's student holds a booking, B's student waits for it, A's instructor runs a
# one-session series and A's admin has set a quota and placed a blackout. Refusals are checked
# by their problem code, successes by what they show and to whom.

def listed(key, everyone=(), **per_role):
    """The ids under `key` of the listed items are the seeded ones (keys of `w.extra`) named
    for the role, or `everyone`'s; nobody else's."""
    def check(body, w, role):
        expected = sorted(w.extra[name] for name in per_role.get(role, everyone))
        return sorted(i[key] for i in body["items"]) == expected
    return check


def booked_by_the_caller(body, w, role):
    return (body["holder_id"], body["created_by_id"], body["equipment_id"], body["status"]) == (
        w.users[role].id, w.users[role].id, w.extra["lathe"].id, "confirmed")


def series_of_the_caller(body, w, role):
    [session] = body["reservations"]
    return (body["series"]["holder_id"] == w.users[role].id == session["holder_id"]
            and session["equipment_id"] == w.extra["lathe"].id and body["skipped"] == [])


def busy_naming(**per_role):
    """Availability of the lathe: both bookings and the blackout are busy for everyone, but
    only the roles named learn who holds which booking."""
    def check(body, w, role):
        reservations = [b for b in body["busy"] if b["kind"] == "reservation"]
        named = {b["reservation_id"]: b["holder_id"] for b in reservations if "holder_id" in b}
        expected = {w.extra[key]: w.users[holder].id
                    for key, holder in (("booking", "student"), ("session", "instructor"))
                    if holder in per_role.get(role, ())}
        return (body["equipment_id"] == w.extra["lathe"].id and len(reservations) == 2
                and [b["kind"] for b in body["busy"]].count("blackout") == 1
                and named == expected)
    return check


def own_calendar_link(body, w, role):
    return f"/api/v1/me/calendar.ics?key={w.users[role].id}." in body["url"]


def calendar_of(**per_role):
    """The feed lists exactly the caller's own bookings."""
    def check(text, w, role):
        uids = sorted(int(line.split("-")[1].split("@")[0]) for line in text.splitlines()
                      if line.startswith("UID:reservation-"))
        return text.startswith("BEGIN:VCALENDAR") and uids == sorted(
            w.extra[key] for key in per_role.get(role, ()))
    return check


def blackout_by_the_caller(body, w, role):
    return (body["equipment_id"], body["created_by_id"], body["reason"]) == (
        w.extra["lathe"].id, w.users[role].id, "calibration")


def quota_of_school_a(weekly_hours, active_reservations):
    def check(body, w, role):
        return (body["organisation_id"], body["role"], body["weekly_hours"],
                body["active_reservations"]) == (w.school.id, "student", weekly_hours,
                                                 active_reservations)
    return check


def quotas_of_school_a(body, w, role):
    return len(body["items"]) == 1 and quota_of_school_a(20, 5)(body["items"][0], w, role)


MATRIX = [
    ("GET", "/reservations", None, expect((200, None)),
     listed("id", student=("booking",), instructor=("booking", "session"),
            admin=("booking", "session"))),
    ("POST", "/reservations", lambda w: body(w.extra["lathe"], tomorrow(10)),
     # A school's item exists only for its own school: anyone else is told no such item
     expect((422, "validation_error"), student=201, instructor=201, admin=201, operator=ROLE),
     booked_by_the_caller),
    # School A's lathe: its school's people and operators see it; nobody else does.
    ("GET", "/equipment/{item}/availability?from={d1}&to={d2}", None,
     expect(HIDDEN, student=200, instructor=200, admin=200, operator=200),
     busy_naming(student=("student",), instructor=("student", "instructor"),
                 admin=("student", "instructor"))),
    ("GET", "/equipment/{item}/blackouts", None,
     expect(HIDDEN, student=200, instructor=200, admin=200, operator=200),
     listed("id", everyone=("blackout",))),
    ("POST", "/equipment/{item}/blackouts", lambda w: {
        "starts_at": tomorrow(6).isoformat(), "ends_at": tomorrow(8).isoformat(),
        "reason": "calibration"},
     # whoever does not see the lathe is told it does not exist
     expect(HIDDEN, student=ROLE, instructor=ROLE, other_student=ROLE, operator=ROLE,
            admin=201),
     blackout_by_the_caller),
    ("GET", "/series", None, expect((200, None)),
     listed("id", instructor=("series",), admin=("series",))),
    ("POST", "/series", lambda w: {
        "equipment_id": w.extra["lathe"].id, "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "start_time": "16:00", "duration_minutes": 60,
        "starts_on": tomorrow(0).date().isoformat(), "count": 1},
     # Another school's admin meets A's lathe as an item that does not exist.
     expect(ROLE, instructor=201, admin=201, other_admin=(422, "validation_error")),
     series_of_the_caller),
    ("GET", "/waitlist", None, expect((200, None)),
     listed("id", instructor=("wish",), admin=("wish",))),
    ("GET", "/me/notifications", None, expect((200, None)),
     listed("reservation_id", student=("booking",), instructor=("session",))),
    ("GET", "/me/calendar-link", None, expect((200, None)), own_calendar_link),
    ("GET", "/me/calendar.ics", None, expect((200, None)),
     calendar_of(student=("booking",), instructor=("session",))),
    ("GET", "/organisations/{school}/quotas", None,
     expect(HIDDEN, student=200, instructor=200, admin=200), quotas_of_school_a),
    ("PUT", "/organisations/{school}/quotas/student", lambda w: {
        "weekly_hours": 10, "active_reservations": 3},
     expect(ROLE, admin=200, other_admin=NOT_ORG), quota_of_school_a(10, 3)),
]


@pytest.fixture
def booked_world(client, world, item):
    """The world with A's lathe, a quota for A's students, a booking of A's student, a wish of
    A's instructor for the same hour, a series session of A's instructor and a blackout."""
    def created(role, path, payload, method="POST"):
        response = client.open("/api/v1" + path, method=method, json=payload,
                               headers=world.headers(role))
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    world.extra["lathe"] = item
    created("admin", f"/organisations/{world.school.id}/quotas/student",
            {"weekly_hours": 20, "active_reservations": 5}, method="PUT")
    world.extra["booking"] = created("student", "/reservations",
                                     body(item, tomorrow(14)))["id"]
    world.extra["wish"] = created("instructor", "/waitlist",
                                  body(item, tomorrow(14)))["id"]
    series = created("instructor", "/series", {
        "equipment_id": item.id, "weekdays": [tomorrow(0).isoweekday()], "start_time": "18:00",
        "duration_minutes": 60, "starts_on": tomorrow(0).date().isoformat(), "count": 1})
    world.extra["series"] = series["series"]["id"]
    world.extra["session"] = series["reservations"][0]["id"]
    world.extra["blackout"] = created("admin", f"/equipment/{item.id}/blackouts", {
        "starts_at": tomorrow(20).isoformat(), "ends_at": tomorrow(21).isoformat(),
        "reason": "maintenance"})["id"]
    return world


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("method, template, make_body, expected, check", MATRIX,
                         ids=[f"{m} {t.split('?')[0]}" for m, t, *_ in MATRIX])
def test_booking_permission_matrix(client, booked_world, role, method, template, make_body,
                                   expected, check):
    w = booked_world
    path = "/api/v1" + template.format(
        item=w.extra["lathe"].id, school=w.school.id,
        d1=tomorrow(0).isoformat().replace("+", "%2B"),
        d2=tomorrow(0, days=2).isoformat().replace("+", "%2B"))
    headers = {} if role == "anonymous" else w.headers(role)
    response = client.open(path, method=method, headers=headers,
                           json=make_body(w) if make_body else None)
    status, code = expected[role]
    payload = (response.get_json() if response.is_json
               else response.get_data(as_text=True))
    assert response.status_code == status, payload
    if status >= 400:
        assert response.mimetype == "application/problem+json"
        assert (payload["status"], payload["code"]) == (status, code), payload
    else:
        assert check(payload, w, role), payload


def test_strangers_see_busy_time_but_not_who_holds_it(client, world, item, make, session):
    post(client, world, "student", body(item))
    classmate = make.user("student", world.school)
    session.commit()
    view = client.get(f"/api/v1/equipment/{item.id}/availability", headers={
        "Authorization": f"Bearer {make.token(classmate)}"}, query_string={
        "from": tomorrow(0).isoformat(), "to": tomorrow(0, days=2).isoformat()}).get_json()
    [busy] = view["busy"]
    assert "holder_id" not in busy and "reservation_id" not in busy


def test_availability_counts_a_booking_just_after_the_window(client, world, item):
    post(client, world, "instructor", body(item))                 # 10:00-11:00 +15 min
    view = client.get(f"/api/v1/equipment/{item.id}/availability", headers=world.headers(
        "student"), query_string={"from": tomorrow(9).isoformat(),
                                  "to": tomorrow(10).isoformat()}).get_json()
    assert [(s["starts_at"], s["ends_at"]) for s in view["free"]] == [
        (tomorrow(9).astimezone(ZoneInfo("UTC")).isoformat(),
         tomorrow(9, 30).astimezone(ZoneInfo("UTC")).isoformat())]


@pytest.mark.parametrize("url, headers", [
    ("/api/v1/me/calendar.ics?key=%C2%B2.abcdef", {}),
])
def test_unicode_digits_in_keys_are_refused_not_500(client, url, headers):
    assert client.get(url, headers=headers).status_code == 404


def test_unicode_digits_in_if_match_are_400(client, world, item):
    response = client.patch(f"/api/v1/equipment/{item.id}", json={"name": "x"},
                            headers={**world.headers("admin"), "If-Match": '"\u00b2"'})
    assert_problem(response, 400, "invalid_header")


def test_limits_come_from_the_configuration(client, world, item, app, monkeypatch):
    """PAGE_SIZE_MAX, AVAILABILITY_MAX_DAYS and SERIES_MAX_OCCURRENCES govern the API; no
    schema hard-codes its own copy."""
    headers = world.headers("instructor")
    monkeypatch.setitem(app.config, "PAGE_SIZE_MAX", 3)
    page = client.get("/api/v1/equipment?page_size=4", headers=headers)
    assert assert_problem(page, 422, "validation_error")["errors"] == {
        "page_size": ["At most 3."]}
    assert client.get("/api/v1/equipment?page_size=3", headers=headers).status_code == 200
    monkeypatch.setitem(app.config, "PAGE_SIZE_MAX", 200)
    assert client.get("/api/v1/equipment-categories?page_size=150",
                      headers=headers).status_code == 200

    monkeypatch.setitem(app.config, "AVAILABILITY_MAX_DAYS", 2)
    free = client.get("/api/v1/equipment", headers=headers, query_string={
        "free_from": tomorrow(9).isoformat(), "free_to": tomorrow(9, days=4).isoformat()})
    assert assert_problem(free, 422, "window_too_large")["errors"] == {
        "free_to": ["At most 2 days after free_from."]}

    monkeypatch.setitem(app.config, "SERIES_MAX_OCCURRENCES", 2)
    series = client.post("/api/v1/series", headers=headers, json={
        "equipment_id": item.id, "weekdays": [1, 2, 3, 4, 5], "start_time": "09:00",
        "duration_minutes": 60, "starts_on": tomorrow(9).date().isoformat(), "count": 3})
    assert assert_problem(series, 422, "series_too_long")["errors"] == {
        "count": ["At most 2 sessions."]}


def test_a_request_the_owner_never_decided_lapses_and_is_nobodys_cancellation(
        client, world, item, make, session):
    """It was `cancelled` and counted as the student's late cancellation. Yesterday's request
    (the reports show days up to today), lapsed at its start by the scheduler's job."""
    from service.reservations import jobs
    from service.reservations.policy import BookingPolicy

    start = tomorrow(10, days=-1)
    item.requires_approval = True
    item.created_at = start - timedelta(days=7)
    asked = make.reservation(item, world.users["student"], start, start + timedelta(hours=1),
                             status="pending")
    session.commit()
    assert jobs.expire_holds(session, policy=BookingPolicy(), now=start) == 1
    shown = client.get(f"/api/v1/reservations/{asked.id}", headers=world.headers("student"))
    assert shown.status_code == 200 and shown.get_json()["status"] == "lapsed"
    events = client.get(f"/api/v1/reservations/{asked.id}/history",
                        headers=world.headers("student")).get_json()["events"]
    assert [(e["from_status"], e["to_status"], e["actor_id"], e["reason"]) for e in events][-1] \
        == ("pending", "lapsed", None, "the owner did not decide before the start")
    [told] = [n for n in client.get("/api/v1/me/notifications", headers=world.headers(
        "student")).get_json()["items"] if n["kind"] == "lapsed"]
    assert told["subject"] == "Request lapsed: Lathe"
    assert (f"The item's owner did not decide on the request by {start:%Y-%m-%d} 10:00 "
            "(UTC+08:00), so it lapsed; it does not count as a cancellation of yours.") \
        in told["body"]
    late = client.post(f"/api/v1/reservations/{asked.id}/approve",
                       headers=world.headers("admin"), json={})
    assert_problem(late, 409, "invalid_transition")
    day = start.date()
    report = client.get("/api/v1/reports/utilisation", headers=world.headers("admin"),
                        query_string={"from": day.isoformat(),
                                      "to": (day + timedelta(days=1)).isoformat()})
    [row] = [r for r in report.get_json()["rows"] if r["group_id"] == item.id]
    assert (row["booked_hours"], row["cancellations"], row["late_cancellations"]) == (0.0, 0, 0)
    listed = client.get("/api/v1/reservations", headers=world.headers("student"),
                        query_string={"status": "lapsed"}).get_json()
    assert [r["id"] for r in listed["items"]] == [asked.id]
