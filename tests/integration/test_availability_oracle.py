"""The availability read made cheap for issue 11 (one pass over the rows, who sees a holder
asked once per holder, instants formatted from kept halves, the slot grid by arithmetic)
against the read it replaced, kept in tests/availability_oracle.py: the same JSON, byte for
byte, for random items, bookings, blackouts, closures and readers, on ordinary days and on
nights the clocks change."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import jsonify
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service.calendar.wallclock import at_local
from service.catalogue.models import Closure
from service.errors import NotFound
from service.reservations import queries
from service.reservations.models import Blackout
from service.reservations.policy import BookingPolicy
from tests import availability_oracle as old

pytestmark = pytest.mark.slow

DAYS = [("Asia/Shanghai", date(2027, 3, 1)), ("Asia/Kathmandu", date(2027, 3, 1)),
        ("Europe/Berlin", date(2027, 3, 28)), ("Europe/Berlin", date(2027, 10, 31)),
        ("America/Havana", date(2027, 3, 14)), ("America/Havana", date(2027, 11, 7)),
        ("America/Santiago", date(2027, 4, 4)), ("America/Santiago", date(2027, 9, 5)),
        ("Australia/Lord_Howe", date(2027, 4, 4)), ("Australia/Lord_Howe", date(2027, 10, 3))]
SLOTS = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 480]  # they divide the day
HOURS = [(time(0), time(23, 59)), (time(6), time(22)), (time(0), time(0))]  # 00:00-24:00
READERS = ["student", "other_student", "instructor", "admin", "enterprise_staff", "operator"]
HOLDERS = ["student", "other_student", "instructor"]
STATUSES = ["confirmed", "pending", "checked_in"]


@st.composite
def plans(draw):
    tz, day = draw(st.sampled_from(DAYS))
    slot = draw(st.sampled_from(SLOTS))
    buffer = draw(st.sampled_from([0, 5, 15, 30]))
    start = at_local(day, time(0), tz) - timedelta(hours=draw(st.integers(0, 30)))
    end = start + timedelta(hours=draw(st.integers(1, 72)))
    # Bookings on a 5-minute grid, each after the last one's buffer: gaps and lengths drawn.
    bookings, at = [], start - timedelta(hours=2)
    for gap, length in draw(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 30)),
                                     max_size=14)):
        starts = at + timedelta(minutes=buffer + 5 * gap)
        ends = starts + timedelta(minutes=5 * length)
        bookings.append((starts, ends, draw(st.sampled_from(HOLDERS)),
                         draw(st.sampled_from(STATUSES))))
        at = ends
    blackouts = [(start + timedelta(minutes=7 * a), start + timedelta(minutes=7 * (a + b)))
                 for a, b in draw(st.lists(st.tuples(st.integers(0, 400), st.integers(1, 60)),
                                           max_size=2))]
    # "Now": long before, or inside the window to the microsecond (its cut is off the grid).
    now = draw(st.one_of(st.just(start - timedelta(days=1)), st.integers(
        0, int((end - start).total_seconds() * 1e6)).map(
        lambda us: start + timedelta(microseconds=us))))
    return {"tz": tz, "day": day, "slot": slot, "min": slot * draw(st.integers(1, 3)),
            "buffer": buffer, "hours": draw(st.sampled_from(HOURS)), "start": start,
            "end": end, "now": now, "bookings": bookings, "blackouts": blackouts,
            "closed": draw(st.booleans()), "reader": draw(st.sampled_from(READERS)),
            "status": draw(st.sampled_from(["active", "active", "active", "maintenance"]))}


def _stage(session, make, world, plan):
    opens, closes = plan["hours"]
    base = make.base(world.school, timezone=plan["tz"], opening_hours=[
        {"weekday": d, "opens": opens, "closes": closes} for d in range(1, 8)])
    item = make.equipment(base, world.category, world.school, slot_minutes=plan["slot"],
                          min_duration_minutes=plan["min"],
                          max_duration_minutes=min(plan["min"] * 4, 10080),
                          setup_buffer_minutes=plan["buffer"], booking_horizon_days=730,
                          status=plan["status"])
    for starts, ends, holder, status in plan["bookings"]:
        make.reservation(item, world.users[holder], starts, ends, status=status)
    for n, (starts, ends) in enumerate(plan["blackouts"]):
        session.add(Blackout(equipment_id=item.id, starts_at=starts, ends_at=ends,
                             reason=f"Calibration {n}",
                             created_by_id=world.users["admin"].id))
    if plan["closed"]:
        session.add(Closure(base_id=base.id, starts_on=plan["day"] + timedelta(days=1),
                            ends_on=plan["day"] + timedelta(days=1), reason="Works"))
    session.flush()
    return item


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=plans())
# Berlin's autumn night: a booking on each pass of the repeated 02:00-03:00, read by its
# holder, now in the middle of the night to the microsecond.
@example(plan={
    "tz": "Europe/Berlin", "day": date(2027, 10, 31), "slot": 45, "min": 45, "buffer": 15,
    "hours": (time(0), time(0)), "start": datetime(2027, 10, 30, 22, tzinfo=UTC),
    "end": datetime(2027, 11, 1, tzinfo=UTC),
    "now": datetime(2027, 10, 30, 23, 7, 30, 250, tzinfo=UTC),
    "bookings": [(datetime(2027, 10, 31, 0, 5, tzinfo=UTC),
                  datetime(2027, 10, 31, 0, 50, tzinfo=UTC), "student", "confirmed"),
                 (datetime(2027, 10, 31, 1, 20, tzinfo=UTC),
                  datetime(2027, 10, 31, 1, 40, tzinfo=UTC), "other_student", "pending")],
    "blackouts": [(datetime(2027, 10, 31, 5, 3, tzinfo=UTC),
                   datetime(2027, 10, 31, 6, 17, tzinfo=UTC))],
    "closed": True, "reader": "student", "status": "active"})
def test_availability_is_the_old_answer_byte_for_byte(session, make, world, plan):
    item = _stage(session, make, world, plan)
    reader = world.users[plan["reader"]]
    args = {"start": plan["start"], "end": plan["end"], "policy": BookingPolicy(),
            "now": plan["now"]}
    # A school's item is not an enterprise's or another school's to see, but for the items
    # one booked oneself (docs/tenancy.md#who-sees-what): the answer is the 404 of an item
    # that does not exist, where the old read answered.
    strangers = {"enterprise_staff", "other_student"}
    if plan["reader"] in strangers and not any(
            holder == plan["reader"] for _, _, holder, _ in plan["bookings"]):
        with pytest.raises(NotFound):
            queries.availability(session, reader, item.id, **args)
        return
    new = queries.availability(session, reader, item.id, **args)
    expected = old.availability(session, reader, item.id, **args)
    assert json.dumps(new) == json.dumps(expected)


def test_a_busy_week_through_http_is_the_old_answer(client, session, make, world):
    # The benchmark's busy week: a booking of an hour every two hours, several holders.
    base = make.base(world.school, timezone="Asia/Shanghai", opening_hours=[
        {"weekday": d, "opens": time(0), "closes": time(23, 59)} for d in range(1, 8)])
    item = make.equipment(base, world.category, world.school, slot_minutes=30,
                          min_duration_minutes=30, max_duration_minutes=240,
                          setup_buffer_minutes=0, booking_horizon_days=730)
    monday = datetime(2027, 2, 28, 16, tzinfo=UTC)  # 2027-03-01 00:00 in Shanghai
    for n in range(84):
        starts = monday + timedelta(hours=2 * n)
        make.reservation(item, world.users[HOLDERS[n % 3]], starts,
                         starts + timedelta(hours=1), status="confirmed")
    session.commit()
    week = {"from": monday.isoformat(), "to": (monday + timedelta(days=7)).isoformat()}
    answer = client.get(f"/api/v1/equipment/{item.id}/availability", query_string=week,
                        headers=world.headers("student"))
    assert answer.status_code == 200
    expected = old.availability(session, world.users["student"], item.id, start=monday,
                                end=monday + timedelta(days=7), policy=BookingPolicy())
    assert answer.get_data() == jsonify(expected).get_data()
    assert len(expected["busy"]) == 84 and len(expected["free"]) == 84
    # The student sees who holds their own bookings only.
    assert sum("holder_name" in span for span in expected["busy"]) == 28


def test_an_offered_item_is_the_old_answer_for_each_reader(session, make, world):
    # An enterprise's item under an approved offer to the school: free spans inside the
    # offer's windows and its weekly budget for the school's members, nothing for the others.
    item = world.enterprise_equipment
    make.offer(world.enterprise, world.school, [item], created_by=world.users["manager"])
    monday = datetime(2027, 1, 4, tzinfo=UTC)
    for n in range(10):
        starts = monday + timedelta(hours=7 * n, minutes=30)
        make.reservation(item, world.users[HOLDERS[n % 3]], starts,
                         starts + timedelta(minutes=90), status="confirmed")
    session.commit()
    week = {"start": monday, "end": monday + timedelta(days=7), "policy": BookingPolicy(),
            "now": monday - timedelta(days=1)}
    answers = {}
    for reader in ("student", "other_student", "enterprise_staff", "manager"):
        answers[reader] = queries.availability(session, world.users[reader], item.id, **week)
        expected = old.availability(session, world.users[reader], item.id, **week)
        assert json.dumps(answers[reader]) == json.dumps(expected), reader
    # The offer's path was taken: the school's student books under it, the owner does not.
    assert answers["student"]["offer"]["weeks"] and answers["student"]["free"]
    assert "offer" not in answers["enterprise_staff"]
