"""The booking in the way of a span, and the 409 that names it."""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, DateTime, Row, Select, bindparam, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import wallclock
from ..catalogue.models import Equipment, TrainingBase
from ..db import HotRow
from ..i18n import gettext
from .errors import ReservationConflict
from .models import Reservation
from .permissions import sees_holder


def blocking(equipment_id: ColumnElement, starts_at: ColumnElement,
             blocked_until: ColumnElement) -> Select:
    """SQL: the earliest booking in the way of a span, in plain columns."""
    return (select(Reservation.id, Reservation.starts_at, Reservation.ends_at,
                   Reservation.blocked_until, Reservation.holder_id,
                   User.organisation_id.label("holder_organisation_id"),
                   Equipment.owner_organisation_id)
            .join(User, User.id == Reservation.holder_id)
            .join(Equipment, Equipment.id == Reservation.equipment_id)
            .where(Reservation.equipment_id == equipment_id,
                   Reservation.blocks(starts_at, blocked_until))
            .order_by(Reservation.starts_at).limit(1))


@functools.cache
def _conflict_statement() -> Select:
    """The earliest booking in the way of a span, built once."""
    return blocking(bindparam("equipment_id", type_=BigInteger),
                     bindparam("starts_at", type_=DateTime(timezone=True)),
                     bindparam("blocked_until", type_=DateTime(timezone=True)))


def conflict(session: Session, equipment_id: int, starts_at: datetime, blocked_until: datetime,
             actor: User, other: HotRow | Row | None = None, *, tz: str | None = None
             ) -> ReservationConflict:
    """The 409 of a span that collided, naming the booking in the way, `other` when the
    refused insert already found it (and, to those who may know, its id), in the item's
    zone `tz` (read here when not given)."""
    if other is None:
        other = session.connection().execute(_conflict_statement(), {
            "equipment_id": equipment_id, "starts_at": starts_at,
            "blocked_until": blocked_until}).first()
    if other is None:
        return ReservationConflict(
            gettext("The item was booked for an overlapping span meanwhile."))
    if tz is None:
        tz = session.scalar(select(TrainingBase.timezone).join(
            Equipment, Equipment.base_id == TrainingBase.id).where(Equipment.id == equipment_id))
    span = {"starts_at": other.starts_at.isoformat(), "ends_at": other.ends_at.isoformat(),
            "blocked_until": other.blocked_until.isoformat()}
    if sees_holder(actor, other.holder_id, other.holder_organisation_id,
                   other.owner_organisation_id):
        span["reservation_id"] = other.id
    return ReservationConflict(
        gettext("The item is booked from %(span)s (free again at %(free)s).",
                span=wallclock.local_span_text(other.starts_at, other.ends_at, tz),
                free=wallclock.local_text(other.blocked_until, tz,
                                          day=not _same_day(other, tz))),
        conflicting_span=span, timezone=tz)


def _same_day(other, tz: str) -> bool:
    """Whether a booking is free again on the local day it ends (its date said once)."""
    return wallclock.local(other.ends_at, tz).date() \
        == wallclock.local(other.blocked_until, tz).date()




def check_free(session: Session, actor: User, equipment_id: int, starts_at: datetime,
               blocked_until: datetime, tz: str) -> None:
    """The 409 of a span another booking is in the way of, asked rather than met: a booking
    learns it from the exclusion constraint refusing its insert, a span judged before
    booking (judging.py) from this read, which names the same booking."""
    other = session.connection().execute(_conflict_statement(), {
        "equipment_id": equipment_id, "starts_at": starts_at,
        "blocked_until": blocked_until}).first()
    if other is not None:
        raise conflict(session, equipment_id, starts_at, blocked_until, actor, other, tz=tz)
