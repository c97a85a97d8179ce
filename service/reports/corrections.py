"""An operator's audited correction of a base's past opening hours, and the reports it rebuilds.

Editing hours never reaches before today; when the recorded past was wrong (the base was in
fact open on Saturdays last spring), the platform's operator rewrites that span of the
history here. The correction is recorded in the audit history with its reason and the report
periods it touches, and every stored period it touches is rebuilt with the trigger
`correction`, so no stored figure keeps the old hours unmarked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import is_operator
from ..audit.models import AuditEntry
from ..audit.rules import plain
from ..calendar import wallclock
from ..catalogue.bases import replace_hours
from ..catalogue.models import OpeningHours
from ..catalogue.queries import get_base
from ..db import utcnow
from ..errors import Forbidden
from .models import ReportRun
from .services import build_reports


@dataclass
class Correction:
    """What a correction did: the answer of the use case."""

    base_id: int
    effective_from: date
    until: date | None
    opening_hours: list[OpeningHours]
    reason: str
    audit_entry_id: int
    rebuilt: list[dict] = field(default_factory=list)


def stored_periods(session: Session, first: date, end: date | None) -> list[tuple[str, date]]:
    """(granularity, period start) of every stored period (a succeeded run) holding a day of
    first..end (exclusive; None: every later day)."""
    stored = session.execute(select(ReportRun.granularity, ReportRun.period_start)
                             .where(ReportRun.status == "succeeded").distinct()).all()
    return sorted((g, s) for g, s in stored
                  if wallclock.period_end(s, g) > first and (end is None or s < end))


def correct_opening_hours(session: Session, actor: User, base_id: int, *,
                          effective_from: date, opening_hours: list[dict], reason: str,
                          until: date | None = None, now: datetime | None = None
                          ) -> Correction:
    """From effective_from to until (inclusive; None: for ever) the base's week was, and is,
    `opening_hours`, past days included. Operators only (403 operators_only)."""
    base = get_base(session, base_id)
    if not is_operator(actor):
        raise Forbidden("Past opening hours are corrected by the platform's operators; "
                        "change the hours from today on instead.", code="operators_only")
    end = None if until is None else until + timedelta(days=1)
    replace_hours(session, base, opening_hours, effective_from, end)
    periods = stored_periods(session, effective_from, end)
    week = base.hours_on(effective_from)
    record = {"effective_from": effective_from, "until": until, "reason": reason,
              "opening_hours": [{"weekday": h.weekday, "opens": h.opens,
                                 "closes": "24:00" if h.closes == wallclock.END_OF_DAY
                                 else h.closes} for h in week],
              "rebuilds": [{"granularity": g, "period_start": s} for g, s in periods]}
    audit_id = session.execute(insert(AuditEntry).values(
        organisation_id=base.organisation_id, actor_id=actor.id, entity="training_base",
        entity_id=base.id, action="updated",
        changes={"opening_hours_corrected": [None, plain(record)]},
    ).returning(AuditEntry.id)).scalar_one()
    session.commit()
    correction = Correction(base.id, effective_from, until, week, reason, audit_id)
    # Every stored period the corrected days touch is built again, marked as a correction.
    for batch in build_reports(session, periods, trigger="correction", now=now or utcnow()):
        runs = {run.period_start: run for run in batch.runs}
        for start in batch.starts:
            run = runs.get(start)
            correction.rebuilt.append({
                "granularity": batch.granularity, "period_start": start,
                "run_id": run.id if run is not None and batch.error is None else None,
                "status": "succeeded" if run is not None and batch.error is None
                else "failed"})
    return correction
