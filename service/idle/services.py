"""Use case of idle equipment: judge the last complete weeks, keep the findings of the last
one, and tell each owner once a week what sat idle."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..accounts.models import Organisation
from ..accounts.queries import staff_of
from ..catalogue.models import Equipment, TrainingBase
from ..catalogue.queries import base_zones
from ..db import utcnow
from ..notifications.models import Notification
from ..reports.live import compute_figures
from ..reports.models import ReportRun, UtilisationRow
from ..reservations.models import Reservation
from . import rules
from .models import IdleFinding

RATIO = Decimal("0.0001")
FINDING_COLUMNS = ("owner_organisation_id", "weeks", "threshold", "available_hours",
                   "booked_hours", "free_hours")
# Who hears of an owner's idle items: a school's admins, an enterprise's staff.
TOLD = {"school": "admin", "enterprise": "enterprise_staff"}
LISTED = 30  # items named in one notice; the rest are counted


@dataclass(frozen=True)
class Judgement:
    week_start: date  # Monday of the last judged week
    weeks: int
    findings: int
    owners_told: int  # owners notified by this run (0 when they had been told already)


def _lock(week_start: date) -> int:
    return zlib.crc32(f"benchshare:idle:{week_start.isoformat()}".encode())


def week_figures(session: Session, starts: list[date]) -> dict[date, dict[int, rules.Week]]:
    """Each item's available and booked hours per ISO week: a built week from its stored
    rows, one not built yet computed now by the reports' own statement."""
    built = set(session.scalars(select(ReportRun.period_start).where(
        ReportRun.granularity == "week", ReportRun.period_start.in_(starts),
        ReportRun.status == "succeeded")))
    figures: dict[date, dict[int, rules.Week]] = {start: {} for start in starts}
    if built:
        for row in session.execute(
                select(UtilisationRow.period_start, UtilisationRow.equipment_id,
                       UtilisationRow.available_hours, UtilisationRow.booked_hours)
                .where(UtilisationRow.granularity == "week",
                       UtilisationRow.period_start.in_(built))):
            figures[row.period_start][row.equipment_id] = rules.Week(row.available_hours,
                                                                     row.booked_hours)
    for start in starts:
        if start not in built:
            for row in compute_figures(session, "week", start):
                figures[start][row["equipment_id"]] = rules.Week(
                    Decimal(row["available_hours"]), Decimal(row["booked_hours"]))
    return figures


def _candidates(session: Session):
    """Every item not retired, with its owner, zone, and since when it has been in use (its
    creation or its first reservation, whichever is earlier: equipment entered after the
    fact keeps its history)."""
    first_booking = (select(func.min(Reservation.starts_at))
                     .where(Reservation.equipment_id == Equipment.id)
                     .correlate(Equipment).scalar_subquery())
    return session.execute(
        select(Equipment.id, Equipment.name, Equipment.owner_organisation_id,
               Organisation.name.label("owner_name"), Organisation.kind.label("owner_kind"),
               TrainingBase.name.label("base_name"), TrainingBase.timezone,
               func.least(Equipment.created_at, first_booking).label("since"))
        .join(TrainingBase, TrainingBase.id == Equipment.base_id)
        .join(Organisation, Organisation.id == Equipment.owner_organisation_id)
        .where(Equipment.status != "retired")
        .order_by(Equipment.owner_organisation_id, Equipment.id)).all()


def find_idle_equipment(session: Session, *, now: datetime | None = None, weeks: int,
                        threshold: float | Decimal) -> Judgement:
    """Judge the `weeks` complete ISO weeks before `now` (ended in every base's zone): an item
    is idle when in each of them it had available hours and was booked strictly under
    `threshold` of them. Its finding is kept for the last of those weeks.

    One transaction under an advisory lock of the week: running it again writes the same
    rows (INSERT ... ON CONFLICT DO UPDATE on week and item) and removes those of items no
    longer idle. Each owner with idle items is told once per week, however often it runs:
    the notice is written only when none for that owner and week exists yet."""
    now = now or utcnow()
    threshold = Decimal(str(threshold)).quantize(RATIO)
    if not 0 <= threshold <= 1:
        raise ValueError("the threshold is a ratio between 0 and 1")
    last = rules.last_closed_week(now, base_zones(session))
    starts = rules.judged_weeks(last, weeks)
    session.execute(select(func.pg_advisory_xact_lock(_lock(last))))
    figures = week_figures(session, starts)
    found = []
    for item in _candidates(session):
        if not rules.existed_throughout(item.since, starts[0], item.timezone):
            continue
        per_week = [figures[start].get(item.id) for start in starts]
        if not rules.is_idle(per_week, weeks, threshold):
            continue
        available, booked, free = rules.totals(per_week)
        found.append((item, {"week_start": last, "equipment_id": item.id,
                             "owner_organisation_id": item.owner_organisation_id,
                             "weeks": weeks, "threshold": threshold,
                             "available_hours": available, "booked_hours": booked,
                             "free_hours": free}))
    ids: dict[int, int] = {}
    if found:
        statement = insert(IdleFinding).values([row for _, row in found])
        ids = dict(session.execute(statement.on_conflict_do_update(
            constraint="uq_idle_findings_week_item",
            set_={**{c: statement.excluded[c] for c in FINDING_COLUMNS},
                  "found_at": func.now()})
            .returning(IdleFinding.equipment_id, IdleFinding.id)).all())
    session.execute(delete(IdleFinding).where(
        IdleFinding.week_start == last,
        IdleFinding.equipment_id.not_in([row["equipment_id"] for _, row in found])))
    told = 0
    by_owner: dict[int, list] = {}
    for item, row in found:
        by_owner.setdefault(item.owner_organisation_id, []).append((item, row))
    for owner_id, items in by_owner.items():
        told += _tell_the_owner(session, owner_id, last, weeks, threshold, items, ids)
    session.commit()
    return Judgement(last, weeks, len(found), told)


def _told_already(session: Session, recipients: list[int], owner_id: int, week: date) -> bool:
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id.in_(recipients), Notification.kind == "idle_equipment",
        Notification.data.contains({"owner_organisation_id": owner_id,
                                    "week_start": week.isoformat()}))) > 0


def _hours(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}"


def _tell_the_owner(session: Session, owner_id: int, week: date, weeks: int,
                    threshold: Decimal, items: list, ids: dict[int, int]) -> int:
    """One notice to each of the owner's admins (school) or staff (enterprise), unless they
    were told of this week already. Returns 1 when told now."""
    owner_kind, owner_name = items[0][0].owner_kind, items[0][0].owner_name
    recipients = staff_of(session, owner_id, TOLD[owner_kind])
    if not recipients or _told_already(session, recipients, owner_id, week):
        return 0
    suggestion = rules.suggestion(owner_kind)
    last_day = week + timedelta(days=6)
    lines = [f"- {item.name} at {item.base_name}: {_hours(row['free_hours'])} h free of "
             f"{_hours(row['available_hours'])} h available"
             for item, row in items[:LISTED]]
    if len(items) > LISTED:
        lines.append(f"- and {len(items) - LISTED} more (see the dashboard)")
    body = (f"{len(items)} item(s) of {owner_name} were booked for less than "
            f"{float(threshold) * 100:g} % of their available hours in each of the {weeks} "
            f"week(s) to {last_day:%Y-%m-%d}:\n" + "\n".join(lines) + "\n"
            + rules.SUGGESTION_WORDS[suggestion])
    data = {"owner_organisation_id": owner_id, "week_start": week.isoformat(), "weeks": weeks,
            "threshold": float(threshold), "suggestion": suggestion,
            "items": [{"finding_id": ids.get(item.id), "equipment_id": item.id,
                       "equipment_name": item.name, "free_hours": float(row["free_hours"])}
                      for item, row in items]}
    for user_id in recipients:
        session.add(Notification(
            user_id=user_id, kind="idle_equipment", reservation_id=None,
            subject=f"Idle equipment of {owner_name}: {len(items)} item(s), weeks to "
                    f"{last_day:%Y-%m-%d}"[:300],
            body=body[:4000], data=data))
    return 1
