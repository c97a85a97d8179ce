"""Wall-clock time in a base's zone: local instants, 24:00 closes, opening windows, periods.

Everything takes aware datetimes and IANA zone names and returns aware UTC datetimes, so a
test can check daylight-saving nights without a database. The one choice wall clocks force:
a wall time the autumn change repeats is its FIRST occurrence, and one the spring change skips
is read with the offset in force before the change (Python's fold=0); `sql.local_instant`
renders the same choice for PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..i18n import gettext
from .spans import Span, clip, merge

GRANULARITIES = ("day", "week", "month")

# One span of a base's week with the local days it is in force: (ISO weekday, opens, closes,
# first day or None for since the beginning, first day no longer in force or None for ever).
# A plain (weekday, opens, closes) is in force every day.
WeeklySpan = tuple[int, time, time, date | None, date | None]

# A span's closing time 24:00, midnight at the end of its day. Python's `time` has no 24:00,
# and no span can close at 00:00 (it would close before it opens), so a close of time(0) is read
# as the end of the day everywhere: by the column type that stores '24:00:00', by the API field
# that reads and writes "24:00", and by the rules that turn spans into instants.
END_OF_DAY = time(0)


def local(instant: datetime, tz: str) -> datetime:
    """The instant on the zone's wall clock."""
    return instant.astimezone(ZoneInfo(tz))


def at_local(day: date, wall: time, tz: str) -> datetime:
    """The UTC instant of a wall-clock time on a local day (first occurrence; see above)."""
    return datetime.combine(day, wall, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def closing_at(day: date, closes: time, tz: str) -> datetime:
    """The UTC instant a span of a local day closes: a close of END_OF_DAY (24:00) is the next
    local midnight, where the next day's 00:00 opening begins (so the two spans touch)."""
    if closes == END_OF_DAY:
        return at_local(day + timedelta(days=1), time(0), tz)
    return at_local(day, closes, tz)


def since_midnight(wall: time, *, closing: bool = False) -> timedelta:
    """How far a wall-clock time is into its day; a closing END_OF_DAY is a whole day."""
    if closing and wall == END_OF_DAY:
        return timedelta(days=1)
    return timedelta(hours=wall.hour, minutes=wall.minute, seconds=wall.second,
                     microseconds=wall.microsecond)


def closes_after(opens: time, closes: time) -> bool:
    """Whether a span that opens at `opens` closes later the same day."""
    return since_midnight(closes, closing=True) > since_midnight(opens)


def wall_text(wall: time, *, closing: bool = False) -> str:
    """'08:30', and '24:00' for a closing END_OF_DAY."""
    return "24:00" if closing and wall == END_OF_DAY else f"{wall:%H:%M}"


def local_text(instant: datetime, tz: str, *, day: bool = True) -> str:
    """An instant as people read it: the zone's wall time with its offset from UTC,
    "2026-12-08 10:00 (UTC+08:00)", or "10:00 (UTC+08:00)" without the date when `day` is
    false (the second half of a span on the same day). The offset tells the two 02:30s of an
    autumn night apart, and tells a reader in another zone how far the wall clock is from
    theirs. Every refusal's detail and every notice writes instants with it."""
    wall = local(instant, tz)
    offset = wall.strftime("%z") or "+0000"
    text = f"{wall:%H:%M} (UTC{offset[:3]}:{offset[3:5]})"
    return f"{wall:%Y-%m-%d} {text}" if day else text


def local_span_text(start: datetime, end: datetime, tz: str) -> str:
    """"2026-12-08 10:00 (UTC+08:00) to 11:00 (UTC+08:00)": the end's date only when it falls
    on another local day."""
    same_day = local(start, tz).date() == local(end, tz).date()
    return gettext("%(start)s to %(end)s", start=local_text(start, tz),
                   end=local_text(end, tz, day=not same_day))


def read_closing_time(text: str) -> time:
    """A closing time as PostgreSQL writes it ('18:00:00', '24:00:00'), as the rules read it."""
    return END_OF_DAY if text.startswith("24:") else time.fromisoformat(text)


def local_days(start: datetime, end: datetime, tz: str) -> list[date]:
    """The local days [start, end) touches."""
    first = local(start, tz).date()
    last = local(end - timedelta(microseconds=1), tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def in_force(span: tuple, day: date) -> bool:
    """Whether a weekly span (WeeklySpan, or a plain triple: always) is in force on a day."""
    if len(span) == 3:
        return True
    first, until = span[3], span[4]
    return (first is None or first <= day) and (until is None or day < until)


def week_on(hours: Iterable[tuple], day: date) -> list[tuple[int, time, time]]:
    """The (weekday, opens, closes) of the week in force on a local day."""
    return [tuple(span[:3]) for span in hours if in_force(span, day)]


def opening_windows(hours: Iterable[tuple], tz: str, start: datetime,
                    end: datetime) -> list[Span]:
    """The open spans between start and end, from weekly spans (WeeklySpan, or plain (ISO
    weekday, opens, closes) in force every day), each local day reading the week in force that
    day; a span closing at 24:00 runs to the next local midnight, joined to one opening at
    00:00. This is the one place that picks a day's week: the reports' SQL says the same with
    `in_force @> day`."""
    by_day: dict[int, list[tuple]] = {}
    for span in hours:
        by_day.setdefault(span[0], []).append(span)
    windows = []
    for day in local_days(start, end, tz):
        for span in by_day.get(day.isoweekday(), ()):
            if not in_force(span, day):
                continue
            opens, closes = span[1], span[2]
            span = (at_local(day, opens, tz), closing_at(day, closes, tz))
            # A span opening in a spring gap (read with the offset before the change) may
            # close before it opens: none of it exists that day.
            if span[0] < span[1]:
                windows.append(span)
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


def period_start(day: date, granularity: str) -> date:
    """The first local day of the period of `granularity` (day, ISO week, month) holding `day`."""
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


def day_bounds(first: date, end: date, tz: str) -> Span:
    """Local days first..end (exclusive) as instants: local midnight to local midnight."""
    return at_local(first, time(0), tz), at_local(end, time(0), tz)


def period_bounds(start: date, granularity: str, tz: str) -> Span:
    """The period of `granularity` starting on `start`, as instants in the zone."""
    return day_bounds(start, period_end(start, granularity), tz)


def has_ended(end: date, now: datetime, zones: Iterable[str]) -> bool:
    """Whether local days ending (exclusive) on `end` are over in every one of the zones."""
    return all(now >= at_local(end, time(0), tz) for tz in set(zones) or {"UTC"})
