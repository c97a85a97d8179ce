"""Equipment: items, their booking rules, and where they may stand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import manages_equipment_of
from ..db import utcnow
from ..errors import Forbidden, Invalid
from ..versioning import check_version
from . import rules
from .categories import existing_category
from .errors import AssetTagTaken, EquipmentHasHistory, EquipmentRetired, InvalidBookingRules
from .models import RESERVATIONS, Equipment, TrainingBase
from .permissions import may_place_at, require_equipment_manager
from .queries import get_equipment

# Checks run before an item's slot grid changes, installed by the floors above at start-up
# (offers: a live offer's spans stay on the item's grid); the catalogue imports none of them.
GRID_CHANGE_CHECKS: list[Callable[[Session, Equipment, int, datetime], None]] = []


def _check_booking_rules(values: dict) -> None:
    problems = rules.booking_rule_problems(
        slot_minutes=values["slot_minutes"],
        min_duration_minutes=values["min_duration_minutes"],
        max_duration_minutes=values["max_duration_minutes"])
    if problems:
        raise InvalidBookingRules("The durations do not fit the slot grid.", errors=problems)


def _check_asset_tag(session: Session, asset_tag: str, equipment_id: int | None = None):
    # A retired item's tag is free again (the index uq_equipment_asset_tag_in_service).
    taken = session.scalars(select(Equipment.id).where(
        Equipment.asset_tag == asset_tag, Equipment.status != "retired")).all()
    if any(i != equipment_id for i in taken):
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


def _has_reservations(session: Session, equipment_id: int) -> bool:
    return session.scalar(select(exists().where(
        RESERVATIONS.c.equipment_id == equipment_id))) or False


def build_equipment(session: Session, *, name: str, asset_tag: str, base_id: int,
                    category_id: int, owner_organisation_id: int, **fields) -> Equipment:
    """An item from validated values, without a permission check: for the use cases, the
    seeds and the tests (the caller commits)."""
    _place(session, owner_organisation_id, base_id)
    existing_category(session, category_id)
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
    require_equipment_manager(actor, equipment, session)
    check_version(equipment, expected_versions)
    if equipment.status == "retired" and changes.get("status", "retired") != "retired":
        raise EquipmentRetired(
            "A retired item stays retired: its figures end at its retirement. List it again "
            "(its asset tag is free) to put it back in service.",
            errors={"status": ["The item is retired."]})
    if "base_id" in changes and changes["base_id"] != equipment.base_id:
        _place(session, equipment.owner_organisation_id, changes["base_id"])
        if _has_reservations(session, equipment.id):
            raise EquipmentHasHistory(
                "The item's reservations and figures belong to its base; retire it and list "
                "it again at the new base (its asset tag may be reused).",
                errors={"base_id": ["The item has reservations."]})
    if "category_id" in changes:
        existing_category(session, changes["category_id"])
    if "asset_tag" in changes:
        _check_asset_tag(session, changes["asset_tag"], equipment.id)
    merged = {key: changes.get(key, getattr(equipment, key))
              for key in ("slot_minutes", "min_duration_minutes", "max_duration_minutes")}
    _check_booking_rules(merged)
    if changes.get("slot_minutes", equipment.slot_minutes) != equipment.slot_minutes:
        for check in GRID_CHANGE_CHECKS:
            check(session, equipment, changes["slot_minutes"], utcnow())
    for key, value in changes.items():
        setattr(equipment, key, value)
    session.commit()
    # The answer reads the base (name, zone) and category through their relationships, which
    # still hold the old ones: load them again, as a following GET would.
    session.expire(equipment, [name for name in ("base", "category")
                               if f"{name}_id" in changes])
    return equipment


def delete_equipment(session: Session, actor: User, equipment_id: int,
                     expected_versions: list[int] | None = None) -> None:
    """Delete an item with no history; one with bookings is retired instead (409 tells)."""
    equipment = get_equipment(session, equipment_id)
    require_equipment_manager(actor, equipment, session)
    check_version(equipment, expected_versions)
    session.delete(equipment)
    session.commit()
