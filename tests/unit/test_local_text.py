"""How every human text writes an instant: the item's wall time with its offset from UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from service.calendar.wallclock import local_span_text, local_text


def test_an_instant_reads_as_the_zones_wall_time_with_its_offset():
    instant = datetime(2026, 12, 8, 2, tzinfo=UTC)
    assert local_text(instant, "Asia/Shanghai") == "2026-12-08 10:00 (UTC+08:00)"
    assert local_text(instant, "Asia/Shanghai", day=False) == "10:00 (UTC+08:00)"
    assert local_text(instant, "Asia/Kathmandu") == "2026-12-08 07:45 (UTC+05:45)"
    assert local_text(instant, "America/Havana") == "2026-12-07 21:00 (UTC-05:00)"
    assert local_text(instant, "UTC") == "2026-12-08 02:00 (UTC+00:00)"


def test_the_two_passes_of_an_autumn_hour_read_apart():
    first = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert local_span_text(first, second, "Europe/Berlin") == (
        "2027-10-31 02:30 (UTC+02:00) to 02:30 (UTC+01:00)")


def test_a_span_names_the_end_date_only_when_it_is_another_local_day():
    start = datetime(2026, 12, 8, 15, tzinfo=UTC)  # 23:00 in Shanghai
    assert local_span_text(start, start.replace(hour=16), "Asia/Shanghai") == (
        "2026-12-08 23:00 (UTC+08:00) to 2026-12-09 00:00 (UTC+08:00)")
    assert local_span_text(start, start.replace(hour=16), "UTC") == (
        "2026-12-08 15:00 (UTC+00:00) to 16:00 (UTC+00:00)")
