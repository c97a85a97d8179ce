"""The rules of a span on an item: grid, durations, horizon, opening hours, closures, blackouts."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..catalogue.models import Closure
from . import rules
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
from .targets import BookingTarget


@functools.cache
def _facts_statement():
    closed = select(Closure.id).where(
        Closure.base_id == bindparam("base_id"), Closure.starts_on <= bindparam("last_day"),
        Closure.ends_on >= bindparam("first_day")).exists()
    blacked_out = select(Blackout.id).where(
        Blackout.equipment_id == bindparam("equipment_id"),
        Blackout.starts_at < bindparam("ends_at"), Blackout.ends_at > bindparam("starts_at")
    ).exists()
    quota = select(BookingQuota).where(BookingQuota.organisation_id == bindparam("org_id"),
                                       BookingQuota.role == bindparam("role")).subquery()
    return select(closed, blacked_out, select(quota.c.weekly_hours).scalar_subquery(),
                  select(quota.c.active_reservations).scalar_subquery())


def _calendar_facts(session: Session, equipment: BookingTarget, starts_at: datetime,
                    ends_at: datetime, holder: User | None):
    """In one round trip: is the base closed, is the item blacked out, and the holder's quota
    (weekly hours, active reservations; None without a holder or a quota)."""
    days = rules.local_days(starts_at, ends_at, equipment.timezone)
    return session.connection().execute(_facts_statement(), {
        "base_id": equipment.base_id, "first_day": days[0], "last_day": days[-1],
        "equipment_id": equipment.id, "starts_at": starts_at, "ends_at": ends_at,
        "org_id": holder.organisation_id if holder else None,
        "role": holder.role if holder else None}).one()


def check_span(session: Session, equipment: BookingTarget, starts_at: datetime,
               ends_at: datetime,
               *, now: datetime, holder: User | None = None) -> tuple[int | None, int | None]:
    """Every rule of the item, its base and the calendar; raises the first one broken.
    Returns the holder's quota (weekly hours, active reservations) when a holder is given."""
    if ends_at <= starts_at:
        raise InvalidSpan(errors={"ends_at": ["Must be after starts_at."]})
    if equipment.status != "active":
        raise EquipmentUnavailable(f"The item is {equipment.status}.",
                                   equipment_status=equipment.status)
    tz = equipment.timezone
    slot = equipment.slot_minutes
    off_grid = {name: [f"Must be on the {slot}-minute grid of {tz}."]
                for name, value in (("starts_at", starts_at), ("ends_at", ends_at))
                if not rules.on_slot_grid(value, slot, tz)}
    if off_grid:
        raise NotOnSlotGrid(errors=off_grid)
    minutes = (ends_at - starts_at).total_seconds() / 60
    if not equipment.min_duration_minutes <= minutes <= equipment.max_duration_minutes:
        raise DurationOutOfRange(
            f"Book between {equipment.min_duration_minutes} and "
            f"{equipment.max_duration_minutes} minutes.", errors={"ends_at": ["Duration."]})
    if starts_at < now:
        raise StartsInPast(errors={"starts_at": ["Is in the past."]})
    if starts_at > now + timedelta(days=equipment.booking_horizon_days):
        raise BeyondBookingHorizon(
            f"Book at most {equipment.booking_horizon_days} days ahead.",
            errors={"starts_at": ["Beyond the booking horizon."]})
    windows = rules.opening_windows(equipment.opening_hours, tz, starts_at, ends_at)
    if not rules.covers(windows, starts_at, ends_at):
        raise OutsideOpeningHours(errors={"starts_at": ["Outside opening hours."]})
    closed, blacked_out, *quota = _calendar_facts(session, equipment, starts_at, ends_at, holder)
    if closed:
        days = rules.local_days(starts_at, ends_at, tz)
        closure = session.scalar(select(Closure).where(
            Closure.base_id == equipment.base_id, Closure.starts_on <= days[-1],
            Closure.ends_on >= days[0]).limit(1))
        raise BaseClosed(f"Closed {closure.starts_on} to {closure.ends_on}: {closure.reason}",
                         errors={"starts_at": ["The base is closed."]})
    if blacked_out:
        blackout = session.scalar(select(Blackout).where(
            Blackout.equipment_id == equipment.id, Blackout.starts_at < ends_at,
            Blackout.ends_at > starts_at).limit(1))
        raise EquipmentBlackedOut(
            f"Blacked out: {blackout.reason}", errors={"starts_at": ["In a blackout."]},
            conflicting_span={"starts_at": blackout.starts_at.isoformat(),
                              "ends_at": blackout.ends_at.isoformat()})
    return tuple(quota)
