"""Pure rules of impact: intersections, hours, values, months, periods; no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from service.calendar import spans as span_rules
from service.calendar import wallclock
from service.impact import rules
from service.offers.rules import Window


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=UTC)


def test_intersect_keeps_what_both_hold():
    spans = [(at(8), at(10)), (at(11), at(14))]
    others = [(at(9), at(12)), (at(13), at(15))]
    assert span_rules.intersect(spans, others) == [(at(9), at(10)), (at(11), at(12)),
                                              (at(13), at(14))]
    assert span_rules.intersect(spans, []) == []


def test_hours_are_exact_and_leave_rounded_half_up():
    assert rules.hours([(at(9), at(10, 10))]) == Decimal(7) / Decimal(6)
    assert rules.rounded(Decimal("1.125")) == Decimal("1.13")
    assert rules.valued(Decimal("50.00"), Decimal("2.75")) == Decimal("137.5000")
    assert rules.valued(None, Decimal(3)) is None
    assert rules.add_values([None, None]) is None
    assert rules.add_values([None, Decimal(2), Decimal("1.5")]) == Decimal("3.5")


def test_offered_spans_sit_inside_opening_hours_less_closures_and_blackouts():
    # Shanghai, Mon 2 to Wed 4 March 2026: window 09:00-12:00 daily, base open 10:00-18:00,
    # Tuesday closed, a blackout Wednesday 11:00-11:30 local: 2 h + 0 + 1.5 h.
    window = Window(date(2026, 3, 2), date(2026, 3, 4), tuple(
        (d, time(9), time(12)) for d in range(1, 8)))
    start, end = wallclock.day_bounds(date(2026, 3, 2), date(2026, 3, 5), "Asia/Shanghai")
    spans = rules.offered_spans(
        [window], tz="Asia/Shanghai",
        opening_hours=[(d, time(10), time(18)) for d in range(1, 8)],
        closures=[(date(2026, 3, 3), date(2026, 3, 3))],
        blackouts=[(datetime(2026, 3, 4, 3, tzinfo=UTC), datetime(2026, 3, 4, 3, 30,
                                                                   tzinfo=UTC))],
        start=start, end=end)
    assert rules.hours(spans) == Decimal("3.5")


def test_a_berlin_day_that_leaves_summer_time_is_25_hours_long():
    start, end = wallclock.day_bounds(date(2025, 10, 26), date(2025, 10, 27), "Europe/Berlin")
    assert rules.hours([(start, end)]) == 25


def test_months():
    assert rules.previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert rules.next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert len(rules.months_of(2026)) == 12


def test_a_month_has_ended_once_it_is_over_in_every_zone():
    march = date(2026, 3, 1)
    # 1 April 00:00 in Shanghai is 31 March 16:00 UTC; in New York 1 April 04:00 UTC.
    moment = datetime(2026, 3, 31, 20, tzinfo=UTC)
    assert rules.month_ended(march, ["Asia/Shanghai"], moment)
    assert not rules.month_ended(march, ["Asia/Shanghai", "America/New_York"], moment)
    assert not rules.month_ended(march, [], moment)


def test_a_period_runs_forwards_and_is_bounded():
    assert rules.period_errors(date(2026, 1, 1), date(2026, 1, 2), max_days=366) == {}
    assert "to" in rules.period_errors(date(2026, 1, 2), date(2026, 1, 2), max_days=366)
    assert "to" in rules.period_errors(date(2026, 1, 1), date(2027, 1, 3), max_days=366)
