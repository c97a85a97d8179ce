"""Report periods in local days, ISO weeks and months, and which have ended in every zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from service.calendar import wallclock
from service.reports import rules
from service.reports.hours import stretches


@pytest.mark.parametrize(("day", "granularity", "start", "end"), [
    (date(2027, 3, 28), "day", date(2027, 3, 28), date(2027, 3, 29)),
    (date(2027, 3, 28), "week", date(2027, 3, 22), date(2027, 3, 29)),  # Sunday ends a week
    (date(2027, 1, 1), "week", date(2026, 12, 28), date(2027, 1, 4)),  # ISO week 53 of 2026
    (date(2028, 2, 29), "month", date(2028, 2, 1), date(2028, 3, 1)),
    (date(2027, 12, 31), "month", date(2027, 12, 1), date(2028, 1, 1)),
])
def test_each_day_lies_in_one_period_of_each_granularity(day, granularity, start, end):
    assert wallclock.period_start(day, granularity) == start
    assert wallclock.period_end(start, granularity) == end


def test_periods_list_every_period_touching_the_days():
    assert list(wallclock.periods(date(2027, 1, 30), date(2027, 3, 1), "month")) == [
        date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)]


def test_a_period_is_closed_only_once_it_has_ended_in_every_zone():
    end = date(2027, 3, 2)
    # Midnight of 2 March in Shanghai is 16:00 UTC on 1 March; in Berlin 23:00 UTC.
    at = datetime(2027, 3, 1, 20, tzinfo=UTC)
    assert wallclock.has_ended(end, at, {"Asia/Shanghai"})
    assert not wallclock.has_ended(end, at, {"Asia/Shanghai", "Europe/Berlin"})


def test_closed_periods_stop_at_the_first_period_still_under_way():
    now = datetime(2027, 3, 9, 12, tzinfo=UTC)  # a Tuesday
    assert rules.closed_periods(date(2027, 3, 1), now, {"UTC"}) == [
        ("day", date(2027, 3, 1)), ("week", date(2027, 3, 1)),
        *(("day", date(2027, 3, d)) for d in range(2, 9))]


def test_a_ratio_of_nothing_available_is_none_not_zero():
    assert rules.ratio(Decimal(0), Decimal(0)) is None
    assert rules.ratio(Decimal(3), Decimal(12)) == Decimal("0.25")


def test_days_not_kept_are_computed_live_in_runs_of_consecutive_days():
    days = [date(2025, 3, 5), date(2025, 3, 3), date(2025, 3, 4), date(2025, 3, 9)]
    assert stretches(days) == [(date(2025, 3, 3), date(2025, 3, 6)),
                               (date(2025, 3, 9), date(2025, 3, 10))]
    assert stretches([]) == []
