"""Pure rules of the catalogue: time zones, weekly opening hours, booking-rule consistency."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def is_valid_timezone(name: str) -> bool:
    """An IANA zone name such as Asia/Shanghai (not a bare offset or an abbreviation)."""
    if not name or name != name.strip() or name not in _zones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


# A span's closing time 24:00, midnight at the end of its day. Python's `time` has no 24:00,
# and no span can close at 00:00 (it would close before it opens), so a close of time(0) is read
# as the end of the day everywhere: by the column type that stores '24:00:00', by the API field
# that reads and writes "24:00", and by the rules that turn spans into instants.
END_OF_DAY = time(0)


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


def read_closing_time(text: str) -> time:
    """A closing time as PostgreSQL writes it ('18:00:00', '24:00:00'), as the rules read it."""
    return END_OF_DAY if text.startswith("24:") else time.fromisoformat(text)


def opening_hours_problems(spans: list[tuple[int, time, time]]) -> list[str]:
    """Why a week of (weekday, opens, closes) spans is not usable; empty when it is."""
    problems = []
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in spans:
        if not closes_after(opens, closes):
            problems.append(f"Day {weekday}: {wall_text(opens)} must be before "
                            f"{wall_text(closes, closing=True)}.")
        by_day.setdefault(weekday, []).append((opens, closes))
    for weekday, day in sorted(by_day.items()):
        day.sort(key=lambda span: since_midnight(span[0]))
        for (_, first_closes), (second_opens, _) in zip(day, day[1:], strict=False):
            if since_midnight(second_opens) < since_midnight(first_closes, closing=True):
                problems.append(f"Day {weekday}: spans overlap at {wall_text(second_opens)}.")
    return problems


def booking_rule_problems(*, slot_minutes: int, min_duration_minutes: int,
                          max_duration_minutes: int) -> dict[str, list[str]]:
    """Field -> messages for durations that do not fit the slot grid."""
    problems: dict[str, list[str]] = {}
    if 1440 % slot_minutes:
        problems["slot_minutes"] = ["Must divide a day (1440 minutes) evenly."]
        return problems
    if min_duration_minutes % slot_minutes:
        problems["min_duration_minutes"] = [f"Must be a multiple of {slot_minutes}."]
    if max_duration_minutes % slot_minutes:
        problems["max_duration_minutes"] = [f"Must be a multiple of {slot_minutes}."]
    if max_duration_minutes < min_duration_minutes:
        problems.setdefault("max_duration_minutes", []).append(
            "Must be at least min_duration_minutes.")
    return problems
