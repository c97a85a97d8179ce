"""The heat map's SQL agrees with a plain Python oracle: booked hours (within the base's
opening hours, as the utilisation report counts them) by the local wall hour of each instant,
in several zones, across daylight-saving nights."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service.calendar.statuses import BOOKED
from service.calendar.wallclock import at_local, opening_windows
from service.reports.heatmap import heatmap_cells

from ..schedules import weekly_spans

ALL_DAY = [(d, time(0), time(23, 45)) for d in range(1, 8)]

STATUSES = ("pending", "confirmed", "checked_in", "completed", "cancelled", "no_show")
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Shanghai")
# Around the 2027 changes: Berlin 03-28 / 10-31, New York 03-14 / 11-07.
STARTS = st.one_of(
    st.datetimes(datetime(2027, 3, 12), datetime(2027, 3, 30)),
    st.datetimes(datetime(2027, 10, 29), datetime(2027, 11, 9)),
).map(lambda t: t.replace(minute=t.minute // 15 * 15, second=0, microsecond=0, tzinfo=UTC))


@st.composite
def plans(draw):
    tz = draw(st.sampled_from(ZONES))
    first = draw(st.sampled_from([date(2027, 3, 13), date(2027, 3, 27), date(2027, 10, 30),
                                  date(2027, 11, 6)]))
    reservations, at = [], draw(STARTS)
    for _ in range(draw(st.integers(0, 5))):
        at += timedelta(minutes=15 * draw(st.integers(0, 24)))
        end = at + timedelta(minutes=15 * draw(st.integers(1, 16)))
        reservations.append((at, end, draw(st.sampled_from(STATUSES))))
        at = end
    hours = draw(st.one_of(st.just(ALL_DAY), weekly_spans()))
    return {"tz": tz, "first": first, "end": first + timedelta(days=draw(st.integers(1, 4))),
            "reservations": reservations, "hours": hours}


def oracle(plan) -> dict:
    """Every booked quarter hour inside the days and the base's opening hours (once, however
    many reservations hold it), under the wall hour it starts in."""
    zone = ZoneInfo(plan["tz"])
    period = (at_local(plan["first"], datetime.min.time(), plan["tz"]),
              at_local(plan["end"], datetime.min.time(), plan["tz"]))
    windows = opening_windows(plan.get("hours", ALL_DAY), plan["tz"], *period)
    booked = set()
    for start, end, status in plan["reservations"]:
        quarter = start
        while status in BOOKED and quarter < end:
            if any(s <= quarter < e for s, e in windows):
                booked.add(quarter)
            quarter += timedelta(minutes=15)
    cells: dict = defaultdict(float)
    for quarter in booked:
        local = quarter.astimezone(zone)
        cells[(local.isoweekday(), local.hour)] += 0.25
    return {key: hours for key, hours in cells.items() if hours}


def _stage(make, world, plan):
    hours = [{"weekday": d, "opens": o, "closes": c} for d, o, c in plan.get("hours", ALL_DAY)]
    base = make.base(world.school, timezone=plan["tz"], opening_hours=hours)
    item = make.equipment(base, world.category, world.school)
    for start, end, status in plan["reservations"]:
        make.reservation(item, world.users["student"], start, end, status=status)
    return base


@pytest.mark.slow
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=plans())
# Berlin's autumn night: 01:30 CEST to 02:30 CET is two hours, 1.5 of them under 02:00.
@example(plan={"tz": "Europe/Berlin", "first": date(2027, 10, 30), "end": date(2027, 11, 1),
               "reservations": [(datetime(2027, 10, 30, 23, 30, tzinfo=UTC),
                                 datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "completed")]})
# Berlin's spring night: 01:30 CET to 03:30 CEST is one hour, none of it under 02:00.
@example(plan={"tz": "Europe/Berlin", "first": date(2027, 3, 27), "end": date(2027, 3, 29),
               "reservations": [(datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
                                 datetime(2027, 3, 28, 1, 30, tzinfo=UTC), "confirmed")]})
def test_heatmap_matches_the_wall_hour_oracle(session, make, world, plan):
    base = _stage(make, world, plan)
    cells = heatmap_cells(session, plan["first"], plan["end"], base_id=base.id)
    assert len(cells) == 168
    assert [(c["weekday"], c["hour"]) for c in cells] == [
        (d, h) for d in range(1, 8) for h in range(24)]
    drawn = {(c["weekday"], c["hour"]): c["booked_hours"] for c in cells if c["booked_hours"]}
    expected = oracle(plan)
    assert drawn.keys() == expected.keys(), plan
    assert all(abs(drawn[k] - expected[k]) < 1e-9 for k in expected), plan


def test_the_repeated_hour_is_counted_under_two_oclock(session, make, world):
    plan = {"tz": "Europe/Berlin", "first": date(2027, 10, 30), "end": date(2027, 11, 1),
            "reservations": [(datetime(2027, 10, 30, 23, 30, tzinfo=UTC),
                              datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "completed")]}
    base = _stage(make, world, plan)
    drawn = {(c["weekday"], c["hour"]): c["booked_hours"]
             for c in heatmap_cells(session, plan["first"], plan["end"], base_id=base.id)
             if c["booked_hours"]}
    assert drawn == {(7, 1): 0.5, (7, 2): 1.5}
