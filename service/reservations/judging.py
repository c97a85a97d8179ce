"""Which items the caller could book for a local span, and why not the others: each judged by
booking's own rules (verdicts.judge), in a read-only transaction that writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..accounts.models import Organisation, User
from ..calendar import wallclock
from ..catalogue.models import Equipment, EquipmentCategory, TrainingBase
from ..catalogue.permissions import visible_equipment
from ..catalogue.queries import get_visible_base
from ..db import utcnow
from ..errors import DomainError, domain_problem_body
from .verdicts import judge

# What the answer shows of each item, by the names it shows them.
_LISTED = {
    "id": Equipment.id, "name": Equipment.name, "base_id": Equipment.base_id,
    "base_name": TrainingBase.name, "timezone": TrainingBase.timezone,
    "category_code": EquipmentCategory.code, "category_name": EquipmentCategory.name,
    "owner_name": Organisation.name, "requires_approval": Equipment.requires_approval,
    "requires_qualification": Equipment.requires_qualification,
}


def local_span(on: date, from_: time, to: time, tz: str) -> tuple[datetime, datetime]:
    """The instants of a local day's span in a zone, `to` END_OF_DAY being 24:00 (the next
    local midnight); a wall time the zone skips or repeats is read as service/calendar reads
    every wall time (wallclock's module docstring)."""
    return wallclock.at_local(on, from_, tz), wallclock.closing_at(on, to, tz)


def list_bookable(session: Session, actor: User, *, on: date, from_: time, to: time,
                  page: int, page_size: int, base_id: int | None = None,
                  category: str | None = None, now: datetime | None = None) -> dict:
    """Every item the actor sees but retired ones, judged for [from_, to) on the local day
    `on` in its base's zone as POST /reservations would judge it now: bookable (and what the
    booking would become) or the problem it would answer. Bookable items first, then by name.
    Nothing is written, nothing locked: the transaction is read-only and rolled back."""
    now = now or utcnow()
    if base_id is not None:
        get_visible_base(session, actor, base_id, now=now)  # 404 as for any unseen base
    stmt = (select(*(column.label(name) for name, column in _LISTED.items()))
            .join(TrainingBase, TrainingBase.id == Equipment.base_id)
            .join(EquipmentCategory, EquipmentCategory.id == Equipment.category_id)
            .join(Organisation, Organisation.id == Equipment.owner_organisation_id)
            .where(visible_equipment(actor, now), Equipment.status != "retired"))
    if base_id is not None:
        stmt = stmt.where(Equipment.base_id == base_id)
    if category:
        stmt = stmt.where(EquipmentCategory.code == category)
    try:
        # Booking's rules, run here without its insert, must not write: PostgreSQL sees to it.
        session.execute(text("SET TRANSACTION READ ONLY"))
        judged = [_judged(session, actor, row._asdict(), on, from_, to, now)
                  for row in session.execute(stmt)]
    finally:
        session.rollback()
    judged.sort(key=lambda j: (not j["bookable"], j["equipment"]["name"],
                               j["equipment"]["id"]))
    first = (page - 1) * page_size
    return {"items": judged[first:first + page_size], "total": len(judged), "page": page,
            "page_size": page_size}


def _judged(session: Session, actor: User, item: dict, on: date, from_: time, to: time,
            now: datetime) -> dict:
    tz = item["timezone"]
    starts_at, ends_at = local_span(on, from_, to, tz)
    try:
        verdict = judge(session, actor, equipment_id=item["id"], starts_at=starts_at,
                        ends_at=ends_at, now=now, lock=False)
    except DomainError as refusal:
        status, problem = None, domain_problem_body(refusal)
    else:
        status, problem = verdict.status, None
    return {"equipment": item, "starts_at": starts_at.astimezone(UTC),
            "ends_at": ends_at.astimezone(UTC), "timezone": tz,
            "bookable": problem is None, "status": status, "refusal": problem}
