"""Read side of idle equipment: the last judged week's findings in the caller's scope (the
reports' rule: a school's admins and an enterprise's staff their own organisation's items,
operators all, other roles 403)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import Organisation, User
from ..catalogue.models import Equipment, EquipmentCategory, TrainingBase
from ..catalogue.queries import base_zones
from ..db import utcnow
from ..reports.queries import reporting_scope
from . import rules
from .errors import UnknownFinding
from .models import IdleFinding


def latest_week(session: Session, now: datetime | None = None) -> date | None:
    """The last judged week: the latest with findings, if it is the last closed week or the
    one before (the job judges a week once it has closed everywhere; until it has, the week
    before stands). Older findings are history, not the current state."""
    horizon = rules.last_closed_week(now or utcnow(), base_zones(session)) - timedelta(days=7)
    return session.scalar(select(func.max(IdleFinding.week_start)).where(
        IdleFinding.week_start >= horizon))


def _rows():
    return (select(IdleFinding, Equipment.name.label("equipment_name"), Equipment.base_id,
                   TrainingBase.name.label("base_name"),
                   EquipmentCategory.code.label("category"),
                   EquipmentCategory.name.label("category_name"),
                   Organisation.name.label("owner_name"), Organisation.kind.label("owner_kind"))
            .join(Equipment, Equipment.id == IdleFinding.equipment_id)
            .join(TrainingBase, TrainingBase.id == Equipment.base_id)
            .join(EquipmentCategory, EquipmentCategory.id == Equipment.category_id)
            .join(Organisation, Organisation.id == IdleFinding.owner_organisation_id))


def _item(row) -> dict:
    finding: IdleFinding = row.IdleFinding
    return {"id": finding.id, "equipment_id": finding.equipment_id,
            "equipment_name": row.equipment_name, "base_id": row.base_id,
            "base_name": row.base_name, "category": row.category,
            "category_name": row.category_name,
            "owner_organisation_id": finding.owner_organisation_id,
            "owner_name": row.owner_name, "week_start": finding.week_start,
            "weeks": finding.weeks, "threshold": float(finding.threshold),
            "available_hours": float(finding.available_hours),
            "booked_hours": float(finding.booked_hours),
            "free_hours": float(finding.free_hours),
            "utilisation": float(round(finding.booked_hours / finding.available_hours, 4)),
            "suggestion": rules.suggestion(row.owner_kind)}


def idle_equipment(session: Session, actor: User, *, weeks: int, threshold: float,
                   owner_id: int | None = None, base_id: int | None = None,
                   category: str | None = None, now: datetime | None = None) -> dict:
    """The last judged week's idle items the actor may see, least used first, narrowed as
    the utilisation report is (owner, the item's base, its category's code); `weeks` and
    `threshold` are the settings the job judges by."""
    owner = reporting_scope(actor)
    week = latest_week(session, now)
    answer = {"week_start": week, "weeks": weeks, "threshold": threshold, "items": []}
    if week is None or (owner is not None and owner_id not in (None, owner)):
        return answer  # never judged, or asking of another organisation's: nothing of theirs
    # A finding of an item retired since is history: a retired item is not idle.
    stmt = _rows().where(IdleFinding.week_start == week, Equipment.status != "retired")
    for value in (owner, owner_id):
        if value is not None:
            stmt = stmt.where(IdleFinding.owner_organisation_id == value)
    if base_id is not None:
        stmt = stmt.where(Equipment.base_id == base_id)
    if category is not None:
        stmt = stmt.where(EquipmentCategory.code == category)
    stmt = stmt.order_by(IdleFinding.booked_hours / IdleFinding.available_hours,
                         IdleFinding.owner_organisation_id, IdleFinding.equipment_id)
    answer["items"] = [_item(row) for row in session.execute(stmt)]
    return answer


def get_visible_finding(session: Session, actor: User, finding_id: int) -> dict:
    """One finding the actor may see (of any judged week), or 404 as if it did not exist."""
    owner = reporting_scope(actor)
    row = session.execute(_rows().where(IdleFinding.id == finding_id)).first()
    if row is None or (owner is not None and row.IdleFinding.owner_organisation_id != owner):
        raise UnknownFinding(f"No idle-equipment finding {finding_id}.")
    return {**_item(row), "owner_kind": row.owner_kind,
            "free_hours_exact": row.IdleFinding.free_hours}
