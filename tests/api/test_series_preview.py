"""Previewing a weekly series: each session judged as POST /series would book it (each seeing
the sessions before it), with the problem it would meet; a body refused as a whole is refused
as POST /series refuses it; nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from service.calendar.wallclock import END_OF_DAY
from service.notifications.models import Notification
from service.reservations.models import Reservation, ReservationEvent, Series
from service.reservations.quotas import put_quota

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _first_day() -> date:
    return (datetime.now(SHANGHAI) + timedelta(days=2)).date()


def _series(item, **fields) -> dict:
    day = _first_day()
    return {"equipment_id": item.id, "weekdays": [day.isoweekday()], "start_time": "10:00",
            "duration_minutes": 60, "starts_on": day.isoformat(), "count": 3, **fields}


def _preview(client, world, role, payload):
    return client.post("/api/v1/series/preview", headers=world.headers(role), json=payload)


def _counts(session) -> list[int]:
    return [session.scalar(select(func.count()).select_from(table))
            for table in (Reservation, ReservationEvent, Series, Notification)]


def test_each_session_is_judged_with_its_refusal_and_nothing_is_written(
        client, make, world, item, session):
    second = _first_day() + timedelta(days=7)
    make.reservation(item, world.users["admin"],
                     datetime.combine(second, time(10, 30), tzinfo=SHANGHAI),
                     datetime.combine(second, time(11, 30), tzinfo=SHANGHAI),
                     status="confirmed")
    session.commit()
    before = _counts(session)
    response = _preview(client, world, "instructor", _series(item))
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert _counts(session) == before
    assert (answer["bookable"], answer["refused"], answer["timezone"]) == (
        2, 1, "Asia/Shanghai")
    first, taken, third = answer["occurrences"]
    assert (first["bookable"], first["status"], first["refusal"]) == (True, "confirmed", None)
    assert first["starts_at"] == datetime.combine(_first_day(), time(10),
                                                  tzinfo=SHANGHAI).astimezone(UTC).isoformat()
    assert (taken["bookable"], taken["status"], taken["date"]) == (
        False, None, second.isoformat())
    problem = taken["refusal"]
    assert (problem["status"], problem["code"], problem["timezone"]) == (
        409, "reservation_conflict", "Asia/Shanghai")
    assert datetime.fromisoformat(problem["conflicting_span"]["starts_at"]) == \
        datetime.combine(second, time(10, 30), tzinfo=SHANGHAI)
    assert third["bookable"] is True
    # Booking it then refuses exactly the sessions the preview refused.
    booked = client.post("/api/v1/series", headers=world.headers("instructor"),
                         json=_series(item, skip_conflicts=True))
    assert booked.status_code == 201, booked.get_json()
    assert [(s["date"], s["code"]) for s in booked.get_json()["skipped"]] == [
        (second.isoformat(), "reservation_conflict")]


def test_a_session_sees_the_sessions_before_it(client, world, item, session):
    put_quota(session, organisation_id=world.school.id, role="student", weekly_hours=None,
              active_reservations=2)
    session.commit()
    response = _preview(client, world, "instructor",
                        _series(item, holder_id=world.users["student"].id))
    assert response.status_code == 200, response.get_json()
    occurrences = response.get_json()["occurrences"]
    assert [o["bookable"] for o in occurrences] == [True, True, False]
    problem = occurrences[2]["refusal"]
    assert (problem["code"], problem["quota"], problem["limit"]) == (
        "quota_exceeded", "active_reservations", 2)
    # Free again when the first session ends.
    assert datetime.fromisoformat(problem["frees_at"]) == datetime.fromisoformat(
        occurrences[0]["ends_at"])
    assert session.scalar(select(func.count()).select_from(Reservation)) == 0


def test_a_body_refused_as_a_whole_is_refused_as_post_series_refuses_it(client, world, item):
    cases = [("student", _series(item), 403, "role_not_allowed"),
             ("instructor", _series(item, until=_first_day().isoformat()), 422,
              "series_end_required"),
             ("instructor", _series(item, equipment_id=2**62), 422, "validation_error"),
             ("instructor", _series(item, count=101), 422, "series_too_long"),
             ("instructor", _series(item, holder_id=world.users["other_student"].id), 422,
              "validation_error")]
    for role, payload, status, code in cases:
        previewed = _preview(client, world, role, payload)
        booked = client.post("/api/v1/series", headers=world.headers(role), json=payload)
        assert assert_problem(previewed, status, code) == assert_problem(booked, status, code)


def test_a_malformed_body_is_a_422_naming_the_field(client, world, item):
    response = _preview(client, world, "instructor", _series(item, start_time="25:00"))
    assert "start_time" in assert_problem(response, 422, "validation_error")["errors"]


def test_sessions_across_a_dst_change_keep_their_local_start(client, make, world, session):
    always = [{"weekday": d, "opens": time(0), "closes": END_OF_DAY} for d in range(1, 8)]
    berlin = make.base(world.school, timezone="Europe/Berlin", opening_hours=always)
    press = make.equipment(berlin, world.category, world.school, booking_horizon_days=400,
                           slot_minutes=60)
    session.commit()
    response = _preview(client, world, "instructor", {
        "equipment_id": press.id, "weekdays": [7], "start_time": "09:00",
        "duration_minutes": 120, "starts_on": "2027-03-21", "count": 2})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["timezone"] == "Europe/Berlin"
    assert [(o["starts_at"], o["ends_at"], o["bookable"]) for o in answer["occurrences"]] == [
        ("2027-03-21T08:00:00+00:00", "2027-03-21T10:00:00+00:00", True),
        ("2027-03-28T07:00:00+00:00", "2027-03-28T09:00:00+00:00", True)]
