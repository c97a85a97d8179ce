"""Pure rules of reports: period boundaries (local days, ISO weeks, months) and ratios."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal


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
