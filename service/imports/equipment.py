"""An inventory import: items matched by asset tag, placed at the importer's bases, checked as
POST /equipment checks one item, then written in a few set-based statements."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..accounts.models import Organisation, User
from ..catalogue import rules as catalogue_rules
from ..catalogue.equipment import GRID_CHANGE_CHECKS
from ..catalogue.models import (
    EQUIPMENT_STATUSES,
    RESERVATIONS,
    Equipment,
    EquipmentCategory,
    TrainingBase,
    TrainingBaseOwner,
)
from ..db import utcnow
from ..errors import DomainError
from ..i18n import gettext
from . import rules
from .history import any_of, ids, record
from .readers import Sheet

ITEMS = Equipment.__table__
STATUS_WORDS = {**{s: s for s in EQUIPMENT_STATUSES}, "在用": "active", "维修": "maintenance",
                "维护": "maintenance", "报废": "retired"}
# What an import may set on an item (the owner is always the importing organisation).
UPDATABLE = ("name", "base_id", "category_id", "status", "description", *rules.RULE_COLUMNS,
             *rules.FLAG_COLUMNS)
COLUMN_OF = {"base_id": "base", "category_id": "category"}


@dataclass
class EquipmentPlan:
    creates: list[dict] = field(default_factory=list)
    updates: list[tuple[dict, dict]] = field(default_factory=list)  # (before, after)


def _defaults(values: dict) -> dict:
    """An item's rules where the row leaves them out, as build_equipment fills them."""
    slot = values.get("slot_minutes") or 30
    return {"slot_minutes": slot, "min_duration_minutes": slot,
            "max_duration_minutes": max(240 - 240 % slot, slot), "setup_buffer_minutes": 0,
            "booking_horizon_days": 30, "max_attendees": 1, "requires_approval": False,
            "requires_qualification": False, "status": "active", "description": ""}


def _vocabulary(session: Session, organisation_id: int):
    categories: dict[str, int] = {}
    for row in session.execute(select(EquipmentCategory.id, EquipmentCategory.code,
                                      EquipmentCategory.name, EquipmentCategory.name_zh)):
        for word in (row.code, row.name, row.name_zh):
            if word:
                categories.setdefault(word.lower(), row.id)
    bases = {name.lower(): base_id for base_id, name in session.execute(
        select(TrainingBase.id, TrainingBase.name).join(
            TrainingBaseOwner, TrainingBaseOwner.base_id == TrainingBase.id)
        .where(TrainingBaseOwner.organisation_id == organisation_id))}
    return categories, bases


def plan_equipment(session: Session, actor: User | None, organisation: Organisation, sheet: Sheet,
                   report: rules.Report, progress=None) -> EquipmentPlan:
    positions = rules.column_positions(sheet.header, rules.EQUIPMENT_COLUMNS,
                                       rules.EQUIPMENT_REQUIRED)
    categories, bases = _vocabulary(session, organisation.id)
    parsed, first_tag = [], {}
    for number, cells in sheet.rows:
        row = rules.cells_of(cells, positions)
        values, problems = _read_item(row, categories, bases)
        tag = values.get("asset_tag")
        if tag and "asset_tag" not in problems:
            if tag in first_tag:
                problems["asset_tag"] = ("duplicate_in_file", gettext(
                    "Also in row %(row)s.", row=first_tag[tag]))
            else:
                first_tag[tag] = number
        for column, (code, message) in problems.items():
            report.problem(number, column, code, message)
        parsed.append((number, values if not problems else {}))
        if progress and len(parsed) % 500 == 0:
            progress(500)
    existing = {row.asset_tag: row._asdict() for row in session.execute(
        select(*(ITEMS.c[c] for c in ("id", "asset_tag", "owner_organisation_id", *UPDATABLE)))
        .where(ITEMS.c.asset_tag == any_of(list(first_tag)), ITEMS.c.status != "retired"))}
    plan = EquipmentPlan()
    for number, values in parsed:
        if values:
            _plan_item(plan, report, number, values, organisation, existing)
    _check_history(session, plan, report)
    report.rows = len(parsed)
    order = list(rules.EQUIPMENT_COLUMNS)
    report.problems.sort(key=lambda p: (p["row"], order.index(p["column"])))
    if progress:
        progress(len(parsed) % 500)
    return plan


def _read_item(row: dict, categories: dict, bases: dict) -> tuple[dict, dict]:
    values, problems = {}, {}
    for column, most in (("name", 200), ("asset_tag", 64), ("description", 5000),
                         ("category", 200), ("base", 200)):
        found = rules.text_problem(row.get(column, ""), most)
        if found:
            problems[column] = found
    for column in rules.EQUIPMENT_REQUIRED:
        if not row[column]:
            problems[column] = rules.required_problem()
    values["name"], values["asset_tag"] = row["name"], row["asset_tag"]
    if "asset_tag" not in problems and not rules.ASSET_TAG.match(row["asset_tag"]):
        problems["asset_tag"] = ("invalid_asset_tag",
                                 gettext("Letters, digits and . _ / - only."))
    if "category" not in problems:
        values["category_id"] = categories.get(row["category"].lower())
        if values["category_id"] is None:
            problems["category"] = ("unknown_category", gettext("No such category."))
    if "base" not in problems:
        values["base_id"] = bases.get(row["base"].lower())
        if values["base_id"] is None:
            problems["base"] = ("unknown_base",
                                gettext("No training base of your organisation has this name."))
    if row.get("status"):
        values["status"] = STATUS_WORDS.get(row["status"].lower())
        if values["status"] is None:
            problems["status"] = ("invalid_status", gettext(
                "Use %(statuses)s.", statuses=", ".join(EQUIPMENT_STATUSES)))
    if row.get("description"):
        values["description"] = row["description"]
    for column in rules.RULE_COLUMNS:
        if row.get(column):
            values[column], found = rules.read_int(row[column], *rules.RULE_RANGES[column])
            if found:
                problems[column] = found
    for column in rules.FLAG_COLUMNS:
        if row.get(column):
            values[column], found = rules.read_flag(row[column])
            if found:
                problems[column] = found
    return values, problems


def _plan_item(plan, report, number, values, organisation, existing) -> None:
    tag = values["asset_tag"]
    before = existing.get(tag)
    if before is not None and before["owner_organisation_id"] != organisation.id:
        report.problem(number, "asset_tag", "asset_tag_taken",
                       gettext("Already used by another organisation's item."))
        return
    given = {k: v for k, v in values.items() if k in UPDATABLE}
    after = {**(before or _defaults(values)), **given}
    found = catalogue_rules.booking_rule_problems(
        slot_minutes=after["slot_minutes"], min_duration_minutes=after["min_duration_minutes"],
        max_duration_minutes=after["max_duration_minutes"])
    if found:
        for column, messages in found.items():
            report.problem(number, column, "invalid_booking_rules", " ".join(messages))
        return
    if before is None:
        plan.creates.append({**after, "asset_tag": tag, "owner_organisation_id": organisation.id})
        report.change(number, "create", tag,
                      [c for c in rules.EQUIPMENT_COLUMNS if c in values or f"{c}_id" in values])
        return
    if after["status"] == "retired" and before["status"] != "retired":
        after["retired_at"] = utcnow()
    changed = [c for c in UPDATABLE if after[c] != before[c]]
    if changed:
        plan.updates.append((before, {**after, "_row": number}))
        report.change(number, "update", tag, [COLUMN_OF.get(c, c) for c in changed])
    else:
        report.change(number, "unchanged", tag, [])


def _check_history(session: Session, plan: EquipmentPlan, report: rules.Report) -> None:
    """An item with reservations keeps its base; a new slot grid passes the floors' checks
    (a live offer's spans stay on it). A row that fails becomes a problem, not an update."""
    moved = [before["id"] for before, after in plan.updates
             if after["base_id"] != before["base_id"]]
    booked = set(session.scalars(select(RESERVATIONS.c.equipment_id.distinct()).where(
        RESERVATIONS.c.equipment_id == ids(moved)))) if moved else set()
    kept = []
    for before, after in plan.updates:
        problem = None
        if before["id"] in booked:
            problem = ("base", "equipment_has_history", gettext(
                "The item has reservations: retire it and list it again at the new base."))
        elif after["slot_minutes"] != before["slot_minutes"] and GRID_CHANGE_CHECKS:
            item = session.get(Equipment, before["id"])
            try:
                for check in GRID_CHANGE_CHECKS:
                    check(session, item, after["slot_minutes"], utcnow())
            except DomainError as exc:
                problem = ("slot_minutes", exc.code, exc.detail)
        if problem:
            report.problem(after["_row"], *problem)
            _unplan(report, after["_row"])
        else:
            kept.append((before, after))
    plan.updates = kept


def _unplan(report: rules.Report, row: int) -> None:
    report.changes = [c for c in report.changes if c["row"] != row]
    report.updated -= 1


def write_equipment(session: Session, actor: User | None, organisation: Organisation,
                    plan: EquipmentPlan) -> None:
    """Write the plan (the caller commits)."""
    now = utcnow()
    if plan.creates:
        rows = session.execute(insert(ITEMS).returning(ITEMS.c.id, ITEMS.c.asset_tag), [
            {**row, "version": 1, "retired_at": now if row["status"] == "retired" else None}
            for row in plan.creates])
        created = {row.asset_tag: row.id for row in rows}
        record(session, "equipment", organisation.id, actor,
               [(created[row["asset_tag"]], "created", row) for row in plan.creates])
    if plan.updates:
        columns = (*UPDATABLE, "retired_at")
        session.execute(
            update(ITEMS).where(ITEMS.c.id == bindparam("b_id")).values(
                **{c: bindparam(f"b_{c}") for c in columns},
                version=ITEMS.c.version + 1, updated_at=now),
            # Matched items are in service, so retired_at is set only by retiring them now.
            [{"b_id": before["id"], **{f"b_{c}": after.get(c) for c in columns}}
             for before, after in plan.updates])
        record(session, "equipment", organisation.id, actor,
               [(before["id"], "updated", {c: (before[c], after[c]) for c in UPDATABLE
                                           if before[c] != after[c]})
                for before, after in plan.updates])
