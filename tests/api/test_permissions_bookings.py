"""The booking endpoints in the tenancy matrix: every actor x A's lathe, its bookings, series,
waitlist, blackouts and quotas, on one world built once (each case rolled back after it)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .bookings import body, tomorrow
from .tenancy import ACTORS, HIDDEN, NOT_ORG, ROLE, expect

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


@pytest.fixture(scope="module")
def booked_world(app, shared_make, shared_session):
    """The world with A's lathe, a quota for A's students, a booking of A's student, a wish of
    A's instructor for the same hour, a series session of A's instructor and a blackout (built
    once, each case rolled back after it)."""
    world = shared_make.world()
    item = shared_make.equipment(shared_make.open_base(world.school), world.category,
                                 world.school, name="Lathe", setup_buffer_minutes=15,
                                 booking_horizon_days=30, max_attendees=3)
    shared_session.commit()
    client = app.test_client()

    def created(role, path, payload, method="POST"):
        response = client.open("/api/v1" + path, method=method, json=payload,
                               headers=world.headers(role))
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    world.extra["lathe"] = item
    # The day the bookings were made on: a case run past midnight still reads them.
    world.extra["day"] = tomorrow(0)
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
def test_booking_permission_matrix(shared_client, booked_world, role, method, template, make_body,
                                   expected, check):
    w = booked_world
    path = "/api/v1" + template.format(
        item=w.extra["lathe"].id, school=w.school.id,
        d1=w.extra["day"].isoformat().replace("+", "%2B"),
        d2=(w.extra["day"] + timedelta(days=2)).isoformat().replace("+", "%2B"))
    headers = {} if role == "anonymous" else w.headers(role)
    response = shared_client.open(path, method=method, headers=headers,
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
