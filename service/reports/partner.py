"""Read side of partner equipment: what a school's people booked and used of equipment it does not
own, the enterprises' items offered to it, per offer, item, enterprise or category.

The figures are impact's (service/impact/figures.py), asked for the offers to this school only:
one computation of what an offer offered, what was booked and used under it and what came of it,
read from either side. A school never sees an enterprise's other offers, nor anything of
another school."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import Organisation, User
from ..calendar import wallclock
from ..catalogue.models import EquipmentCategory
from ..impact.figures import enterprise_figures
from ..offers.models import Offer
from .errors import NotSchoolAdmin
from .queries import check_span

PARTNER_GROUPS = ("offer", "item", "enterprise", "category")
PARTNER_HOURS = ("hours_offered", "hours_booked", "hours_used")
PARTNER_COUNTS = ("sessions", "no_shows", "outcomes_received")


def _school_of(session: Session, actor: User) -> int:
    school = session.get(Organisation, actor.organisation_id) \
        if actor.organisation_id is not None else None
    if actor.role != "admin" or school is None or school.kind != "school":
        raise NotSchoolAdmin("What a school's people used of partner equipment is shown to "
                             "that school's administrators.")
    return school.id


def _key(group_by: str, offer: Offer, equipment) -> tuple[int, str | None]:
    """The group's id, and its name where it is not looked up afterwards."""
    if group_by == "offer":
        return offer.id, f"Offer {offer.id} of {offer.enterprise.name}"
    if group_by == "item":
        return equipment.id, equipment.name
    if group_by == "enterprise":
        return offer.enterprise_id, offer.enterprise.name
    return equipment.category_id, None


def _periods(from_: date, to: date, granularity: str | None) -> list[tuple[date, date]]:
    """The local days [from_, to) as one span, or the whole days, ISO weeks or months starting
    in it (as the utilisation report has them)."""
    if granularity is None:
        return [(from_, to)]
    return [(start, wallclock.period_end(start, granularity))
            for start in wallclock.periods(from_, to - timedelta(days=1), granularity)
            if from_ <= start < to]


def partner_equipment(session: Session, actor: User, *, from_: date, to: date,
                      group_by: str = "offer", granularity: str | None = None,
                      max_days: int) -> dict:
    """Over the local days [from_, to) (or per period of `granularity` starting in them): per
    group, the hours partner enterprises offered the actor's school, and what its people
    booked and used of them (docs/reports.md#offered, #booked, #used: within what each offer
    offered), with sessions, no-shows and outcomes."""
    check_span(from_, to, max_days)
    school_id = _school_of(session, actor)
    enterprises = sorted(set(session.scalars(select(Offer.enterprise_id).where(
        Offer.school_id == school_id, Offer.status != "draft"))))
    periods = _periods(from_, to, granularity)
    groups: dict[tuple[date, int], dict] = {}
    for enterprise_id in enterprises if periods else ():
        for period in enterprise_figures(session, enterprise_id, periods, detail=False,
                                         school_id=school_id):
            for item in period.items:
                _add(groups, group_by, period.first_day, item)
    if group_by == "category" and groups:
        names = dict(session.execute(select(EquipmentCategory.id, EquipmentCategory.name)
                                     .where(EquipmentCategory.id.in_(
                                         {key for _, key in groups}))).all())
        for (_, key), row in groups.items():
            row["group_name"] = names.get(key)
    rows = [_finish(row) for _, row in sorted(groups.items())]
    totals = _finish({name: sum((r[name] for r in groups.values()), Decimal(0))
                      for name in PARTNER_HOURS}
                     | {name: sum(r[name] for r in groups.values()) for name in PARTNER_COUNTS})
    return {"from_": from_, "to": to, "school_id": school_id, "group_by": group_by,
            "granularity": granularity, "rows": rows, "totals": totals}


def _add(groups: dict, group_by: str, period_start: date, item) -> None:
    """Add one offer's item's figures in one period to its group's row."""
    key, name = _key(group_by, item.offer, item.equipment)
    row = groups.setdefault((period_start, key), {
        "period_start": period_start, "group_by": group_by, "group_id": key,
        "group_name": name, "enterprise_id": item.offer.enterprise_id if group_by in (
            "offer", "item", "enterprise") else None,
        **dict.fromkeys(PARTNER_HOURS, Decimal(0)), **dict.fromkeys(PARTNER_COUNTS, 0)})
    for name in (*PARTNER_HOURS, *PARTNER_COUNTS):
        row[name] += item.figures[name]


def _finish(row: dict) -> dict:
    """Hours to the cent as floats; the share booked of what was offered (null: none)."""
    offered = Decimal(row["hours_offered"])
    return {**row, **{name: float(row[name]) for name in PARTNER_HOURS},
            "utilisation": None if not offered else float(round(
                Decimal(row["hours_booked"]) / offered, 4))}
