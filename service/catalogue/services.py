"""Use cases of the catalogue: bases, closures, categories, equipment, qualifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import SCHOOL_ROLES, Organisation, User
from ..accounts.permissions import (
    STAFF_ROLES,
    manages_equipment_of,
    manages_organisation,
    require_role,
)
from ..db import check_version, utcnow
from ..errors import Forbidden, Invalid, NotFound
from . import rules
from .errors import (
    AssetTagTaken,
    InvalidBookingRules,
    InvalidOpeningHours,
    InvalidTimezone,
    NameTaken,
    QualificationExists,
    QualificationRevoked,
)
from .models import (
    Closure,
    Equipment,
    EquipmentCategory,
    OpeningHours,
    Qualification,
    TrainingBase,
    TrainingBaseOwner,
)
from .permissions import (
    may_place_at,
    require_base_manager,
    require_equipment_manager,
    require_vocabulary_keeper,
)

# ---------------------------------------------------------------- training bases


def get_base(session: Session, base_id: int) -> TrainingBase:
    base = session.get(TrainingBase, base_id)
    if base is None:
        raise NotFound(f"No training base {base_id}.")
    return base


def _organisation(session: Session, organisation_id: int, field: str) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise Invalid("No such organisation.", errors={field: ["Does not exist."]})
    return organisation


def _opening_hours(spans: list[dict]) -> list[OpeningHours]:
    problems = rules.opening_hours_problems(
        [(s["weekday"], s["opens"], s["closes"]) for s in spans])
    if problems:
        raise InvalidOpeningHours(" ".join(problems), errors={"opening_hours": problems})
    return [OpeningHours(weekday=s["weekday"], opens=s["opens"], closes=s["closes"])
            for s in spans]


def _check_timezone(name: str) -> None:
    if not rules.is_valid_timezone(name):
        raise InvalidTimezone(f"{name!r} is not an IANA time zone such as Asia/Shanghai.",
                              errors={"timezone": ["Unknown IANA time zone."]})


def _check_base_name(session: Session, name: str, base_id: int | None = None) -> None:
    taken = session.scalar(select(TrainingBase.id).where(TrainingBase.name == name))
    if taken and taken != base_id:
        raise NameTaken(errors={"name": ["Already used by another training base."]})


def _co_owners(session: Session, organisation_id: int, kind: str,
               co_owner_ids: list[int]) -> list[int]:
    if co_owner_ids and kind != "co_built":
        raise Invalid("Only a co-built base has co-owners.", code="co_owners_need_co_built",
                      errors={"co_owner_ids": ["Only for kind co_built."]})
    ids = sorted(set(co_owner_ids))
    if organisation_id in ids:
        raise Invalid("The organisation that runs the base owns it already.",
                      errors={"co_owner_ids": ["Lists the base's own organisation."]})
    found = set(session.scalars(select(Organisation.id).where(
        Organisation.id.in_(ids), Organisation.kind.in_(("school", "enterprise")))))
    if missing := [i for i in ids if i not in found]:
        raise Invalid("No such organisation.", errors={"co_owner_ids": [
            f"No school or enterprise {i}." for i in missing]})
    return ids


def build_base(session: Session, *, name: str, kind: str, organisation: Organisation,
               timezone: str, address: str = "", description: str = "",
               opening_hours: list[dict] | None = None,
               co_owner_ids: list[int] | None = None) -> TrainingBase:
    """A training base from validated values, without a permission check: for the use cases,
    the seeds and the tests (the caller commits)."""
    if organisation.kind not in ("school", "enterprise"):
        raise Invalid("Only schools and enterprises run training bases.",
                      errors={"organisation_id": ["Not a school or an enterprise."]})
    _check_timezone(timezone)
    _check_base_name(session, name)
    co_owners = _co_owners(session, organisation.id, kind, co_owner_ids or [])
    base = TrainingBase(
        name=name, kind=kind, organisation_id=organisation.id, timezone=timezone,
        address=address, description=description,
        opening_hours=_opening_hours(opening_hours or []),
        owners=[TrainingBaseOwner(organisation_id=i) for i in [organisation.id, *co_owners]])
    session.add(base)
    session.flush()
    return base


def create_base(session: Session, actor: User, *, organisation_id: int | None = None,
                **fields) -> TrainingBase:
    """A school's admin or an enterprise's manager adds a base their organisation runs."""
    organisation_id = organisation_id or actor.organisation_id
    if not manages_organisation(actor, organisation_id):
        raise Forbidden("You add bases only for your own organisation.",
                        code="not_your_organisation",
                        errors={"organisation_id": ["Not your organisation."]})
    base = build_base(session, organisation=_organisation(
        session, organisation_id, "organisation_id"), **fields)
    session.commit()
    return base


def update_base(session: Session, actor: User, base_id: int, *, changes: dict,
                expected_versions: list[int] | None = None) -> TrainingBase:
    """Its organisation changes a base; removing a co-owner whose equipment still stands
    there is refused by PostgreSQL (409 still_referenced)."""
    base = get_base(session, base_id)
    require_base_manager(actor, base)
    check_version(base, expected_versions)
    if "timezone" in changes:
        _check_timezone(changes["timezone"])
    if "name" in changes:
        _check_base_name(session, changes["name"], base.id)
    kind = changes.get("kind", base.kind)
    co_owner_ids = changes.pop("co_owner_ids", None)
    if co_owner_ids is None and kind != "co_built" and base.co_owner_ids:
        co_owner_ids = []
    if co_owner_ids is not None:
        ids = [base.organisation_id, *_co_owners(session, base.organisation_id, kind,
                                                 co_owner_ids)]
        keep = [o for o in base.owners if o.organisation_id in ids]
        have = {o.organisation_id for o in keep}
        base.owners = keep + [TrainingBaseOwner(organisation_id=i) for i in ids
                              if i not in have]
        base.updated_at = utcnow()
    if "opening_hours" in changes:
        base.opening_hours = _opening_hours(changes.pop("opening_hours"))
        # The base row itself changes too, so its version (and ETag) moves with its hours.
        base.updated_at = utcnow()
    for key, value in changes.items():
        setattr(base, key, value)
    session.commit()
    return base


def delete_base(session: Session, actor: User, base_id: int,
                expected_versions: list[int] | None = None) -> None:
    """Remove a base that holds no equipment (else 409 still_referenced)."""
    base = get_base(session, base_id)
    require_base_manager(actor, base)
    check_version(base, expected_versions)
    session.delete(base)
    session.commit()


def add_closure(session: Session, actor: User, base_id: int, *, starts_on, ends_on,
                reason: str) -> Closure:
    """The base's organisation closes it for whole days (holidays, works)."""
    base = get_base(session, base_id)
    require_base_manager(actor, base)
    if ends_on < starts_on:
        raise Invalid("A closure ends on or after the day it starts.",
                      errors={"ends_on": ["Must not be before starts_on."]})
    closure = Closure(base_id=base.id, starts_on=starts_on, ends_on=ends_on, reason=reason)
    session.add(closure)
    session.commit()
    return closure


def remove_closure(session: Session, actor: User, base_id: int, closure_id: int) -> None:
    base = get_base(session, base_id)
    closure = session.get(Closure, closure_id)
    if closure is None or closure.base_id != base.id:
        raise NotFound(f"No closure {closure_id} at base {base_id}.")
    require_base_manager(actor, base)
    session.delete(closure)
    session.commit()


# ---------------------------------------------------------------- categories

def get_category(session: Session, category_id: int) -> EquipmentCategory:
    category = session.get(EquipmentCategory, category_id)
    if category is None:
        raise NotFound(f"No equipment category {category_id}.")
    return category


def _check_category_unique(session: Session, changes: dict, category_id: int | None = None):
    for field in ("code", "name"):
        if field in changes:
            column = getattr(EquipmentCategory, field)
            taken = session.scalar(select(EquipmentCategory.id).where(column == changes[field]))
            if taken and taken != category_id:
                raise NameTaken(errors={field: ["Already used by another category."]})


def create_category(session: Session, actor: User, *, code: str, name: str,
                    description: str = "") -> EquipmentCategory:
    """Operators keep the shared vocabulary of categories."""
    require_vocabulary_keeper(actor)
    _check_category_unique(session, {"code": code, "name": name})
    category = EquipmentCategory(code=code, name=name, description=description)
    session.add(category)
    session.commit()
    return category


def update_category(session: Session, actor: User, category_id: int, *, changes: dict,
                    expected_versions: list[int] | None = None) -> EquipmentCategory:
    require_vocabulary_keeper(actor)
    category = get_category(session, category_id)
    check_version(category, expected_versions)
    _check_category_unique(session, changes, category.id)
    for key, value in changes.items():
        setattr(category, key, value)
    session.commit()
    return category


def delete_category(session: Session, actor: User, category_id: int,
                    expected_versions: list[int] | None = None) -> None:
    """Remove a category no equipment or qualification uses (else 409 still_referenced)."""
    require_vocabulary_keeper(actor)
    category = get_category(session, category_id)
    check_version(category, expected_versions)
    session.delete(category)
    session.commit()


# ---------------------------------------------------------------- equipment

def get_equipment(session: Session, equipment_id: int) -> Equipment:
    equipment = session.get(Equipment, equipment_id)
    if equipment is None:
        raise NotFound(f"No equipment {equipment_id}.")
    return equipment


def _check_booking_rules(values: dict) -> None:
    problems = rules.booking_rule_problems(
        slot_minutes=values["slot_minutes"],
        min_duration_minutes=values["min_duration_minutes"],
        max_duration_minutes=values["max_duration_minutes"])
    if problems:
        raise InvalidBookingRules("The durations do not fit the slot grid.", errors=problems)


def _check_asset_tag(session: Session, asset_tag: str, equipment_id: int | None = None):
    taken = session.scalar(select(Equipment.id).where(Equipment.asset_tag == asset_tag))
    if taken and taken != equipment_id:
        raise AssetTagTaken(errors={"asset_tag": ["Already used by another item."]})


def _place(session: Session, owner_organisation_id: int, base_id: int) -> TrainingBase:
    base = session.get(TrainingBase, base_id)
    if base is None:
        raise Invalid("No such training base.", errors={"base_id": ["Does not exist."]})
    if not may_place_at(owner_organisation_id, base):
        raise Forbidden("Equipment stands only at a base its owner runs or co-owns.",
                        code="base_not_owned",
                        errors={"base_id": ["Not a base of the item's owner."]})
    return base


def _category(session: Session, category_id: int) -> EquipmentCategory:
    category = session.get(EquipmentCategory, category_id)
    if category is None:
        raise Invalid("No such category.", errors={"category_id": ["Does not exist."]})
    return category


def build_equipment(session: Session, *, name: str, asset_tag: str, base_id: int,
                    category_id: int, owner_organisation_id: int, **fields) -> Equipment:
    """An item from validated values, without a permission check: for the use cases, the
    seeds and the tests (the caller commits)."""
    _place(session, owner_organisation_id, base_id)
    _category(session, category_id)
    _check_asset_tag(session, asset_tag)
    slot = fields.setdefault("slot_minutes", 30)
    fields.setdefault("min_duration_minutes", slot)
    fields.setdefault("max_duration_minutes", max(240 - 240 % slot, slot))
    _check_booking_rules(fields)
    equipment = Equipment(name=name, asset_tag=asset_tag, base_id=base_id,
                          category_id=category_id, owner_organisation_id=owner_organisation_id,
                          **fields)
    session.add(equipment)
    session.flush()
    return equipment


def create_equipment(session: Session, actor: User, *, owner_organisation_id: int | None = None,
                     **fields) -> Equipment:
    """A school's admins and an enterprise's staff list an item their organisation owns."""
    owner_id = owner_organisation_id or actor.organisation_id
    if not manages_equipment_of(actor, owner_id):
        raise Forbidden("You list equipment only for your own organisation.",
                        code="not_your_organisation",
                        errors={"owner_organisation_id": ["Not your organisation."]})
    equipment = build_equipment(session, owner_organisation_id=owner_id, **fields)
    session.commit()
    return equipment


def update_equipment(session: Session, actor: User, equipment_id: int, *, changes: dict,
                     expected_versions: list[int] | None = None) -> Equipment:
    equipment = get_equipment(session, equipment_id)
    require_equipment_manager(actor, equipment)
    check_version(equipment, expected_versions)
    if "base_id" in changes:
        _place(session, equipment.owner_organisation_id, changes["base_id"])
    if "category_id" in changes:
        _category(session, changes["category_id"])
    if "asset_tag" in changes:
        _check_asset_tag(session, changes["asset_tag"], equipment.id)
    merged = {key: changes.get(key, getattr(equipment, key))
              for key in ("slot_minutes", "min_duration_minutes", "max_duration_minutes")}
    _check_booking_rules(merged)
    for key, value in changes.items():
        setattr(equipment, key, value)
    session.commit()
    return equipment


def delete_equipment(session: Session, actor: User, equipment_id: int,
                     expected_versions: list[int] | None = None) -> None:
    """Delete an item with no history; one with bookings is retired instead (409 tells)."""
    equipment = get_equipment(session, equipment_id)
    require_equipment_manager(actor, equipment)
    check_version(equipment, expected_versions)
    session.delete(equipment)
    session.commit()


# ---------------------------------------------------------------- qualifications

def _visible_qualification(session: Session, actor: User, qualification_id: int) -> Qualification:
    qualification = session.get(Qualification, qualification_id)
    if qualification is None or not may_see_qualifications_of(actor, qualification.user):
        raise NotFound(f"No qualification {qualification_id}.")
    return qualification


def may_see_qualifications_of(actor: User, user: User) -> bool:
    if actor.id == user.id:
        return True
    return actor.role in STAFF_ROLES and user.organisation_id == actor.organisation_id


def get_qualification(session: Session, actor: User, qualification_id: int) -> Qualification:
    return _visible_qualification(session, actor, qualification_id)


def grant_qualification(session: Session, actor: User, *, user_id: int, category_id: int,
                        expires_at: datetime | None = None, note: str = "") -> Qualification:
    """An instructor (or admin) lets a member of their school use a category of equipment."""
    require_role(actor, *STAFF_ROLES)
    holder = session.get(User, user_id)
    if holder is None or holder.organisation_id != actor.organisation_id:
        raise Invalid("No such user in your school.", errors={"user_id": ["Not in your school."]})
    if holder.role not in SCHOOL_ROLES:
        raise Invalid("Only school members hold qualifications.",
                      errors={"user_id": ["Not a school member."]})
    if holder.id == actor.id:
        raise Forbidden("Nobody grants themselves a qualification; ask a colleague.",
                        code="own_qualification", errors={"user_id": ["Yourself."]})
    _category(session, category_id)
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid("A qualification cannot expire in the past.",
                      code="expiry_in_past", errors={"expires_at": ["Must be in the future."]})
    standing = session.scalar(select(Qualification).where(
        Qualification.user_id == user_id, Qualification.category_id == category_id,
        Qualification.revoked_at.is_(None)))
    if standing is not None:
        raise QualificationExists(
            f"Qualification {standing.id} already stands; change its expiry instead.",
            existing_id=standing.id)
    qualification = Qualification(user_id=user_id, category_id=category_id,
                                  granted_by_id=actor.id, expires_at=expires_at, note=note)
    session.add(qualification)
    session.commit()
    return qualification


def update_qualification(session: Session, actor: User, qualification_id: int, *,
                         changes: dict, expected_versions: list[int] | None = None
                         ) -> Qualification:
    """Renew (change the expiry of) or annotate a standing qualification."""
    qualification = _visible_qualification(session, actor, qualification_id)
    require_role(actor, *STAFF_ROLES)
    check_version(qualification, expected_versions)
    if qualification.revoked_at is not None:
        raise QualificationRevoked()
    if qualification.user_id == actor.id:
        raise Forbidden("Nobody renews their own qualification; ask a colleague.",
                        code="own_qualification")
    if changes.get("expires_at") is not None and changes["expires_at"] <= utcnow():
        raise Invalid("A qualification cannot expire in the past.",
                      code="expiry_in_past", errors={"expires_at": ["Must be in the future."]})
    for key, value in changes.items():
        setattr(qualification, key, value)
    session.commit()
    return qualification


def revoke_qualification(session: Session, actor: User, qualification_id: int,
                         expected_versions: list[int] | None = None) -> Qualification:
    """Revoke a qualification; it stays on record."""
    qualification = _visible_qualification(session, actor, qualification_id)
    require_role(actor, *STAFF_ROLES)
    check_version(qualification, expected_versions)
    if qualification.revoked_at is not None:
        raise QualificationRevoked()
    qualification.revoked_at = utcnow()
    qualification.revoked_by_id = actor.id
    session.commit()
    return qualification


def holds_valid_qualification(session: Session, *, user_id: int, category_id: int,
                              at: datetime) -> bool:
    """Whether the user may use the category at the instant `at`."""
    return session.scalar(select(Qualification.id).where(
        Qualification.user_id == user_id, Qualification.category_id == category_id,
        Qualification.revoked_at.is_(None),
        (Qualification.expires_at.is_(None)) | (Qualification.expires_at > at),
    ).limit(1)) is not None
