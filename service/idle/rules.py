"""Pure rules of idle equipment: which weeks are judged, what counts as idle, what to suggest,
and the windows of an offer drafted from a finding."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..calendar import wallclock
from ..calendar.wallclock import at_local

# What each kind of owner is told to do with an idle item.
SUGGESTIONS = {"enterprise": "offer_to_schools", "school": "share_or_move"}
SUGGESTION_WORDS = {
    "offer_to_schools": "Offer them to a school: a draft offer with their free hours is one "
                        "click away on the dashboard.",
    "share_or_move": "Share them with partner enterprises or move them to a base where "
                     "they are needed.",
}
DRAFT_WEEKS = 4  # how far ahead an offer drafted from a finding opens the item


@dataclass(frozen=True)
class Week:
    """One item's figures over one ISO week."""

    available_hours: Decimal
    booked_hours: Decimal


def last_closed_week(now: datetime, zones: set[str]) -> date:
    """The Monday of the latest ISO week that has ended in every one of the zones."""
    monday = wallclock.period_start(now.astimezone(UTC).date(), "week") + timedelta(days=7)
    while not wallclock.has_ended(monday + timedelta(days=7), now, zones):
        monday -= timedelta(days=7)
    return monday


def judged_weeks(last_week: date, weeks: int) -> list[date]:
    """The Mondays of the `weeks` ISO weeks ending with the one starting `last_week`, oldest
    first."""
    if weeks < 1:
        raise ValueError("judge at least one week")
    if not wallclock.is_period_start(last_week, "week"):
        raise ValueError(f"{last_week} is not a Monday")
    return [last_week - timedelta(days=7 * n) for n in range(weeks - 1, -1, -1)]


def last_complete_weeks(day: date, weeks: int) -> list[date]:
    """The Mondays of the `weeks` complete ISO weeks before the one holding `day`."""
    return judged_weeks(wallclock.period_start(day, "week") - timedelta(days=7), weeks)


def is_idle_week(week: Week, threshold: Decimal) -> bool:
    """Strictly under the threshold, with something available: an item that had no available
    hours (a closed base) has nothing to share. An enterprise's item is available in its
    base's opening hours, offered or not, and its own staff's bookings count as booked: one
    the enterprise uses itself is not idle."""
    return week.available_hours > 0 and week.booked_hours < threshold * week.available_hours


def is_idle(weeks: Sequence[Week | None], count: int, threshold: Decimal) -> bool:
    """Idle: a figure for each of the `count` weeks (None: the item has none for that week),
    and every one of them an idle week."""
    return len(weeks) == count and all(w is not None and is_idle_week(w, threshold)
                                       for w in weeks)


def existed_throughout(since: datetime | None, first_week: date, tz: str) -> bool:
    """Whether an item in use since `since` (its creation or first reservation, whichever is
    earlier) was there for the whole of the judged weeks: an item too new to have been
    judged for each of them is not called idle."""
    return since is not None and since <= at_local(first_week, time(0), tz)


def totals(weeks: Iterable[Week]) -> tuple[Decimal, Decimal, Decimal]:
    """Available, booked and free hours summed over the weeks."""
    available = sum((w.available_hours for w in weeks), Decimal(0))
    booked = sum((w.booked_hours for w in weeks), Decimal(0))
    return available, booked, available - booked


def suggestion(owner_kind: str) -> str:
    return SUGGESTIONS[owner_kind]


def next_monday(now: datetime, tz: str) -> date:
    """The first Monday after the local day of `now` in zone `tz` (a week on, on a Monday)."""
    today = now.astimezone(ZoneInfo(tz)).date()
    return today + timedelta(days=8 - today.isoweekday())


def draft_window(opening_hours: Iterable[tuple[int, time, time]], starts_on: date,
                 weeks: int = DRAFT_WEEKS) -> dict:
    """An offer window of `weeks` weeks from `starts_on` that opens the item in its base's
    opening hours, every weekday the base opens. Existing bookings stay where they are and
    the booking engine never double-books, so what the school can book is the free hours."""
    spans = sorted(set(opening_hours))
    return {"starts_on": starts_on, "ends_on": starts_on + timedelta(days=7 * weeks - 1),
            "spans": [{"weekday": d, "opens": o, "closes": c} for d, o, c in spans]}


def weekly_budget(free_hours: Decimal, weeks: int) -> int:
    """The hours per week an offer drafted from a finding lets the school book: the item's
    average free hours per judged week, whole, between 1 and 168."""
    return max(1, min(168, int(free_hours / weeks)))
