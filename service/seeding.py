"""Load the demo data files in seeds/; loading twice adds nothing."""

from __future__ import annotations

import json
from datetime import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .accounts.models import Organisation, User
from .accounts.services import platform_organisation, register_organisation, register_user
from .catalogue.bases import build_base
from .catalogue.categories import register_category
from .catalogue.equipment import build_equipment
from .catalogue.models import Equipment, EquipmentCategory, Qualification, TrainingBase
from .catalogue.qualifications import register_qualification
from .reservations.models import BookingQuota
from .reservations.quotas import put_quota


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
            organisation = register_organisation(session, **row)
            added["organisations"] += 1
        organisations[row["name"]] = organisation

    password = _read(seeds_dir, "users.json")["password"]
    for row in _read(seeds_dir, "users.json")["users"]:
        if _by(session, User, User.email, row["email"].lower()) is None:
            organisation = platform_organisation(session) if row["role"] == "operator" \
                else organisations[row["organisation"]]
            register_user(session, organisation=organisation, email=row["email"],
                          full_name=row["full_name"], role=row["role"], password=password,
                          is_manager=row.get("is_manager", False))
            added["users"] += 1

    categories = {}
    for row in _read(seeds_dir, "categories.json"):
        category = _by(session, EquipmentCategory, EquipmentCategory.code, row["code"])
        if category is None:
            category = register_category(session, **row)
            added["categories"] += 1
        categories[row["code"]] = category

    bases = {}
    for row in _read(seeds_dir, "training_bases.json"):
        base = _by(session, TrainingBase, TrainingBase.name, row["name"])
        if base is None:
            base = _new_base(session, row, organisations)
            added["training_bases"] += 1
        bases[row["name"]] = base

    for row in _read(seeds_dir, "equipment.json"):
        if _by(session, Equipment, Equipment.asset_tag, row["asset_tag"]) is None:
            fields = {k: v for k, v in row.items() if k not in ("base", "category", "owner")}
            build_equipment(session, base_id=bases[row["base"]].id,
                            category_id=categories[row["category"]].id,
                            owner_organisation_id=organisations[row["owner"]].id, **fields)
            added["equipment"] += 1

    users = {u.email: u for u in session.scalars(select(User))}
    added["qualifications"] = 0
    for row in _read(seeds_dir, "qualifications.json"):
        user, category = users[row["user"]], categories[row["category"]]
        standing = session.scalar(select(Qualification.id).where(
            Qualification.user_id == user.id, Qualification.category_id == category.id,
            Qualification.revoked_at.is_(None)))
        if standing is None:
            register_qualification(session, holder=user, category_id=category.id,
                                   granted_by=users[row["granted_by"]], note=row.get("note", ""))
            added["qualifications"] += 1

    added["quotas"] = 0
    for row in _read(seeds_dir, "quotas.json"):
        key = (organisations[row["organisation"]].id, row["role"])
        if session.get(BookingQuota, key) is None:
            put_quota(session, organisation_id=key[0], role=key[1],
                      weekly_hours=row["weekly_hours"],
                      active_reservations=row["active_reservations"])
            added["quotas"] += 1

    session.commit()
    return added


def _new_base(session: Session, row: dict, organisations: dict) -> TrainingBase:
    hours = [{"weekday": day, "opens": time.fromisoformat(span["opens"]),
              "closes": time.fromisoformat(span["closes"])}
             for span in row["opening_hours"] for day in span["weekdays"]]
    return build_base(
        session, name=row["name"], kind=row["kind"], timezone=row["timezone"],
        organisation=organisations[row["organisation"]], address=row.get("address", ""),
        description=row.get("description", ""), opening_hours=hours,
        co_owner_ids=[organisations[name].id for name in row.get("co_owners", [])])
