"""Blackouts: spans in which an item cannot be booked, placed and lifted by its owner."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import MANAGING_ROLES, require_role
from ..calendar import statuses, wallclock
from ..catalogue.errors import EffectiveDateInPast
from ..catalogue.models import Equipment
from ..catalogue.permissions import require_equipment_manager, require_visible_equipment
from ..catalogue.queries import get_visible_equipment
from ..db import utcnow
from ..errors import NotFound
from ..i18n import gettext
from .errors import BlackoutConflict, BlackoutInPast, InvalidSpan
from .models import Blackout, Reservation
from .policy import BookingPolicy
from .transitions import notify_about, record
from .waitlist import close_waitlist_entry, offer_freed_span

# A blackout "from now" leaves a client a little before it arrives: that much of the past is
# the present (today's period is under way, never stored).
NOW_GRACE = timedelta(minutes=5)


def _managed_item(session: Session, actor: User, equipment_id: int) -> Equipment:
    """The item, locked (FOR UPDATE waits for bookings in flight on it and holds off new
    ones), if the actor manages it. Blackouts are the owner's business, like the item itself:
    they may cancel bookings of people from elsewhere."""
    equipment = session.scalar(select(Equipment).where(Equipment.id == equipment_id)
                               .with_for_update(of=Equipment))
    if equipment is None:
        raise NotFound(f"No equipment {equipment_id}.")
    require_visible_equipment(session, actor, equipment)
    require_role(actor, *MANAGING_ROLES)
    require_equipment_manager(actor, equipment)
    return equipment


def list_blackouts(session: Session, actor: User, equipment_id: int, *,
                   start: datetime | None = None, end: datetime | None = None
                   ) -> list[Blackout]:
    """An item's blackouts, for those who see the item (404 for the others)."""
    get_visible_equipment(session, actor, equipment_id)
    stmt = select(Blackout).where(Blackout.equipment_id == equipment_id)
    if start is not None:
        stmt = stmt.where(Blackout.ends_at > start)
    if end is not None:
        stmt = stmt.where(Blackout.starts_at < end)
    return list(session.scalars(stmt.order_by(Blackout.starts_at).limit(500)))


def add_blackout(session: Session, actor: User, equipment_id: int, *, starts_at: datetime,
                 ends_at: datetime, reason: str, cancel_conflicting: bool = False,
                 policy: BookingPolicy, now: datetime | None = None) -> Blackout:
    """Block an item from now on (a past span's figures never move: 422
    effective_date_in_past); reservations inside it are listed (409) or, when asked,
    cancelled."""
    now = now or utcnow()
    if ends_at <= starts_at:
        raise InvalidSpan(errors={"ends_at": ["Must be after starts_at."]})
    if starts_at < now - NOW_GRACE:
        raise EffectiveDateInPast(
            gettext("A blackout starts now or later: the past stays as it was."),
            errors={"starts_at": ["Is in the past."]})
    _managed_item(session, actor, equipment_id)
    conflicting = session.scalars(select(Reservation).where(
        Reservation.equipment_id == equipment_id, Reservation.status.in_(statuses.ACTIVE),
        Reservation.starts_at < ends_at, Reservation.ends_at > starts_at)
        .order_by(Reservation.starts_at).with_for_update(of=Reservation)).all()
    if conflicting and not cancel_conflicting:
        tz = conflicting[0].equipment.timezone
        first = conflicting[0]
        raise BlackoutConflict(
            gettext("%(count)s reservation(s) fall inside, the first %(span)s; repeat with "
                    "cancel_conflicting=true to cancel them.", count=len(conflicting),
                    span=wallclock.local_span_text(first.starts_at, first.ends_at, tz)),
            timezone=tz,
            conflicting_reservations=[
                {"reservation_id": r.id, "starts_at": r.starts_at.isoformat(),
                 "ends_at": r.ends_at.isoformat(), "status": r.status} for r in conflicting])
    blackout = Blackout(equipment_id=equipment_id, starts_at=starts_at, ends_at=ends_at,
                        reason=reason, created_by_id=actor.id)
    session.add(blackout)
    why = f"blackout: {reason}"[:500]
    for reservation in conflicting:
        record(session, reservation, "cancelled", actor, why)
        notify_about(session, reservation, "cancelled", reason=why, actor=actor)
        close_waitlist_entry(session, reservation, "cancelled")
    session.commit()
    return blackout


def remove_blackout(session: Session, actor: User, equipment_id: int, blackout_id: int, *,
                    policy: BookingPolicy, now: datetime | None = None) -> None:
    """Lift a blackout from now on: one not begun goes; one that has begun ends now (its past
    stays blacked out in every figure); one over is 409 blackout_in_past. Waiting users are
    offered what it freed."""
    now = now or utcnow()
    _managed_item(session, actor, equipment_id)
    blackout = session.get(Blackout, blackout_id)
    if blackout is None or blackout.equipment_id != equipment_id:
        raise NotFound(f"No blackout {blackout_id} on equipment {equipment_id}.")
    if blackout.ends_at <= now:
        raise BlackoutInPast(gettext("The blackout ended at %(end)s.",
                                     end=blackout.ends_at.isoformat()))
    freed = (max(blackout.starts_at, now), blackout.ends_at)
    if blackout.starts_at < now:
        blackout.ends_at = now
    else:
        session.delete(blackout)
    session.flush()
    offer_freed_span(session, equipment_id, *freed, policy=policy, now=now)
    session.commit()
