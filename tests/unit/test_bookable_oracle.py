"""The cheap slot grid of `bookable` (issue 11) against the code it replaced, kept in
tests/availability_oracle.py: the same spans in, the same spans out, byte for byte, in zones
whose clocks change at midnight (Havana, Santiago), by 30 minutes (Lord Howe), by two hours
(Troll), by a whole day (Apia) or not at all."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from service.calendar import grid as slot_grid
from service.calendar import spans as span_rules
from service.calendar import wallclock
from tests import availability_oracle as old

ZONES = ["Europe/Berlin", "America/New_York", "America/Havana", "America/Santiago",
         "Australia/Lord_Howe", "Antarctica/Troll", "Pacific/Chatham", "America/St_Johns",
         "Africa/Casablanca", "Asia/Gaza", "Europe/London", "Asia/Kathmandu", "Asia/Shanghai",
         "UTC"]


def _changes(tz: str, first: datetime, last: datetime) -> list[datetime]:
    """The first whole UTC hour after each change of the zone's offset, read from the zone
    itself hour by hour (independent of the code under test)."""
    zone, found = ZoneInfo(tz), []
    hour, offset = first, first.astimezone(zone).utcoffset()
    while hour < last:
        hour += timedelta(hours=1)
        if (now := hour.astimezone(zone).utcoffset()) != offset:
            found.append(hour)
            offset = now
    return found


# (zone, an instant near one of its changes, or any instant for a zone that keeps its offset)
ANCHORS = [(tz, at) for tz in ZONES
           for at in _changes(tz, datetime(2026, 1, 1, tzinfo=UTC),
                              datetime(2028, 1, 1, tzinfo=UTC))
           or [datetime(2027, 3, 28, 1, tzinfo=UTC)]]
ANCHORS += [("Pacific/Apia", datetime(2011, 12, 30, 10, tzinfo=UTC)),  # a day never lived
            ("Europe/Berlin", datetime(2027, 1, 1, tzinfo=UTC)),  # a UTC year's seam
            ("Asia/Kathmandu", datetime(2026, 12, 31, 23, 59, tzinfo=UTC))]
SLOTS = st.one_of(st.integers(5, 240), st.sampled_from([7, 45, 90, 160, 480, 720, 1440]))
# Instants as they come: mostly in UTC, to the minute; some to the second or microsecond;
# some in another zone or offset (grid_floor/ceil read those by their own wall fields).
PRECISION = st.sampled_from([60_000_000] * 6 + [1_000_000, 1])
TZINFOS = st.sampled_from([UTC] * 6 + [None, timezone(timedelta(hours=5, minutes=45)),
                                       ZoneInfo("UTC")])


@st.composite
def instants(draw, near: datetime, hours: int, tz: str, precision: int, tzinfo) -> datetime:
    micros = draw(st.integers(-hours * 3_600_000_000, hours * 3_600_000_000))
    instant = near + timedelta(microseconds=micros - micros % precision)
    return instant.astimezone(tzinfo or ZoneInfo(tz))


@st.composite
def trims(draw):
    tz, near = draw(st.sampled_from(ANCHORS))
    precision, tzinfo = draw(PRECISION), draw(TZINFOS)
    hours = draw(st.sampled_from([3, 12, 60]))
    points = sorted(set(draw(st.lists(instants(near, hours, tz, precision, tzinfo),
                                      max_size=16))))
    spans = list(zip(points[::2], points[1::2], strict=False))
    slot = draw(SLOTS)
    shortest = draw(st.one_of(st.integers(1, 600), st.integers(1, 4).map(lambda k: k * slot)))
    return tz, spans, slot, shortest


def _text(spans):
    return [(start.isoformat(), end.isoformat()) for start, end in spans]


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(case=trims())
# Berlin's repeated hour: the second pass of 02:00-03:00 (01:00-02:00 UTC) on a 45-minute grid.
@example(case=("Europe/Berlin", [(datetime(2027, 10, 31, 0, 10, tzinfo=UTC),
                                  datetime(2027, 10, 31, 2, 50, tzinfo=UTC))], 45, 45))
# Havana skips 00:00-01:00 in spring and lives 00:00-01:00 twice in autumn.
@example(case=("America/Havana", [(datetime(2027, 3, 14, 4, 20, tzinfo=UTC),
                                   datetime(2027, 3, 14, 9, 10, tzinfo=UTC))], 30, 30))
@example(case=("America/Havana", [(datetime(2027, 11, 7, 3, 50, tzinfo=UTC),
                                   datetime(2027, 11, 7, 6, 40, tzinfo=UTC))], 90, 90))
# Lord Howe moves by 30 minutes: a 20-minute grid shifts against the hour.
@example(case=("Australia/Lord_Howe", [(datetime(2027, 4, 3, 14, 5, tzinfo=UTC),
                                        datetime(2027, 4, 3, 16, 55, tzinfo=UTC))], 20, 20))
# A slot that does not divide the day: the day's last slot ends at midnight.
@example(case=("Asia/Shanghai", [(datetime(2027, 3, 1, 15, 57, tzinfo=UTC),
                                  datetime(2027, 3, 2, 17, 0, tzinfo=UTC))], 7, 7))
def test_bookable_answers_what_the_old_grid_answered(case):
    tz, spans, slot, shortest = case
    new = slot_grid.bookable(spans, slot, shortest, tz)
    expected = old.bookable(spans, slot, shortest, tz)
    assert new == expected
    assert _text(new) == _text(expected)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(anchor=st.sampled_from(ANCHORS), slot=SLOTS, precision=PRECISION, tzinfo=TZINFOS,
       data=st.data())
def test_each_trimmed_edge_is_the_old_floor_and_ceiling(anchor, slot, precision, tzinfo, data):
    tz, near = anchor
    instant = data.draw(instants(near, 60, tz, precision, tzinfo))
    grid = slot_grid._Grid(slot, tz, instant, instant)
    for new, expected in ((grid.floor(instant), old.grid_floor(instant, slot, tz)),
                          (grid.ceil(instant), old.grid_ceil(instant, slot, tz))):
        assert new == expected
        assert new.isoformat() == expected.isoformat()


TRANSITION_NIGHTS = [  # (zone, local day its clocks change)
    ("Europe/Berlin", "2027-03-28"), ("Europe/Berlin", "2027-10-31"),
    ("America/Havana", "2027-03-14"), ("America/Havana", "2027-11-07"),
    ("America/Santiago", "2027-04-04"), ("America/Santiago", "2027-09-05"),
    ("Australia/Lord_Howe", "2027-04-04"), ("Australia/Lord_Howe", "2027-10-03"),
    ("America/New_York", "2027-03-14"), ("America/New_York", "2027-11-07"),
    ("Antarctica/Troll", "2027-03-28"), ("Pacific/Apia", "2011-12-29")]


@pytest.mark.parametrize(("tz", "day"), TRANSITION_NIGHTS)
@pytest.mark.parametrize("slot", [5, 15, 20, 30, 45, 60, 90, 120, 240, 1440])
def test_a_transition_night_trims_as_before(tz, day, slot):
    day = datetime.fromisoformat(day).date()
    hours = [(d, time(0), time(23, 59)) for d in range(1, 8)]
    start = wallclock.at_local(day - timedelta(days=1), time(12), tz)
    windows = wallclock.opening_windows(hours, tz, start, start + timedelta(days=2))
    # Bookings every 50 minutes across the night leave gaps on and off every grid.
    cuts = [(start + timedelta(minutes=50 * n), start + timedelta(minutes=50 * n + 25))
            for n in range(0, 70, 3)]
    for spans in (windows, span_rules.subtract(windows, cuts)):
        new = slot_grid.bookable(spans, slot, slot, tz)
        expected = old.bookable(spans, slot, slot, tz)
        assert new == expected
        assert _text(new) == _text(expected)
    # The night's own edges: both passes of a repeated hour, the edges of a skipped one.
    assert _text(slot_grid.bookable(cuts, slot, -10**6, tz)) \
        == _text(old.bookable(cuts, slot, -10**6, tz))


def test_the_last_slot_of_a_day_the_slots_do_not_divide_ends_at_midnight():
    # 1440 = 205 * 7 + 5: Shanghai's 7-minute grid has 23:55, then midnight, then 00:07.
    late = datetime(2027, 3, 1, 15, 57, tzinfo=UTC)  # 23:57 in Shanghai
    spans = [(late, late + timedelta(hours=1))]
    midnight = datetime(2027, 3, 1, 16, tzinfo=UTC)
    assert slot_grid.bookable(spans, 7, 7, "Asia/Shanghai") == [(midnight, midnight + timedelta(
        minutes=56))] == old.bookable(spans, 7, 7, "Asia/Shanghai")


def test_a_week_without_a_change_is_trimmed_by_arithmetic_alone(monkeypatch):
    # The point of the change: no conversion per span when the offset holds all week.
    calls = []
    monkeypatch.setattr(slot_grid, "grid_floor", lambda *a: calls.append(a))
    monkeypatch.setattr(slot_grid, "grid_ceil", lambda *a: calls.append(a))
    start = datetime(2027, 3, 1, tzinfo=UTC)
    spans = [(start + timedelta(minutes=47 * n), start + timedelta(minutes=47 * n + 40))
             for n in range(200)]
    assert slot_grid.bookable(spans, 30, 30, "Asia/Shanghai") \
        == old.bookable(spans, 30, 30, "Asia/Shanghai")
    assert calls == []


@pytest.mark.parametrize("tz", ZONES + ["Pacific/Apia"])
@pytest.mark.parametrize("year", [2011, 2026, 2027])
def test_offset_changes_are_those_of_the_zone_to_the_microsecond(tz, year):
    zone = ZoneInfo(tz)
    starting, changes, offsets = slot_grid._offset_changes(tz, year)
    first = datetime(year, 1, 1, tzinfo=UTC)
    assert starting == first.astimezone(zone).utcoffset()
    before = starting
    for change, offset in zip(changes, offsets, strict=True):
        assert (change - timedelta(microseconds=1)).astimezone(zone).utcoffset() == before
        assert change.astimezone(zone).utcoffset() == offset != before
        before = offset
    # Between the changes the offset holds: read it at every hour of the year.
    table = [(first, starting), *zip(changes, offsets, strict=True)]
    hour, i = first, 0
    while hour.year == year:
        while i + 1 < len(table) and table[i + 1][0] <= hour:
            i += 1
        assert hour.astimezone(zone).utcoffset() == table[i][1], hour
        hour += timedelta(hours=1)
