"""Read side of the catalogue: filtered, sorted pages of what the caller may see."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import STAFF_ROLES, require_role
from ..db import utcnow
from ..errors import NotFound
from ..pagination import contains, paginate
from .models import Closure, Equipment, EquipmentCategory, Qualification, TrainingBase
from .permissions import visible_bases, visible_equipment


def get_base(session: Session, base_id: int, *, on: date | None = None) -> TrainingBase:
    """The base; its answer shows the hours in force on the local day `on` (default today)."""
    base = session.get(TrainingBase, base_id)
    if base is None:
        raise NotFound(f"No training base {base_id}.")
    base.as_of = on
    return base


def get_visible_base(session: Session, actor: User, base_id: int, *, on: date | None = None,
                     now: datetime | None = None) -> TrainingBase:
    """The base, if the actor sees it (404 otherwise, as for one that does not exist); its
    answer shows the hours in force on the local day `on` (default today)."""
    base = session.scalar(select(TrainingBase).where(
        TrainingBase.id == base_id, visible_bases(actor, now or utcnow())))
    if base is None:
        raise NotFound(f"No training base {base_id}.")
    base.as_of = on
    return base


def base_zones(session: Session) -> set[str]:
    """The time zones of every training base (a period is over once it is over in each)."""
    return set(session.scalars(select(TrainingBase.timezone).distinct()))


def get_category(session: Session, category_id: int) -> EquipmentCategory:
    category = session.get(EquipmentCategory, category_id)
    if category is None:
        raise NotFound(f"No equipment category {category_id}.")
    return category


def get_equipment(session: Session, equipment_id: int) -> Equipment:
    equipment = session.get(Equipment, equipment_id)
    if equipment is None:
        raise NotFound(f"No equipment {equipment_id}.")
    return equipment


def get_visible_equipment(session: Session, actor: User, equipment_id: int,
                          now: datetime | None = None) -> Equipment:
    """The item, if the actor sees it (404 otherwise, as for one that does not exist)."""
    equipment = session.scalar(select(Equipment).where(
        Equipment.id == equipment_id, visible_equipment(actor, now or utcnow())))
    if equipment is None:
        raise NotFound(f"No equipment {equipment_id}.")
    return equipment


def list_bases(session: Session, actor: User, *, page: int, page_size: int, sort: str,
               kind: str | None = None, organisation_id: int | None = None,
               q: str | None = None) -> dict:
    stmt = select(TrainingBase).where(visible_bases(actor, utcnow()))
    if kind:
        stmt = stmt.where(TrainingBase.kind == kind)
    if organisation_id is not None:
        stmt = stmt.where(TrainingBase.organisation_id == organisation_id)
    if q:
        stmt = stmt.where(TrainingBase.name.ilike(contains(q)))
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    columns={"id": TrainingBase.id, "name": TrainingBase.name},
                    tiebreak=TrainingBase.id)


def list_closures(session: Session, actor: User, base_id: int, *, page: int, page_size: int,
                  sort: str, from_: date | None = None, to: date | None = None) -> dict:
    get_visible_base(session, actor, base_id)
    stmt = select(Closure).where(Closure.base_id == base_id)
    if from_ is not None:
        stmt = stmt.where(Closure.ends_on >= from_)
    if to is not None:
        stmt = stmt.where(Closure.starts_on <= to)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    columns={"id": Closure.id, "starts_on": Closure.starts_on},
                    tiebreak=Closure.id)


def list_categories(session: Session, *, page: int, page_size: int, sort: str) -> dict:
    return paginate(session, select(EquipmentCategory), page=page, page_size=page_size,
                    sort=sort, columns={"id": EquipmentCategory.id,
                                        "code": EquipmentCategory.code,
                                        "name": EquipmentCategory.name},
                    tiebreak=EquipmentCategory.id)


def list_equipment(session: Session, actor: User, *, page: int, page_size: int, sort: str,
                   base_id: int | None = None, category_id: int | None = None,
                   category: str | None = None, owner_organisation_id: int | None = None,
                   status: str | None = None, requires_qualification: bool | None = None,
                   q: str | None = None, only=None) -> dict:
    """The catalogue as the actor sees it (permissions.visible_equipment). `only` is an
    extra filter from another domain (e.g. free for a span)."""
    stmt = select(Equipment).where(visible_equipment(actor, utcnow()))
    if only is not None:
        stmt = stmt.where(only)
    if base_id is not None:
        stmt = stmt.where(Equipment.base_id == base_id)
    if category_id is not None:
        stmt = stmt.where(Equipment.category_id == category_id)
    if category:
        stmt = stmt.where(Equipment.category_id.in_(
            select(EquipmentCategory.id).where(EquipmentCategory.code == category)))
    if owner_organisation_id is not None:
        stmt = stmt.where(Equipment.owner_organisation_id == owner_organisation_id)
    if status:
        stmt = stmt.where(Equipment.status == status)
    if requires_qualification is not None:
        stmt = stmt.where(Equipment.requires_qualification.is_(requires_qualification))
    if q:
        stmt = stmt.where(or_(Equipment.name.ilike(contains(q)),
                              Equipment.asset_tag.ilike(contains(q))))
    columns = {"id": Equipment.id, "name": Equipment.name, "asset_tag": Equipment.asset_tag,
               "created_at": Equipment.created_at}
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort, columns=columns,
                    tiebreak=Equipment.id)


def list_qualifications(session: Session, actor: User, *, page: int, page_size: int, sort: str,
                        user_id: int | None = None, category_id: int | None = None,
                        valid: bool | None = None) -> dict:
    """Students see their own; instructors and admins their school's; enterprises none."""
    require_role(actor, "student", *STAFF_ROLES)
    stmt = select(Qualification).join(User, Qualification.user_id == User.id)
    if actor.role == "student":
        stmt = stmt.where(Qualification.user_id == actor.id)
    else:
        stmt = stmt.where(User.organisation_id == actor.organisation_id)
    if user_id is not None:
        stmt = stmt.where(Qualification.user_id == user_id)
    if category_id is not None:
        stmt = stmt.where(Qualification.category_id == category_id)
    if valid is not None:
        is_valid = Qualification.valid_at(utcnow())
        stmt = stmt.where(is_valid if valid else ~is_valid)
    columns = {"id": Qualification.id, "granted_at": Qualification.granted_at,
               "expires_at": Qualification.expires_at}
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort, columns=columns,
                    tiebreak=Qualification.id)
