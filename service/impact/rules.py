"""Pure rules of impact: offered spans of an item, hours and their value, periods and months."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..calendar.spans import Span, clip, intersect, subtract
from ..calendar.wallclock import at_local, closed_spans, opening_windows
from ..offers.rules import Window, offer_spans

CENT = Decimal("0.01")
HOUR = Decimal(3600)
TOP_SKILLS = 5


def offered_spans(windows: Sequence[Window], *, tz: str, opening_hours, closures,
                  blackouts: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    """What an offer gave of one item within [start, end): its windows' weekly spans inside the
    base's opening hours in force on each day (wallclock.WeeklySpan), less the base's closed
    days and the item's blackouts."""
    if start >= end:
        return []
    offered = intersect(offer_spans(windows, tz, start, end),
                        opening_windows(opening_hours, tz, start, end))
    cuts = [*closed_spans(closures, tz), *clip(blackouts, start, end)]
    return subtract(offered, cuts)


def hours(spans: Iterable[Span]) -> Decimal:
    """Total length of the spans in hours (exact: seconds / 3600)."""
    seconds = sum(int((end - start).total_seconds()) for start, end in spans)
    return Decimal(seconds) / HOUR


def rounded(value: Decimal | None) -> Decimal | None:
    """Hours and money leave to the cent (half up)."""
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def valued(value_per_hour: Decimal | None, hours_given: Decimal) -> Decimal | None:
    """The declared value of the hours given; None when the item declares no value."""
    return None if value_per_hour is None else value_per_hour * hours_given


def add_values(values: Iterable[Decimal | None]) -> Decimal | None:
    """Sum of the declared values; None when none of them was declared."""
    declared = [v for v in values if v is not None]
    return sum(declared, Decimal(0)) if declared else None


def top_skills(counts: dict[str, int], limit: int = TOP_SKILLS) -> list[tuple[str, int]]:
    """The most practised tags, most often first, ties by tag."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(day: date) -> date:
    """The first day of the month before the one holding `day`."""
    return month_start(month_start(day) - timedelta(days=1))


def months_of(year: int) -> list[date]:
    return [date(year, month, 1) for month in range(1, 13)]


def month_ended(month: date, zones: Iterable[str], now: datetime) -> bool:
    """Whether the month is over in every zone given (UTC when none)."""
    end = next_month(month)
    return all(now >= at_local(end, time(0), tz) for tz in set(zones) or {"UTC"})


def period_errors(first_day: date, end_day: date, *, max_days: int) -> dict[str, list[str]]:
    """What is wrong with a [from, to) period of local days (empty when it is sound)."""
    if end_day <= first_day:
        return {"to": ["Must be after from."]}
    if (end_day - first_day).days > max_days:
        return {"to": [f"A period covers at most {max_days} days."]}
    return {}
