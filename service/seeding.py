"""Load the demo data files in seeds/; loading twice adds nothing."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .accounts.models import Organisation, User
from .accounts.services import register_user
from .catalogue.models import (
    Equipment,
    EquipmentCategory,
    OpeningHours,
    Qualification,
    TrainingBase,
)
from .catalogue.rules import booking_rule_problems, is_valid_timezone, opening_hours_problems
from .errors import Invalid
from .reservations.models import BookingQuota


def _read(seeds_dir: Path, name: str):
    with open(seeds_dir / name, encoding="utf-8") as handle:
        return json.load(handle)


def _by(session: Session, model, column, value):
    return session.scalar(select(model).where(column == value))


def load_demo(session: Session, seeds_dir: str | Path) -> dict[str, int]:
    """Create whatever of the demo data is missing, matched by natural keys; count additions."""
    seeds_dir = Path(seeds_dir)
    added = {"organisations": 0, "users": 0, "categories": 0, "training_bases": 0,
             "equipment": 0}

    organisations = {}
    for row in _read(seeds_dir, "organisations.json"):
        organisation = _by(session, Organisation, Organisation.name, row["name"])
        if organisation is None:
            organisation = Organisation(**row)
            session.add(organisation)
            session.flush()
            added["organisations"] += 1
        organisations[row["name"]] = organisation

    password = _read(seeds_dir, "users.json")["password"]
    for row in _read(seeds_dir, "users.json")["users"]:
        if _by(session, User, User.email, row["email"].lower()) is None:
            register_user(session, organisation=organisations[row["organisation"]],
                          email=row["email"], full_name=row["full_name"], role=row["role"],
                          password=password)
            added["users"] += 1

    categories = {}
    for row in _read(seeds_dir, "categories.json"):
        category = _by(session, EquipmentCategory, EquipmentCategory.code, row["code"])
        if category is None:
            category = EquipmentCategory(**row)
            session.add(category)
            session.flush()
            added["categories"] += 1
        categories[row["code"]] = category

    bases = {}
    for row in _read(seeds_dir, "training_bases.json"):
        base = _by(session, TrainingBase, TrainingBase.name, row["name"])
        if base is None:
            base = _new_base(row, organisations)
            session.add(base)
            session.flush()
            added["training_bases"] += 1
        bases[row["name"]] = base

    for row in _read(seeds_dir, "equipment.json"):
        if _by(session, Equipment, Equipment.asset_tag, row["asset_tag"]) is None:
            session.add(_new_equipment(row, bases, categories, organisations))
            added["equipment"] += 1

    users = {u.email: u for u in session.scalars(select(User))}
    added["qualifications"] = 0
    for row in _read(seeds_dir, "qualifications.json"):
        user, category = users[row["user"]], categories[row["category"]]
        standing = session.scalar(select(Qualification.id).where(
            Qualification.user_id == user.id, Qualification.category_id == category.id,
            Qualification.revoked_at.is_(None)))
        if standing is None:
            session.add(Qualification(user_id=user.id, category_id=category.id,
                                      granted_by_id=users[row["granted_by"]].id,
                                      note=row.get("note", "")))
            added["qualifications"] += 1

    added["quotas"] = 0
    for row in _read(seeds_dir, "quotas.json"):
        key = (organisations[row["organisation"]].id, row["role"])
        if session.get(BookingQuota, key) is None:
            session.add(BookingQuota(organisation_id=key[0], role=key[1],
                                     weekly_hours=row["weekly_hours"],
                                     active_reservations=row["active_reservations"]))
            added["quotas"] += 1

    session.commit()
    return added


def _new_base(row: dict, organisations: dict) -> TrainingBase:
    if not is_valid_timezone(row["timezone"]):
        raise Invalid(f"Seed base {row['name']!r}: bad time zone {row['timezone']!r}.")
    spans = [(day, time.fromisoformat(span["opens"]), time.fromisoformat(span["closes"]))
             for span in row["opening_hours"] for day in span["weekdays"]]
    problems = opening_hours_problems(spans)
    if problems:
        raise Invalid(f"Seed base {row['name']!r}: {' '.join(problems)}")
    return TrainingBase(
        name=row["name"], kind=row["kind"], timezone=row["timezone"],
        organisation_id=organisations[row["organisation"]].id,
        address=row.get("address", ""), description=row.get("description", ""),
        opening_hours=[OpeningHours(weekday=d, opens=o, closes=c) for d, o, c in spans])


def _new_equipment(row: dict, bases: dict, categories: dict, organisations: dict) -> Equipment:
    fields = {k: v for k, v in row.items() if k not in ("base", "category", "owner")}
    slot = fields.setdefault("slot_minutes", 30)
    fields.setdefault("min_duration_minutes", slot)
    fields.setdefault("max_duration_minutes", 240)
    problems = booking_rule_problems(
        slot_minutes=slot, min_duration_minutes=fields["min_duration_minutes"],
        max_duration_minutes=fields["max_duration_minutes"])
    if problems:
        raise Invalid(f"Seed equipment {row['asset_tag']}: {problems}")
    return Equipment(base_id=bases[row["base"]].id, category_id=categories[row["category"]].id,
                     owner_organisation_id=organisations[row["owner"]].id, **fields)
