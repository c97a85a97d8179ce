"""Who may see and change which part of the catalogue (docs/tenancy.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Select,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.orm import Session

from ..accounts.models import SCHOOL_ROLES, User
from ..accounts.permissions import is_operator, manages_equipment_of, manages_organisation
from ..calendar import sql
from ..calendar.sql import WallClock
from ..db import utcnow
from ..errors import Forbidden, NotFound
from .errors import NotYourEquipment
from .models import Equipment, TrainingBase, TrainingBaseOwner


def require_base_manager(actor: User, base: TrainingBase,
                         session: Session | None = None) -> None:
    """A base, its opening hours, closures and co-owners are run by the organisation that runs
    the base: its admins (school) or managers (enterprise). To anyone who does not even see
    the base (given the session to ask), it does not exist: 404, as for a GET."""
    if manages_organisation(actor, base.organisation_id):
        return
    if session is not None and not sees_base(session, actor, base, utcnow()):
        raise NotFound(f"No training base {base.id}.")
    raise Forbidden("This base is run by another organisation.", code="not_your_base")


def require_equipment_manager(actor: User, equipment: Equipment,
                              session: Session | None = None) -> None:
    """An item is managed by its owner: the school's admins, the enterprise's staff. To anyone
    who does not even see the item (given the session to ask), it does not exist: 404."""
    if manages_equipment_of(actor, equipment.owner_organisation_id):
        return
    if session is not None and not sees_equipment(
            session, actor, equipment.id, equipment.owner_organisation_id, utcnow()):
        raise NotFound(f"No equipment {equipment.id}.")
    raise NotYourEquipment()


def require_visible_equipment(session: Session, actor: User, equipment: Equipment) -> None:
    """404, as for an item that does not exist, when the actor does not see it."""
    if not sees_equipment(session, actor, equipment.id, equipment.owner_organisation_id,
                          utcnow()):
        raise NotFound(f"No equipment {equipment.id}.")


def require_vocabulary_keeper(actor: User) -> None:
    """Shared vocabularies (equipment categories) belong to the platform's operators."""
    if not is_operator(actor):
        raise Forbidden("Equipment categories are shared by every organisation; operators "
                        "keep them.", code="operators_only")


def may_place_at(owner_organisation_id: int, base: TrainingBase) -> bool:
    """An item stands at a base its owner runs or explicitly co-owns (PostgreSQL agrees:
    the equipment row refers to the base's owner row)."""
    return any(o.organisation_id == owner_organisation_id for o in base.owners)


# Who sees which equipment and bases (PRODUCT.md section 1, docs/tenancy.md#who-sees-what) --

# The tables of the floors above, by name: offers and bookings refer to equipment, so the
# catalogue cannot import them (the booking engine reads offers the same way).
_offers = table("offers", column("id"), column("school_id"))
_offer_items = table("offer_items", column("offer_id"), column("equipment_id"),
                     column("in_force"))
_offer_windows = table("offer_windows", column("offer_id"), column("ends_on"))
_reservations = table("reservations", column("id"), column("equipment_id"),
                      column("holder_id"))
_attendees = table("reservation_attendees", column("reservation_id"), column("user_id"))


def offered_now(school_id: int, now: datetime) -> Select:
    """SQL: the enterprise items in an offer open to the school now: its school approved it
    and it was not withdrawn (or its notice period still runs: the bookings in it stand), the
    one definition of `calendar.sql.offered_while`, and its last window has not ended in the
    item's zone (an offer that ran out is over, whether or not the expiry job ran yet)."""
    at = literal(now, DateTime(timezone=True))
    last_day = select(func.max(_offer_windows.c.ends_on)).where(
        _offer_windows.c.offer_id == _offers.c.id).scalar_subquery()
    today = cast(WallClock(at, TrainingBase.timezone), Date)
    return (select(_offer_items.c.equipment_id)
            .join(_offers, _offers.c.id == _offer_items.c.offer_id)
            .join(Equipment, Equipment.id == _offer_items.c.equipment_id)
            .join(TrainingBase, TrainingBase.id == Equipment.base_id)
            .where(_offers.c.school_id == school_id,
                   literal_column(sql.offered_while("offers", "training_bases.timezone"))
                   .op("@>")(at),
                   # the item is in the offer's terms today (a change may have taken it out)
                   _offer_items.c.in_force.op("@>")(today),
                   last_day >= today))


def booked_by(user_id: int) -> Select:
    """SQL: the items a person holds or attends a booking of, whatever became of it: their
    own bookings stay readable after the offer they were made under has closed."""
    attended = select(_attendees.c.reservation_id).where(_attendees.c.user_id == user_id)
    return select(_reservations.c.equipment_id).where(
        or_(_reservations.c.holder_id == user_id, _reservations.c.id.in_(attended)))


def visible_equipment(actor: User, now: datetime) -> ColumnElement[bool]:
    """Filter on Equipment: what the actor sees. Operators see everything; an enterprise's
    people its whole fleet and nothing else; a school's people their school's equipment, an
    enterprise's item while it is in an offer open to their school (offered_now), and the
    items they booked themselves."""
    if is_operator(actor):
        return true()
    own = Equipment.owner_organisation_id == actor.organisation_id
    if actor.role not in SCHOOL_ROLES:
        return own
    return or_(own, Equipment.id.in_(offered_now(actor.organisation_id, now)),
               Equipment.id.in_(booked_by(actor.id)))


def sees_equipment(session: Session, actor: User, equipment_id: int,
                   owner_organisation_id: int, now: datetime) -> bool:
    """Whether the actor sees this item (no query for its owner's people and operators)."""
    if is_operator(actor) or owner_organisation_id == actor.organisation_id:
        return True
    return bool(session.scalar(select(exists().where(
        Equipment.id == equipment_id, visible_equipment(actor, now)))))


def visible_bases(actor: User, now: datetime) -> ColumnElement[bool]:
    """Filter on TrainingBase: what the actor sees. Operators see every base; everyone else
    the bases their organisation runs or co-owns and those of the equipment they see (an
    enterprise's base while an item of it is offered to their school)."""
    if is_operator(actor):
        return true()
    owned = select(TrainingBaseOwner.base_id).where(
        TrainingBaseOwner.organisation_id == actor.organisation_id)
    seen = select(Equipment.base_id).where(visible_equipment(actor, now))
    return or_(TrainingBase.id.in_(owned), TrainingBase.id.in_(seen))


def sees_base(session: Session, actor: User, base: TrainingBase, now: datetime) -> bool:
    """Whether the actor sees this base (no query for its own organisation and operators)."""
    if is_operator(actor) or base.organisation_id == actor.organisation_id:
        return True
    return bool(session.scalar(select(exists().where(
        TrainingBase.id == base.id, visible_bases(actor, now)))))
