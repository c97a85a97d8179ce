"""Who may see, record and edit which outcome (PRODUCT.md section 1)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from ..accounts.models import User
from ..accounts.permissions import OUTCOME_INSTRUCTING_ROLES, OWNER_STAFF_ROLES, STAFF_ROLES
from ..catalogue.models import Equipment
from ..reservations.models import Reservation
from .models import Outcome


def visible_outcomes(actor: User) -> ColumnElement[bool]:
    """Filter on Outcome joined to its Reservation: the holder, the author, the holder's
    school's instructors and admins, and the staff of the organisation owning the item.
    Nobody else: not the attendees, not other organisations, not the operators."""
    seen = [Reservation.holder_id == actor.id, Outcome.author_id == actor.id]
    if actor.role in STAFF_ROLES:
        seen.append(Reservation.holder_id.in_(
            select(User.id).where(User.organisation_id == actor.organisation_id)))
    if actor.role in OWNER_STAFF_ROLES:
        seen.append(Reservation.equipment_id.in_(
            select(Equipment.id).where(Equipment.owner_organisation_id == actor.organisation_id)))
    return or_(*seen)


def may_record(actor: User, reservation: Reservation) -> bool:
    """The holder, or an instructor of the holder's school."""
    if actor.id == reservation.holder_id:
        return True
    return (actor.role in OUTCOME_INSTRUCTING_ROLES
            and reservation.holder.organisation_id == actor.organisation_id)


def may_edit(actor: User, outcome: Outcome) -> bool:
    """Its author only."""
    return actor.id == outcome.author_id
