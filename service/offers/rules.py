"""Pure rules of offers: a window's shape, and its spans as UTC instants (DST-correct; the
booking engine's own, re-exported from calendar.windows)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta

from ..calendar.wallclock import at_local, closes_after, since_midnight, wall_text
from ..calendar.windows import (  # noqa: F401 - the rules of offers, re-exported
    WeeklySpan,
    Window,
    offer_spans,
    window_bounds,
    window_spans,
)


def window_errors(window: Window, *, max_days: int) -> list[str]:
    """What is wrong with one window (empty when it is sound)."""
    problems = []
    if window.ends_on < window.starts_on:
        problems.append("ends_on must not be before starts_on.")
    elif (window.ends_on - window.starts_on).days + 1 > max_days:
        problems.append(f"A window covers at most {max_days} days.")
    if not window.spans:
        problems.append("Give at least one weekly span.")
    by_day: dict[int, list[tuple[timedelta, timedelta]]] = {}
    for weekday, opens, closes in window.spans:
        if not 1 <= weekday <= 7:
            problems.append(f"Weekday {weekday} is not an ISO weekday (1-7).")
        if not closes_after(opens, closes):
            problems.append(f"On weekday {weekday} the span must close after "
                            f"{wall_text(opens)}.")
        by_day.setdefault(weekday, []).append(
            (since_midnight(opens), since_midnight(closes, closing=True)))
    for weekday, spans in sorted(by_day.items()):
        spans.sort()
        if any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)):
            problems.append(f"Spans on weekday {weekday} overlap.")
    return problems


def windows_errors(windows: Sequence[Window], *, max_days: int) -> dict[str, list[str]]:
    """Errors per window (`windows.<index>`), and `windows` when their days overlap."""
    errors = {f"windows.{i}": problems for i, window in enumerate(windows)
              if (problems := window_errors(window, max_days=max_days))}
    if not windows:
        errors["windows"] = ["Give at least one window."]
    ordered = sorted(windows, key=lambda w: w.starts_on)
    if any(later.starts_on <= earlier.ends_on
           for earlier, later in zip(ordered, ordered[1:], strict=False)):
        errors.setdefault("windows", []).append("Windows must not share days.")
    return errors


def windows_of(offer) -> list[Window]:
    """An offer's stored windows (rows with starts_on, ends_on and spans) as rule values."""
    return [Window(starts_on=w.starts_on, ends_on=w.ends_on,
                   spans=tuple((s.weekday, s.opens, s.closes) for s in w.spans))
            for w in offer.windows]


def ended(windows: Iterable[Window], zones: Iterable[str], now: datetime) -> bool:
    """Whether the last window is over in every zone the offer's items stand in."""
    last = max((w.ends_on for w in windows), default=None)
    if last is None:
        return False
    return all(now >= at_local(last + timedelta(days=1), time(0), tz)
               for tz in set(zones) or {"UTC"})
