"""The rules of a span on an item: grid, durations, horizon, opening hours, closures, blackouts."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Row,
    Select,
    String,
    bindparam,
    cast,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import grid, spans, wallclock
from ..calendar.sql import WallClock
from ..catalogue.models import Closure, Equipment, TrainingBase
from ..db import HotRow, HotStatement
from ..i18n import gettext
from . import offered
from .errors import (
    BaseClosed,
    BeyondBookingHorizon,
    DurationOutOfRange,
    EquipmentBlackedOut,
    EquipmentUnavailable,
    InvalidSpan,
    NotOnSlotGrid,
    OutsideOpeningHours,
    StartsInPast,
)
from .models import Blackout, BookingQuota
from .targets import (
    BookingTarget,
    no_such_equipment,
    require_seen_by,
    target_of,
    target_statement,
)


def _facts_columns(base_id, equipment_id, tz, category_id):
    """SQL: is the base closed on a local day the span touches, is the item blacked out
    during it, and the holder's role's quotas (weekly hours, active reservations; NULL
    without one): on every category, and on the item's category.
    The span's local days come from the base's zone in SQL, as wallclock.local_days has them."""
    starts_at = bindparam("starts_at", type_=DateTime(timezone=True))
    ends_at = bindparam("ends_at", type_=DateTime(timezone=True))
    first_day = cast(WallClock(starts_at, tz), Date)
    last_day = cast(WallClock(ends_at - text("interval '1 microsecond'"), tz), Date)
    closed = select(Closure.id).where(
        Closure.base_id == base_id, Closure.starts_on <= last_day,
        Closure.ends_on >= first_day).exists()
    blacked_out = select(Blackout.id).where(
        Blackout.equipment_id == equipment_id, Blackout.starts_at < ends_at,
        Blackout.ends_at > starts_at).exists()
    def quota(column, *where):
        return select(column).where(
            BookingQuota.organisation_id == bindparam("org_id", type_=BigInteger),
            BookingQuota.role == bindparam("role", type_=String), *where).scalar_subquery()

    every = BookingQuota.category_id.is_(None)
    on_category = BookingQuota.category_id == category_id
    return (closed.label("closed"), blacked_out.label("blacked_out"),
            quota(BookingQuota.weekly_hours, every).label("weekly_hours"),
            quota(BookingQuota.active_reservations, every).label("active_reservations"),
            quota(BookingQuota.weekly_hours, on_category).label("category_weekly_hours"),
            quota(BookingQuota.active_reservations, on_category)
            .label("category_active_reservations"))


@functools.cache
def _facts_statement():
    return select(*_facts_columns(bindparam("base_id", type_=BigInteger),
                                  bindparam("equipment_id", type_=BigInteger),
                                  bindparam("tz", type_=String),
                                  bindparam("category_id", type_=BigInteger)))


def _target_and_facts_statement(lock: bool) -> Select:
    """The item to book, locked as booking_target(lock=True) locks it, its calendar facts for
    the span, and its approved offer to the holder's school, locked (NULL for a school's
    item, or one not offered to the school): one round trip where several were. Without
    `lock`, the same read for a span judged but not booked."""
    offer = offered.locked_offer(Equipment.id, bindparam("org_id", type_=BigInteger),
                                 lock=lock)
    return (target_statement(lock)
            .add_columns(*_facts_columns(Equipment.base_id, Equipment.id, TrainingBase.timezone,
                                         Equipment.category_id))
            .outerjoin(offer, true()).add_columns(offer.c.locked_offer_id))


_TARGET_AND_FACTS = {lock: HotStatement(functools.partial(_target_and_facts_statement, lock))
                     for lock in (False, True)}


def _span_params(starts_at: datetime, ends_at: datetime, holder: User | None) -> dict:
    return {"starts_at": starts_at, "ends_at": ends_at,
            "org_id": holder.organisation_id if holder else None,
            "role": holder.role if holder else None}


@dataclass(frozen=True)
class QuotaLimits:
    """The holder's role's limits on a booking (None: no limit): on every category, and on
    the item's category."""

    weekly_hours: int | None = None
    active_reservations: int | None = None
    category_weekly_hours: int | None = None
    category_active_reservations: int | None = None

    @property
    def none(self) -> bool:
        return all(v is None for v in (self.weekly_hours, self.active_reservations,
                                       self.category_weekly_hours,
                                       self.category_active_reservations))


@dataclass(frozen=True)
class CalendarFacts:
    """What check_span asks the database about a span; quotas are None when none applies."""

    closed: bool
    blacked_out: bool
    quotas: QuotaLimits


def facts_of(row: HotRow | Row) -> CalendarFacts:
    """CalendarFacts from a row holding _facts_columns (by their names)."""
    return CalendarFacts(closed=row.closed, blacked_out=row.blacked_out, quotas=QuotaLimits(
        weekly_hours=row.weekly_hours, active_reservations=row.active_reservations,
        category_weekly_hours=row.category_weekly_hours,
        category_active_reservations=row.category_active_reservations))


def booking_target_and_facts(session: Session, equipment_id: int, starts_at: datetime,
                             ends_at: datetime, holder: User, *, lock: bool = True
                             ) -> tuple[BookingTarget, CalendarFacts, int | None]:
    """booking_target(lock=True), the span's calendar facts and the id of the item's offer to
    the holder's school, locked (offered.check_offer reads it), in one statement (the booking
    hot path); 422 when the item does not exist. Without `lock`, nothing is locked."""
    row = _TARGET_AND_FACTS[lock].first(session, {"equipment_id": equipment_id,
                                            **_span_params(starts_at, ends_at, holder)})
    if row is None:
        raise no_such_equipment()
    target = target_of(row)
    require_seen_by(target, holder.organisation_id)
    return target, facts_of(row), row.locked_offer_id


def _calendar_facts(session: Session, equipment: BookingTarget, starts_at: datetime,
                    ends_at: datetime, holder: User | None) -> CalendarFacts:
    """The span's calendar facts alone, for an item already read."""
    return facts_of(session.connection().execute(_facts_statement(), {
        "base_id": equipment.base_id, "equipment_id": equipment.id, "tz": equipment.timezone,
        "category_id": equipment.category_id, **_span_params(starts_at, ends_at, holder)}).one())


def check_span(session: Session, equipment: BookingTarget, starts_at: datetime,
               ends_at: datetime, *, now: datetime, holder: User | None = None,
               facts: CalendarFacts | None = None) -> QuotaLimits:
    """Every rule of the item, its base and the calendar; raises the first one broken.
    Returns the holder's role's quotas when a holder is given.
    `facts` are the span's, read with the item (booking_target_and_facts), else read here."""
    if ends_at <= starts_at:
        raise InvalidSpan(errors={"ends_at": ["Must be after starts_at."]})
    if equipment.status != "active":
        raise EquipmentUnavailable(gettext("The item is %(status)s.", status=equipment.status),
                                   equipment_status=equipment.status)
    tz = equipment.timezone
    slot = equipment.slot_minutes
    off_grid = {name: [f"Must be on the {slot}-minute grid of {tz}."]
                for name, value in (("starts_at", starts_at), ("ends_at", ends_at))
                if not grid.on_slot_grid(value, slot, tz)}
    if off_grid:
        raise NotOnSlotGrid(errors=off_grid, slot_minutes=slot, timezone=tz)
    minutes = (ends_at - starts_at).total_seconds() / 60
    if not equipment.min_duration_minutes <= minutes <= equipment.max_duration_minutes:
        raise DurationOutOfRange(
            gettext("Book between %(least)s and %(most)s minutes.",
                    least=equipment.min_duration_minutes, most=equipment.max_duration_minutes),
            errors={"ends_at": ["Duration."]},
            min_duration_minutes=equipment.min_duration_minutes,
            max_duration_minutes=equipment.max_duration_minutes)
    if starts_at < now:
        raise StartsInPast(errors={"starts_at": ["Is in the past."]})
    latest_start = now + timedelta(days=equipment.booking_horizon_days)
    if starts_at > latest_start:
        raise BeyondBookingHorizon(
            gettext("Book at most %(days)s days ahead.", days=equipment.booking_horizon_days),
            errors={"starts_at": ["Beyond the booking horizon."]},
            booking_horizon_days=equipment.booking_horizon_days,
            # What a person can book: the last start on the item's grid, not the raw instant.
            latest_start=grid.grid_floor(latest_start, slot, tz).isoformat(), timezone=tz)
    windows = wallclock.opening_windows(equipment.opening_hours, tz, starts_at, ends_at)
    if not spans.covers(windows, starts_at, ends_at):
        raise OutsideOpeningHours(
            gettext("The base is not open for all of %(span)s.",
                    span=wallclock.local_span_text(starts_at, ends_at, tz)),
            errors={"starts_at": ["Outside opening hours."]}, timezone=tz)
    if facts is None:
        facts = _calendar_facts(session, equipment, starts_at, ends_at, holder)
    if facts.closed:
        days = wallclock.local_days(starts_at, ends_at, tz)
        closure = session.scalar(select(Closure).where(
            Closure.base_id == equipment.base_id, Closure.starts_on <= days[-1],
            Closure.ends_on >= days[0]).limit(1))
        raise BaseClosed(gettext("Closed %(first)s to %(last)s: %(reason)s",
                                 first=closure.starts_on, last=closure.ends_on,
                                 reason=closure.reason),
                         errors={"starts_at": ["The base is closed."]}, timezone=tz)
    if facts.blacked_out:
        blackout = session.scalar(select(Blackout).where(
            Blackout.equipment_id == equipment.id, Blackout.starts_at < ends_at,
            Blackout.ends_at > starts_at).limit(1))
        span = wallclock.local_span_text(blackout.starts_at, blackout.ends_at, tz)
        raise EquipmentBlackedOut(
            gettext("Blacked out from %(span)s: %(reason)s", span=span, reason=blackout.reason),
            errors={"starts_at": ["In a blackout."]},
            conflicting_span={"starts_at": blackout.starts_at.isoformat(),
                              "ends_at": blackout.ends_at.isoformat()}, timezone=tz)
    return facts.quotas
