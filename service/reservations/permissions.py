"""Who may see and act on which reservation (PRODUCT.md section 1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from ..accounts.models import User
from ..accounts.permissions import STAFF_ROLES
from ..catalogue.models import Equipment
from .models import Reservation, ReservationAttendee


def visible_reservations(actor: User) -> ColumnElement[bool]:
    """Students see their own (as holder or attendee); school staff their school's and those on
    their school's equipment; enterprise staff those on their enterprise's equipment."""
    on_owned_equipment = Reservation.equipment_id.in_(
        select(Equipment.id).where(Equipment.owner_organisation_id == actor.organisation_id))
    if actor.role == "enterprise_staff":
        return on_owned_equipment
    if actor.role in STAFF_ROLES:
        return or_(Reservation.holder_id.in_(
            select(User.id).where(User.organisation_id == actor.organisation_id)),
            on_owned_equipment)
    return or_(Reservation.holder_id == actor.id, exists().where(
        ReservationAttendee.reservation_id == Reservation.id,
        ReservationAttendee.user_id == actor.id))


def owns_equipment(actor: User, reservation: Reservation) -> bool:
    return reservation.equipment.owner_organisation_id == actor.organisation_id


def approver_roles(owner_kind: str) -> tuple[str, ...]:
    """Who decides for an owner: its instructors and admins for a school, its staff for an
    enterprise."""
    return ("enterprise_staff",) if owner_kind == "enterprise" else STAFF_ROLES


def may_approve(actor: User, reservation: Reservation) -> bool:
    """The owner decides (its approver roles, above)."""
    if not owns_equipment(actor, reservation):
        return False
    return actor.role in approver_roles(reservation.equipment.owner.kind)


def decidable_reservations(actor: User, now: datetime) -> ColumnElement[bool]:
    """The requests the actor may approve or reject now, in SQL: what may_approve and the
    guards of lifecycle.approve check one by one (owned equipment, an approver role, pending
    and not a waitlist hold, not their own, before the start and any decision deadline).
    A qualification lost since the request is found only when deciding."""
    if actor.role not in approver_roles(actor.organisation.kind):
        return false()
    return and_(
        Reservation.equipment_id.in_(select(Equipment.id).where(
            Equipment.owner_organisation_id == actor.organisation_id)),
        Reservation.status == "pending", Reservation.hold_expires_at.is_(None),
        Reservation.holder_id != actor.id, Reservation.created_by_id != actor.id,
        Reservation.starts_at > now,
        or_(Reservation.decide_by.is_(None), Reservation.decide_by > now))


def is_staff_for(actor: User, reservation: Reservation) -> bool:
    """Staff who may act for the holder: the holder's school staff or the item's owner."""
    if actor.role in STAFF_ROLES and reservation.holder.organisation_id == actor.organisation_id:
        return True
    return owns_equipment(actor, reservation) and actor.role in (*STAFF_ROLES, "enterprise_staff")


def sees_holder(actor: User, holder_id: int, holder_organisation_id: int,
                owner_organisation_id: int) -> bool:
    """Whether the actor may learn who holds a reservation: the holder, their school's staff,
    or the item owner's staff; the rest see only that the time is taken."""
    if actor.id == holder_id:
        return True
    if actor.role in STAFF_ROLES and holder_organisation_id == actor.organisation_id:
        return True
    return actor.role != "student" and owner_organisation_id == actor.organisation_id
