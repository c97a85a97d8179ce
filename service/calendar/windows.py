"""Pure rules of an offer's windows: dated local days with weekly spans, as UTC instants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .spans import Span, clip
from .wallclock import at_local, opening_windows

# ISO weekday, opens, closes (local wall-clock; a close of END_OF_DAY is 24:00)
WeeklySpan = tuple[int, time, time]


@dataclass(frozen=True)
class Window:
    """Local days starts_on..ends_on (inclusive) with weekly spans."""

    starts_on: date
    ends_on: date
    spans: tuple[WeeklySpan, ...]


def window_bounds(window: Window, tz: str) -> Span:
    """The window's days as instants: local midnight of starts_on to that after ends_on."""
    return (at_local(window.starts_on, time(0), tz),
            at_local(window.ends_on + timedelta(days=1), time(0), tz))


def window_spans(window: Window, tz: str, start: datetime, end: datetime) -> list[Span]:
    """The window's open spans within [start, end), as UTC instants, in the zone `tz`.

    Wall-clock times are read on each local day, so a span keeps its local hours across a
    daylight-saving change (and is an hour shorter or longer that night, if it spans it).
    """
    first, last = window_bounds(window, tz)
    lo, hi = max(start, first), min(end, last)
    if lo >= hi:
        return []
    return opening_windows(window.spans, tz, lo, hi)


def offer_spans(windows: Iterable[Window], tz: str, start: datetime,
                end: datetime) -> list[Span]:
    """All windows' open spans within [start, end), sorted."""
    spans = [span for window in windows for span in window_spans(window, tz, start, end)]
    return clip(sorted(spans), start, end)
