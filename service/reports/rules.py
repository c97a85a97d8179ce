"""Pure rules of reports: period boundaries (local days, ISO weeks, months) and ratios."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ..reservations.rules import at_local


def period_start(day: date, granularity: str) -> date:
    """The first local day of the period of `granularity` that holds `day`."""
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.isoweekday() - 1)
    if granularity == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown granularity {granularity!r}")


def period_end(start: date, granularity: str) -> date:
    """The first local day after the period that starts on `start` (exclusive end)."""
    if granularity == "day":
        return start + timedelta(days=1)
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    raise ValueError(f"unknown granularity {granularity!r}")


def is_period_start(day: date, granularity: str) -> bool:
    return period_start(day, granularity) == day


def periods(first: date, last: date, granularity: str) -> Iterator[date]:
    """The starts of every period that holds a day of first..last (inclusive)."""
    start = period_start(first, granularity)
    while start <= last:
        yield start
        start = period_end(start, granularity)


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole, or None when nothing was available (never a division by zero)."""
    if not whole:
        return None
    return part / whole


def is_closed(end: date, now: datetime, zones: set[str]) -> bool:
    """Whether a period ending (exclusive) on `end` has ended in every one of the zones."""
    return all(now >= at_local(end, time(0), tz) for tz in zones or {"UTC"})


def closed_periods(first: date, now: datetime, zones: set[str],
                   last: date | None = None,
                   granularities: tuple[str, ...] = ("day", "week", "month"),
                   ) -> list[tuple[str, date]]:
    """(granularity, start) of every period holding a day of first..last (default: up to
    now) that has ended in every zone, oldest first."""
    horizon = last or now.astimezone(UTC).date() + timedelta(days=1)
    due = []
    for granularity in granularities:
        for start in periods(first, horizon, granularity):
            if not is_closed(period_end(start, granularity), now, zones):
                break
            due.append((granularity, start))
    return sorted(due, key=lambda p: (p[1], granularities.index(p[0])))
