"""Pure time rules of booking: slot grid, opening windows in a base's zone, spans, weeks, series.

Everything here takes aware datetimes and IANA zone names and returns aware UTC datetimes, so a
test can check daylight-saving days without a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Span = tuple[datetime, datetime]


def local(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


def at_local(day: date, wall: time, tz: str) -> datetime:
    """The UTC instant of a wall-clock time on a local day (DST-aware)."""
    return datetime.combine(day, wall, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def on_slot_grid(instant: datetime, slot_minutes: int, tz: str) -> bool:
    """Whether the instant falls on the item's slot grid, counted from local midnight."""
    wall = local(instant, tz)
    minutes = wall.hour * 60 + wall.minute
    return wall.second == 0 and wall.microsecond == 0 and minutes % slot_minutes == 0


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with touching or overlapping spans joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(spans: Iterable[Span], cuts: Iterable[Span]) -> list[Span]:
    """What remains of `spans` once every cut is removed (one sweep over both, sorted)."""
    remaining: list[Span] = []
    cuts = merge(cuts)
    i = 0
    for start, end in merge(spans):
        while i < len(cuts) and cuts[i][1] <= start:
            i += 1
        j = i
        while j < len(cuts) and cuts[j][0] < end:
            cut_start, cut_end = cuts[j]
            if cut_start > start:
                remaining.append((start, cut_start))
            start = max(start, cut_end)
            j += 1
        if start < end:
            remaining.append((start, end))
    return remaining


def intersect(spans: Iterable[Span], others: Iterable[Span]) -> list[Span]:
    """The parts of `spans` that lie inside `others`."""
    spans = merge(spans)
    return subtract(spans, subtract(spans, others))


def clip(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    return [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]


def covers(spans: Iterable[Span], start: datetime, end: datetime) -> bool:
    """Whether one of the (merged) spans holds all of [start, end)."""
    return any(s <= start and end <= e for s, e in merge(spans))


def local_days(start: datetime, end: datetime, tz: str) -> list[date]:
    """The local days [start, end) touches."""
    first = local(start, tz).date()
    last = local(end - timedelta(microseconds=1), tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def opening_windows(hours: Iterable[tuple[int, time, time]], tz: str, start: datetime,
                    end: datetime) -> list[Span]:
    """The base's open spans between start and end, from weekly (ISO weekday, opens, closes)."""
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in hours:
        by_day.setdefault(weekday, []).append((opens, closes))
    windows = []
    for day in local_days(start, end, tz):
        for opens, closes in by_day.get(day.isoweekday(), ()):
            windows.append((at_local(day, opens, tz), at_local(day, closes, tz)))
    return clip(merge(windows), start, end)


def closed_spans(closures: Iterable[tuple[date, date]], tz: str) -> list[Span]:
    """Whole closed local days (inclusive ranges) as instants."""
    return merge((at_local(first, time(0), tz), at_local(last + timedelta(days=1), time(0), tz))
                 for first, last in closures)


def iso_week(instant: datetime, tz: str) -> Span:
    """The ISO week (Monday 00:00 to Monday 00:00, local) holding the instant."""
    day = local(instant, tz).date()
    monday = day - timedelta(days=day.isoweekday() - 1)
    return at_local(monday, time(0), tz), at_local(monday + timedelta(days=7), time(0), tz)


def _grid_point(instant: datetime, slot_minutes: int, tz: str, step: int) -> datetime:
    """The k-th grid point of the instant's local day, counted in wall-clock time (local
    midnight + k slots), k being the instant's own slot plus `step`."""
    wall = instant.astimezone(ZoneInfo(tz))
    k = (wall.hour * 60 + wall.minute) // slot_minutes + step
    midnight = wall.replace(hour=0, minute=0, second=0, microsecond=0)
    # Aware datetime arithmetic is wall-clock arithmetic: the offset is looked up afterwards.
    return (midnight + timedelta(minutes=k * slot_minutes)).astimezone(UTC)


def grid_floor(instant: datetime, slot_minutes: int, tz: str) -> datetime:
    """The latest grid instant at or before `instant` (grid in the base's wall-clock time)."""
    step = 0
    while (point := _grid_point(instant, slot_minutes, tz, step)) > instant:
        step -= 1  # a daylight-saving change moved this wall time after the instant
    return point


def grid_ceil(instant: datetime, slot_minutes: int, tz: str) -> datetime:
    """The earliest grid instant at or after `instant`."""
    step = 0
    while (point := _grid_point(instant, slot_minutes, tz, step)) < instant:
        step += 1
    return point


def bookable(spans: Iterable[Span], slot_minutes: int, min_minutes: int, tz: str) -> list[Span]:
    """Free spans trimmed to the slot grid, dropping those too short to book."""
    result = []
    for start, end in spans:
        start, end = grid_ceil(start, slot_minutes, tz), grid_floor(end, slot_minutes, tz)
        if end - start >= timedelta(minutes=min_minutes):
            result.append((start, end))
    return result


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
