"""The slot grid of an item in its base's wall-clock time, across daylight-saving changes.

Each local day's grid counts from its midnight in wall-clock time; a wall time the autumn
change repeats is a grid point in both its passes, one the spring change skips is none.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .spans import Span
from .wallclock import local


def on_slot_grid(instant: datetime, slot_minutes: int, tz: str) -> bool:
    """Whether the instant falls on the item's slot grid, counted from local midnight."""
    wall = local(instant, tz)
    minutes = wall.hour * 60 + wall.minute
    return wall.second == 0 and wall.microsecond == 0 and minutes % slot_minutes == 0


def _grid_points(instant: datetime, slot_minutes: int, tz: str, reach: timedelta) -> list[datetime]:
    """Every grid instant within `reach` of the instant's wall-clock time, sorted: each local
    day's grid counted from its midnight in wall-clock time, and a wall time the autumn change
    repeats taken in both its passes (a wall time the spring change skips is no instant)."""
    zone = ZoneInfo(tz)
    wall = instant.astimezone(zone).replace(tzinfo=None)
    low, high = wall - reach, wall + reach
    slot = timedelta(minutes=slot_minutes)
    slots_a_day = -(-1440 // slot_minutes)
    points = set()
    day = datetime.combine(low.date(), time(0))
    while day <= high:
        first = max(0, -(-(low - day) // slot))
        last = min(slots_a_day - 1, (high - day) // slot)
        for k in range(first, last + 1):
            naive = day + k * slot
            for fold in (0, 1):
                point = naive.replace(tzinfo=zone, fold=fold).astimezone(UTC)
                if point.astimezone(zone).replace(tzinfo=None) == naive:  # not a skipped time
                    points.add(point)
        day += timedelta(days=1)
    return sorted(points)


def _reach(slot_minutes: int) -> timedelta:
    return max(timedelta(hours=3), timedelta(minutes=2 * slot_minutes))


def _steady_wall(instant: datetime, tz: str, reach: timedelta) -> datetime | None:
    """The instant's naive wall time when the zone's offset does not change within `reach`
    of it (the common case: wall-clock arithmetic is then plain arithmetic), else None."""
    zone = ZoneInfo(tz)
    offset = instant.astimezone(zone).utcoffset()
    if (instant - reach).astimezone(zone).utcoffset() != offset \
            or (instant + reach).astimezone(zone).utcoffset() != offset:
        return None
    return (instant + offset).replace(tzinfo=None)


def _floor_wall(wall: datetime, slot_minutes: int) -> datetime:
    midnight = datetime.combine(wall.date(), time(0))
    return midnight + timedelta(minutes=(wall - midnight) // timedelta(minutes=slot_minutes)
                                * slot_minutes)


def grid_floor(instant: datetime, slot_minutes: int, tz: str) -> datetime:
    """The latest grid instant at or before `instant` (grid in the base's wall-clock time)."""
    reach = _reach(slot_minutes)
    if (wall := _steady_wall(instant, tz, reach)) is not None:
        return (instant - (wall - _floor_wall(wall, slot_minutes))).astimezone(UTC)
    while True:
        before = [p for p in _grid_points(instant, slot_minutes, tz, reach) if p <= instant]
        if before:
            return before[-1]
        reach *= 2  # a change of offset wider than the reach (a skipped day)


def grid_ceil(instant: datetime, slot_minutes: int, tz: str) -> datetime:
    """The earliest grid instant at or after `instant`."""
    reach = _reach(slot_minutes)
    if (wall := _steady_wall(instant, tz, reach)) is not None:
        floor = _floor_wall(wall, slot_minutes)
        if floor == wall:
            return instant.astimezone(UTC)
        after = min(floor + timedelta(minutes=slot_minutes),
                    datetime.combine(wall.date() + timedelta(days=1), time(0)))
        return (instant + (after - wall)).astimezone(UTC)
    while True:
        after = [p for p in _grid_points(instant, slot_minutes, tz, reach) if p >= instant]
        if after:
            return after[0]
        reach *= 2


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY = timedelta(days=1)
_DAY_US = 86_400_000_000


@functools.lru_cache(maxsize=512)
def _offset_changes(tz: str, year: int
                    ) -> tuple[timedelta, tuple[datetime, ...], tuple[timedelta, ...]]:
    """The zone's UTC offset at the start of a UTC year, then each change in the year (up to
    and including the next year's start): when it happens and the offset from then on.

    The offset is read at every UTC midnight and a change is bisected to the second (the tz
    database keeps whole seconds). That is exact while two changes never come within a day of
    each other: in the database none have since 1900 (the closest, Freetown's in 1939, were
    four days apart), and a test compares the result with the zone itself."""
    zone = ZoneInfo(tz)
    first = datetime(year, 1, 1, tzinfo=UTC)
    offset = starting = first.astimezone(zone).utcoffset()
    changes: list[datetime] = []
    offsets: list[timedelta] = []
    for n in range((datetime(year + 1, 1, 1, tzinfo=UTC) - first).days):
        before, after = first + n * _DAY, first + (n + 1) * _DAY
        if after.astimezone(zone).utcoffset() == offset:
            continue
        low, high = 0, 86400  # seconds after `before`: the offset at `low` is the old one
        while high - low > 1:
            middle = (low + high) // 2
            if (before + timedelta(seconds=middle)).astimezone(zone).utcoffset() == offset:
                low = middle
            else:
                high = middle
        changes.append(before + timedelta(seconds=high))
        offsets.append(offset := after.astimezone(zone).utcoffset())
    return starting, tuple(changes), tuple(offsets)


class _Grid:
    """One zone's slot grid over a stretch of time, for many instants at once.

    grid_floor and grid_ceil convert each instant to the zone three times to learn whether the
    offset holds steady within their reach. Here the zone's changes are read once (and kept
    per year), so the same test is a lookup and the same wall-clock arithmetic follows; an
    instant the offset does not hold steady around, or one not given in UTC (their arithmetic
    reads its own fields), goes to them, so every answer is theirs."""

    def __init__(self, slot_minutes: int, tz: str, first: datetime, last: datetime):
        self.slot_minutes, self.tz = slot_minutes, tz
        self.slot_us, self.reach = slot_minutes * 60_000_000, _reach(slot_minutes)
        self.offsets: list[timedelta] = []  # none: every instant goes to grid_floor/ceil
        self.changes: list[datetime] = []
        first, last = first.astimezone(UTC), last.astimezone(UTC)
        if 1900 <= first.year and last.year <= 9000:
            years = range((first - self.reach).year, (last + self.reach).year + 1)
            self.offsets = [_offset_changes(tz, years[0])[0]]
            for year in years:
                _, changes, offsets = _offset_changes(tz, year)
                self.changes += changes
                self.offsets += offsets

    def _steady_offset(self, instant: datetime) -> timedelta | None:
        """The offset of the zone at the instant, when it is the same one reach before and
        after (where _steady_wall finds a wall time), else None."""
        if instant.tzinfo is not UTC or not self.offsets:
            return None
        if not self.changes:
            return self.offsets[0]
        offset = self.offsets[bisect_right(self.changes, instant)]
        if self.offsets[bisect_right(self.changes, instant - self.reach)] == offset \
                == self.offsets[bisect_right(self.changes, instant + self.reach)]:
            return offset
        return None

    def _into_day(self, instant: datetime) -> int | None:
        """Microseconds since the instant's local midnight, None where grid_floor/ceil answer.
        (Integers: a timedelta modulo costs ten times a subtraction.)"""
        if (offset := self._steady_offset(instant)) is None:
            return None
        since = instant - _EPOCH + offset  # days and seconds into the day, as the wall reads
        return since.seconds * 1_000_000 + since.microseconds

    def floor(self, instant: datetime) -> datetime:
        if (into_day := self._into_day(instant)) is None:
            return grid_floor(instant, self.slot_minutes, self.tz)
        past = into_day % self.slot_us
        return instant - timedelta(0, 0, past) if past else instant

    def ceil(self, instant: datetime) -> datetime:
        if (into_day := self._into_day(instant)) is None:
            return grid_ceil(instant, self.slot_minutes, self.tz)
        if not (past := into_day % self.slot_us):
            return instant
        # The last slot of a day that the slots do not divide ends at midnight.
        return instant + timedelta(0, 0, min(self.slot_us - past, _DAY_US - into_day))


def bookable(spans: Iterable[Span], slot_minutes: int, min_minutes: int, tz: str) -> list[Span]:
    """Free spans trimmed to the slot grid, dropping those too short to book."""
    spans = list(spans)
    if not spans:
        return []
    edges = [instant for span in spans for instant in span]
    grid = _Grid(slot_minutes, tz, min(edges), max(edges))
    shortest = timedelta(minutes=min_minutes)
    result = []
    for start, end in spans:
        start, end = grid.ceil(start), grid.floor(end)
        if end - start >= shortest:
            result.append((start, end))
    return result
