"""Booking time rules without a database: grids, opening windows across DST, spans, weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from service.calendar import grid as slot_grid
from service.calendar import spans as span_rules
from service.calendar import wallclock
from service.reservations import rules


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_slot_grid_is_counted_in_local_time():
    # Kathmandu is UTC+05:45: 09:00 local is 03:15 UTC, on a 30-minute grid locally.
    assert slot_grid.on_slot_grid(utc(2027, 1, 4, 3, 15), 30, "Asia/Kathmandu")
    assert not slot_grid.on_slot_grid(utc(2027, 1, 4, 3, 0), 30, "Asia/Kathmandu")
    assert not slot_grid.on_slot_grid(utc(2027, 1, 4, 1, 0, 30), 30, "UTC")


def test_each_day_reads_the_week_in_force_that_day():
    shanghai = ZoneInfo("Asia/Shanghai")
    old = (1, time(8), time(18), None, date(2027, 1, 11))
    new = (1, time(10), time(11), date(2027, 1, 11), None)
    start, end = wallclock.day_bounds(date(2027, 1, 4), date(2027, 1, 19), "Asia/Shanghai")

    def at(day, hour):
        return datetime.combine(day, time(hour), shanghai)

    assert wallclock.opening_windows([old, new], "Asia/Shanghai", start, end) == [
        (at(date(2027, 1, 4), 8), at(date(2027, 1, 4), 18)),
        (at(date(2027, 1, 11), 10), at(date(2027, 1, 11), 11)),
        (at(date(2027, 1, 18), 10), at(date(2027, 1, 18), 11))]
    assert wallclock.week_on([old, new], date(2027, 1, 10)) == [(1, time(8), time(18))]
    assert wallclock.week_on([(1, time(8), time(9))], date(1999, 1, 1)) == [
        (1, time(8), time(9))]


def test_opening_windows_follow_the_spring_dst_change():
    hours = [(7, time(8), time(18)), (6, time(8), time(18))]  # Saturday and Sunday
    # Berlin moves to summer time on Sunday 2027-03-28.
    windows = wallclock.opening_windows(hours, "Europe/Berlin", utc(2027, 3, 27), utc(2027, 3, 29))
    assert windows == [(utc(2027, 3, 27, 7), utc(2027, 3, 27, 17)),
                       (utc(2027, 3, 28, 6), utc(2027, 3, 28, 16))]


def test_opening_windows_follow_the_autumn_dst_change():
    hours = [(7, time(0), time(12))]
    # On Sunday 2027-10-31 Berlin's day has 25 hours; 00:00-12:00 local is 13 real hours.
    [(start, end)] = wallclock.opening_windows(hours, "Europe/Berlin", utc(2027, 10, 30),
                                           utc(2027, 11, 1))
    assert (start, end) == (utc(2027, 10, 30, 22), utc(2027, 10, 31, 11))
    assert (end - start).total_seconds() == 13 * 3600


def test_split_day_and_covering():
    hours = [(1, time(8), time(12)), (1, time(13), time(17))]
    windows = wallclock.opening_windows(hours, "UTC", utc(2027, 1, 4), utc(2027, 1, 5))
    assert span_rules.covers(windows, utc(2027, 1, 4, 9), utc(2027, 1, 4, 12))
    assert not span_rules.covers(windows, utc(2027, 1, 4, 11), utc(2027, 1, 4, 14))


def test_adjacent_spans_merge_so_a_booking_may_cross_them():
    hours = [(1, time(8), time(12)), (1, time(12), time(17))]
    windows = wallclock.opening_windows(hours, "UTC", utc(2027, 1, 4), utc(2027, 1, 5))
    assert windows == [(utc(2027, 1, 4, 8), utc(2027, 1, 4, 17))]


def test_subtract_cuts_holes_and_edges():
    spans = [(utc(2027, 1, 4, 8), utc(2027, 1, 4, 17))]
    cuts = [(utc(2027, 1, 4, 7), utc(2027, 1, 4, 9)), (utc(2027, 1, 4, 12), utc(2027, 1, 4, 13))]
    assert span_rules.subtract(spans, cuts) == [(utc(2027, 1, 4, 9), utc(2027, 1, 4, 12)),
                                           (utc(2027, 1, 4, 13), utc(2027, 1, 4, 17))]


def test_closed_days_are_whole_local_days():
    assert wallclock.closed_spans([(date(2027, 1, 1), date(2027, 1, 2))], "Asia/Shanghai") == [
        (utc(2026, 12, 31, 16), utc(2027, 1, 2, 16))]


def test_iso_week_in_local_time():
    # Sunday 23:30 in Shanghai is still in the week that began on Monday 2027-01-04.
    start, end = wallclock.iso_week(utc(2027, 1, 10, 15, 30), "Asia/Shanghai")
    assert (start, end) == (utc(2027, 1, 3, 16), utc(2027, 1, 10, 16))


def test_bookable_trims_to_the_grid_and_drops_short_spans():
    spans = [(utc(2027, 1, 4, 8, 10), utc(2027, 1, 4, 9, 50)),
             (utc(2027, 1, 4, 10, 5), utc(2027, 1, 4, 10, 40))]
    assert slot_grid.bookable(spans, 30, 60, "UTC") == [(utc(2027, 1, 4, 8, 30),
                                                     utc(2027, 1, 4, 9, 30))]


def test_series_dates_by_until_and_by_count():
    assert rules.series_dates([1, 3], date(2027, 1, 4), until_on=date(2027, 1, 13)) == [
        date(2027, 1, 4), date(2027, 1, 6), date(2027, 1, 11), date(2027, 1, 13)]
    assert rules.series_dates([5], date(2027, 1, 4), count=2) == [date(2027, 1, 8),
                                                                   date(2027, 1, 15)]


def test_subtract_handles_cuts_spanning_several_spans_and_touching_edges():
    spans = [(utc(2027, 1, 4, 8), utc(2027, 1, 4, 12)), (utc(2027, 1, 4, 13), utc(2027, 1, 4, 17))]
    cuts = [(utc(2027, 1, 4, 8), utc(2027, 1, 4, 9)), (utc(2027, 1, 4, 10), utc(2027, 1, 4, 14)),
            (utc(2027, 1, 4, 16), utc(2027, 1, 4, 18)), (utc(2027, 1, 4, 20), utc(2027, 1, 4, 21))]
    assert span_rules.subtract(spans, cuts) == [(utc(2027, 1, 4, 9), utc(2027, 1, 4, 10)),
                                           (utc(2027, 1, 4, 14), utc(2027, 1, 4, 16))]
    assert span_rules.subtract(spans, []) == spans
    assert span_rules.subtract(spans, [(utc(2027, 1, 4), utc(2027, 1, 5))]) == []


def test_grid_floor_and_ceil_across_a_dst_change():
    # Berlin springs forward at 02:00 local (01:00 UTC) on 2027-03-28; a 90-minute grid runs
    # 00:00, 01:30, 03:00 local that day.
    assert slot_grid.grid_floor(utc(2027, 3, 28, 1, 40), 90, "Europe/Berlin") == utc(2027, 3, 28, 1)
    assert slot_grid.grid_floor(utc(2027, 3, 28, 0, 50), 90, "Europe/Berlin") == utc(
        2027, 3, 28, 0, 30)
    assert slot_grid.grid_ceil(utc(2027, 3, 28, 0, 50), 90, "Europe/Berlin") == utc(2027, 3, 28, 1)
    for instant in (utc(2027, 3, 28, 0, 50), utc(2027, 10, 31, 0, 40), utc(2027, 10, 31, 1, 5)):
        assert slot_grid.on_slot_grid(slot_grid.grid_floor(instant, 90, "Europe/Berlin"), 90,
                                  "Europe/Berlin")
        assert slot_grid.on_slot_grid(slot_grid.grid_ceil(instant, 90, "Europe/Berlin"), 90,
                                  "Europe/Berlin")


def test_bookable_spans_never_start_before_the_base_opens_on_a_fall_back_day():
    # New York falls back on Sunday 2027-11-07; 480-minute slots run 00:00, 08:00, 16:00.
    hours = [(d, time(6), time(22)) for d in range(1, 8)]
    tz = "America/New_York"
    for day in (6, 7, 8):
        start = datetime(2027, 11, day, tzinfo=ZoneInfo(tz)).astimezone(UTC)
        windows = wallclock.opening_windows(hours, tz, start, start + timedelta(days=1))
        [(first, last)] = slot_grid.bookable(windows, 480, 480, tz)
        assert wallclock.local(first, tz).time() == time(8)
        assert wallclock.local(last, tz).time() == time(16)
