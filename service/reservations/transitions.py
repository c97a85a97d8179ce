"""Moving a reservation between statuses, with the event that records who, when, why."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..notifications.services import Occasion, notify
from .errors import InvalidTransition, ReasonRequired
from .models import Reservation, ReservationEvent


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
                 reason: str = "") -> None:
    """Tell the holder what happened to their reservation (the caller commits)."""
    notify(session, user_id=reservation.holder_id, reservation_id=reservation.id, kind=kind,
           occasion=occasion_of(reservation), reason=reason)
