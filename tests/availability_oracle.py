"""The slot grid and the availability read as they were before issue 11 made them cheap,
copied verbatim (only `rules.bookable` became this module's `bookable`): the oracle the fast
code must match byte for byte in tests/unit/test_bookable_oracle.py and
tests/integration/test_availability_oracle.py. Do not improve it: its worth is being the old
code."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from service.accounts.models import User
from service.calendar import spans as span_rules
from service.calendar import wallclock
from service.db import utcnow
from service.errors import NotFound
from service.reservations import offered
from service.reservations.permissions import sees_holder
from service.reservations.policy import BookingPolicy
from service.reservations.queries import _busy_and_closed, _offer_view, _window
from service.reservations.targets import find_booking_target

Span = tuple[datetime, datetime]


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


def bookable(spans: Iterable[Span], slot_minutes: int, min_minutes: int, tz: str) -> list[Span]:
    """Free spans trimmed to the slot grid, dropping those too short to book."""
    result = []
    for start, end in spans:
        start, end = grid_ceil(start, slot_minutes, tz), grid_floor(end, slot_minutes, tz)
        if end - start >= timedelta(minutes=min_minutes):
            result.append((start, end))
    return result


def availability(session: Session, actor: User, equipment_id: int, *, start: datetime,
                 end: datetime, policy: BookingPolicy, now: datetime | None = None) -> dict:
    """Free and busy spans of one item, honouring opening hours, closures, blackouts and the
    setup buffers on both sides of a booking. Three statements, no ORM rows on the hot path."""
    now = now or utcnow()
    equipment = find_booking_target(session, equipment_id)
    if equipment is None:
        raise NotFound(f"No equipment {equipment_id}.")
    _window(equipment, start, end, policy, now)
    tz = equipment.timezone
    buffer = timedelta(minutes=equipment.setup_buffer_minutes)
    days = wallclock.local_days(start, end, tz)
    rows = session.connection().execute(_busy_and_closed(), {
        "equipment_id": equipment.id, "base_id": equipment.base_id, "first_day": days[0],
        "last_day": days[-1], "start": start, "end": end, "window_end": end + buffer}).all()

    # Closure rows carry their first and last local day (the statement's one change since).
    closed = wallclock.closed_spans([(r.starts_at.date(), r.ends_at.date())
                                     for r in rows if r.kind == "closure"], tz)
    blackouts = [r for r in rows if r.kind == "blackout"]
    reservations = [r for r in rows if r.kind == "reservation"]
    free: list[tuple[datetime, datetime]] = []
    open_spans = wallclock.opening_windows(equipment.opening_hours, tz, start, end)
    terms = None
    if equipment.under_offer_for(actor.organisation_id):
        offer_spans, terms = offered.bookable_spans(session, actor, equipment, start, end)
        open_spans = span_rules.intersect(open_spans, offer_spans)
    if equipment.status == "active":
        cuts = [*closed, *((b.starts_at, b.ends_at) for b in blackouts),
                # A new booking needs its own buffer free before the next one starts.
                *((r.starts_at - buffer, r.blocked_until) for r in reservations),
                (start, max(start, now))]
        free = bookable(span_rules.subtract(open_spans, cuts), equipment.slot_minutes,
                              equipment.min_duration_minutes, tz)
    busy = []
    for r in rows:
        if r.kind == "closure":
            continue
        span = {"kind": r.kind, "starts_at": r.starts_at.isoformat(),
                "ends_at": r.ends_at.isoformat(), "blocked_until": r.blocked_until.isoformat()}
        if r.kind == "blackout":
            span["reason"] = r.note
        else:
            span["status"] = r.status
            if sees_holder(actor, r.holder_id, r.holder_organisation_id,
                           equipment.owner_organisation_id):
                span.update(reservation_id=r.id, holder_id=r.holder_id, holder_name=r.note)
        busy.append(span)
    # Instants leave as ISO 8601 text: this read is hot and carries hundreds of spans.
    answer = {"equipment_id": equipment_id, "timezone": tz, "from": start.isoformat(),
              "to": end.isoformat(), "busy": busy,
              "free": [{"starts_at": s.isoformat(), "ends_at": e.isoformat()} for s, e in free]}
    if terms is not None:
        answer["offer"] = _offer_view(session, terms, tz, start, end)
    return answer
