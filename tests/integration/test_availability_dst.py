"""Availability on daylight-saving days: free + busy is the open time, in several zones, with
random bookings on either pass of a repeated hour (issue 10, finding 1)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service.calendar.wallclock import at_local
from service.reservations import queries
from service.reservations.policy import BookingPolicy

# (zone, a day its clocks change): back, then forward.
DAYS = [
    ("Europe/Berlin", date(2027, 10, 31)), ("Europe/Berlin", date(2027, 3, 28)),
    ("America/New_York", date(2027, 11, 7)), ("America/New_York", date(2027, 3, 14)),
    ("Australia/Lord_Howe", date(2027, 4, 4)), ("Australia/Lord_Howe", date(2027, 10, 3)),
]
OPENS, CLOSES = time(0), time(23)


@st.composite
def plans(draw):
    tz, day = draw(st.sampled_from(DAYS))
    first, last = at_local(day, OPENS, tz), at_local(day, CLOSES, tz)
    quarters = int((last - first) / timedelta(minutes=15))
    cuts = sorted(draw(st.sets(st.integers(0, quarters), max_size=10)))
    # Consecutive pairs of cut points are bookings, on the 15-minute grid of every zone here.
    spans = [(first + timedelta(minutes=15 * a), first + timedelta(minutes=15 * b))
             for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    statuses = [draw(st.sampled_from(["confirmed", "pending", "checked_in"])) for _ in spans]
    return {"tz": tz, "day": day, "bookings": list(zip(spans, statuses, strict=True))}


def _hours(spans) -> float:
    return sum((end - start).total_seconds() for start, end in spans) / 3600


def _stage(make, world, plan):
    base = make.base(world.school, timezone=plan["tz"], opening_hours=[
        {"weekday": d, "opens": OPENS, "closes": CLOSES} for d in range(1, 8)])
    item = make.equipment(base, world.category, world.school, slot_minutes=15,
                          min_duration_minutes=15, setup_buffer_minutes=0)
    for (start, end), status in plan["bookings"]:
        make.reservation(item, world.users["student"], start, end, status=status)
    return item


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=plans())
# Only the first pass of Berlin's repeated 02:00-03:00 booked: the second is free.
@example(plan={"tz": "Europe/Berlin", "day": date(2027, 10, 31), "bookings": [
    ((datetime.fromisoformat("2027-10-31T00:00:00+00:00"),
      datetime.fromisoformat("2027-10-31T01:00:00+00:00")), "confirmed")]})
# Only the second pass of New York's repeated 01:00-02:00 booked: the first is free.
@example(plan={"tz": "America/New_York", "day": date(2027, 11, 7), "bookings": [
    ((datetime.fromisoformat("2027-11-07T06:00:00+00:00"),
      datetime.fromisoformat("2027-11-07T07:00:00+00:00")), "confirmed")]})
def test_free_and_busy_add_up_to_the_open_time(session, make, world, plan):
    item = _stage(make, world, plan)
    tz, day = plan["tz"], plan["day"]
    start, end = at_local(day, time(0), tz), at_local(day + timedelta(days=1), time(0), tz)
    answer = queries.availability(session, world.users["student"], item.id, start=start,
                                  end=end, policy=BookingPolicy(),
                                  now=start - timedelta(days=1))
    free = [(datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
            for s in answer["free"]]
    busy = [(datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
            for s in answer["busy"]]
    open_time = _hours([(at_local(day, OPENS, tz), at_local(day, CLOSES, tz))])
    assert abs(_hours(free) + _hours(busy) - open_time) < 1e-9, (plan, answer)
    # Nothing free is busy.
    assert not any(fs < be and bs < fe for fs, fe in free for bs, be in busy), answer
