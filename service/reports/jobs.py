"""Scheduled body of reports: build every closed period that has no succeeded run yet."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..calendar import wallclock
from ..catalogue.models import Equipment
from ..catalogue.queries import base_zones
from ..db import utcnow
from ..reservations.models import Reservation
from . import rules
from .models import ReportRun
from .services import build_reports

log = logging.getLogger("benchshare.reports")


def _first_day(session: Session) -> date | None:
    """The first local day anything was in service (the earliest listing or reservation), a
    day early so every zone holds it: every period since is built, so none is left to be
    computed afresh at each request (and change with the opening hours)."""
    earliest = session.scalar(select(func.least(
        select(func.min(Reservation.starts_at)).scalar_subquery(),
        select(func.min(Equipment.created_at)).scalar_subquery())))
    return None if earliest is None else earliest.astimezone(UTC).date() - timedelta(days=1)


def build_due_reports(session: Session, now: datetime | None = None, *,
                      since: date | None = None, limit: int = 200) -> int:
    """Build, oldest first, the closed periods without a succeeded run: after downtime this
    catches up on every period missed, a failed run is tried again at the next turn, and a
    period once built is never rebuilt here (a late edit of an old reservation does not
    rewrite it; `benchshare reports build` does, on purpose). At most `limit` periods per
    call; the rest follow at the next turn. Returns how many periods this call built."""
    now = now or utcnow()
    first = since or _first_day(session)
    if first is None:
        session.rollback()
        return 0
    zones = base_zones(session)
    built = {tuple(row) for row in session.execute(
        select(ReportRun.granularity, ReportRun.period_start).where(
            ReportRun.status == "succeeded",
            ReportRun.period_start >= wallclock.period_start(first, "month")))}
    session.rollback()
    due = [p for p in rules.closed_periods(first, now, zones) if p not in built][:limit]
    # A failed batch is recorded as failed runs (tried again at the next turn); the others go.
    return sum(len(batch.runs) for batch in build_reports(
        session, due, trigger="schedule", only_if_unbuilt=True, now=now))
