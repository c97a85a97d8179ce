"""Pure rules of reports: which periods are due to be built, and ratios."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ..calendar.wallclock import has_ended, period_end, periods


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole, or None when nothing was available (never a division by zero)."""
    if not whole:
        return None
    return part / whole


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
            if not has_ended(period_end(start, granularity), now, zones):
                break
            due.append((granularity, start))
    return sorted(due, key=lambda p: (p[1], granularities.index(p[0])))
