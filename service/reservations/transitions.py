"""Moving a reservation between statuses, with the event that records who, when, why."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..notifications.services import Occasion, notify
from .errors import InvalidTransition, ReasonRequired
from .models import Reservation, ReservationEvent
from .permissions import approver_roles

# What a class's attendees are told when the holder is told one of these (a class whose
# request lapsed does not take place either).
CLASS_NEWS = {"cancelled": "class_cancelled", "rejected": "class_cancelled",
              "lapsed": "class_cancelled"}


def record(session: Session, reservation: Reservation, to_status: str, actor: User | None,
           reason: str = "") -> None:
    """Move the reservation to a status and write the event that says who, when and why."""
    session.add(ReservationEvent(
        reservation_id=reservation.id, actor_id=actor.id if actor else None,
        from_status=reservation.status, to_status=to_status, reason=reason))
    reservation.status = to_status


def require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise ReasonRequired(errors={"reason": ["Required."]})
    return reason.strip()


def transition_error(reservation: Reservation, action: str) -> InvalidTransition:
    return InvalidTransition(f"A {reservation.status} reservation cannot be {action}.",
                             current_status=reservation.status)


def occasion_of(reservation: Reservation) -> Occasion:
    equipment = reservation.equipment
    return Occasion(equipment_id=equipment.id, equipment_name=equipment.name,
                    asset_tag=equipment.asset_tag, base_name=equipment.base.name,
                    timezone=equipment.base.timezone, starts_at=reservation.starts_at,
                    ends_at=reservation.ends_at, hold_expires_at=reservation.hold_expires_at,
                    decide_by=reservation.decide_by)


def notify_about(session: Session, reservation: Reservation, kind: str, *,
                 reason: str = "", actor: User | None = None) -> None:
    """Tell the holder what happened to their reservation, and a class's attendees when it is
    called off (never the actor, about their own action); the caller commits."""
    notify(session, user_id=reservation.holder_id, reservation_id=reservation.id, kind=kind,
           occasion=occasion_of(reservation), reason=reason)
    if kind in CLASS_NEWS:
        tell_attendees(session, reservation, CLASS_NEWS[kind], actor=actor, reason=reason)


def tell_attendees(session: Session, reservation: Reservation, kind: str, *,
                   actor: User | None, reason: str = "",
                   previous: tuple[datetime, datetime] | None = None) -> None:
    """Tell each attendee of a class (not the actor) that it was booked, moved or cancelled;
    a move passes the span it had before."""
    tell(session, [i for i in reservation.attendee_ids if actor is None or i != actor.id],
         kind=kind, reservation_id=reservation.id, occasion=occasion_of(reservation),
         holder=reservation.holder.full_name, reason=reason, previous=previous)


def tell(session: Session, user_ids: Iterable[int], *, kind: str, reservation_id: int,
         occasion: Occasion, holder: str = "", reason: str = "",
         previous: tuple[datetime, datetime] | None = None) -> None:
    """The same notice about one reservation to several people (the caller commits); a
    disabled account is told nothing (it can no longer sign in to act on it)."""
    user_ids = list(user_ids)
    active = dict(session.execute(select(User.id, User.language).where(
        User.id.in_(user_ids), User.is_active.is_(True))).all()) if user_ids else {}
    for user_id in (i for i in user_ids if i in active):
        notify(session, user_id=user_id, reservation_id=reservation_id, kind=kind,
               occasion=occasion, holder=holder, reason=reason, previous=previous,
               language=active[user_id])


def approver_ids(session: Session, *, owner_organisation_id: int, owner_kind: str,
                 exclude: Iterable[int] = ()) -> list[int]:
    """The active people who may approve bookings of an owner's items (permissions.py),
    less those excluded (nobody decides on their own booking)."""
    excluded = set(exclude)
    return [i for i in session.scalars(select(User.id).where(
        User.organisation_id == owner_organisation_id, User.is_active.is_(True),
        User.role.in_(approver_roles(owner_kind))).order_by(User.id)) if i not in excluded]


def tell_approvers(session: Session, reservation: Reservation, kind: str) -> int:
    """Tell the item's approvers about a request to decide (received, or about to lapse);
    answers how many were told."""
    equipment = reservation.equipment
    ids = approver_ids(session, owner_organisation_id=equipment.owner_organisation_id,
                       owner_kind=equipment.owner.kind,
                       exclude=(reservation.holder_id, reservation.created_by_id))
    tell(session, ids, kind=kind, reservation_id=reservation.id,
         occasion=occasion_of(reservation), holder=reservation.holder.full_name)
    return len(ids)
