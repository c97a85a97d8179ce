"""Pure rules of booking that are not wall-clock arithmetic: the days of a weekly series.

Wall clocks, spans and the slot grid live on the calendar floor (service/calendar).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def series_dates(weekdays: Iterable[int], starts_on: date, until_on: date | None = None,
                 count: int | None = None, limit: int = 200) -> list[date]:
    """The days of a weekly series, from starts_on, until a date (inclusive) or a count."""
    wanted = set(weekdays)
    days: list[date] = []
    day = starts_on
    while len(days) < limit:
        if until_on is not None and day > until_on:
            break
        if count is not None and len(days) >= count:
            break
        if day.isoweekday() in wanted:
            days.append(day)
        day += timedelta(days=1)
    return days
