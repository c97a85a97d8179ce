"""Pure rules of the catalogue: time zones, weekly opening hours, booking-rule consistency."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..calendar.wallclock import closes_after, since_midnight, wall_text


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
