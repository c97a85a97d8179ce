"""Use case of reports: build one period's rows for every item, and record the run."""

from __future__ import annotations

import logging
import zlib
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..catalogue.models import TrainingBase
from ..db import utcnow
from . import rules
from .errors import InvalidPeriod, PeriodOpen
from .figures import FIGURES, figures_params
from .models import GRANULARITIES, TRIGGERS, ReportRun, UtilisationRow

log = logging.getLogger("benchshare.reports")

FIGURE_COLUMNS = ("base_id", "category_id", "owner_organisation_id", "is_enterprise",
                  "available_hours", "booked_hours", "used_hours", "no_shows", "cancellations",
                  "late_cancellations")


def _period_lock(granularity: str, period_start: date) -> int:
    """The advisory lock key of one period's build, the same in every instance."""
    return zlib.crc32(f"benchshare:report:{granularity}:{period_start.isoformat()}".encode())


def base_zones(session: Session) -> set[str]:
    """The time zones of every training base."""
    return set(session.scalars(select(TrainingBase.timezone).distinct()))


def check_period(granularity: str, period_start: date) -> None:
    if granularity not in GRANULARITIES:
        raise InvalidPeriod(f"Granularity must be one of {', '.join(GRANULARITIES)}.")
    if not rules.is_period_start(period_start, granularity):
        raise InvalidPeriod(f"{period_start} does not start a {granularity}.")


def compute_figures(session: Session, granularity: str, period_start: date,
                    equipment_ids: list[int] | None = None) -> list[dict]:
    """The period's figures per item, computed now (not stored)."""
    end = rules.period_end(period_start, granularity)
    result = session.execute(FIGURES, figures_params(period_start, end, equipment_ids))
    return [dict(row._mapping) for row in result]


def _built(session: Session, granularity: str, period_start: date) -> bool:
    return session.scalar(select(func.count()).select_from(ReportRun).where(
        ReportRun.granularity == granularity, ReportRun.period_start == period_start,
        ReportRun.status == "succeeded")) > 0


def build_utilisation_report(session: Session, granularity: str, period_start: date, *,
                             trigger: str = "schedule", only_if_unbuilt: bool = False,
                             now: datetime | None = None) -> ReportRun | None:
    """Write the period's rows (one per item, replacing earlier ones) and record the run.

    The whole build is one transaction under an advisory lock of the period: two builds of
    one period, in any number of instances, run one after the other, and with
    `only_if_unbuilt` the second sees the first's succeeded run and does nothing (None).
    Running it again writes the same rows: INSERT ... ON CONFLICT DO UPDATE on the period's
    unique key, and rows of items no longer reported are removed. A failure rolls the rows
    back and is recorded as a failed run; the error is raised again."""
    check_period(granularity, period_start)
    if trigger not in TRIGGERS:
        raise InvalidPeriod(f"Trigger must be one of {', '.join(TRIGGERS)}.")
    started = now or utcnow()
    # A period still under way in some zone would be stored half done, and then kept.
    if not rules.is_closed(rules.period_end(period_start, granularity), started,
                           base_zones(session)):
        session.rollback()
        raise PeriodOpen(f"The {granularity} from {period_start} has not ended everywhere yet.")
    try:
        session.execute(select(func.pg_advisory_xact_lock(_period_lock(granularity,
                                                                       period_start))))
        if only_if_unbuilt and _built(session, granularity, period_start):
            session.rollback()
            return None
        run = ReportRun(granularity=granularity, period_start=period_start, trigger=trigger,
                        started_at=started, status="running")
        session.add(run)
        session.flush()
        figures = compute_figures(session, granularity, period_start)
        if figures:
            statement = insert(UtilisationRow).values(
                [{"granularity": granularity, "period_start": period_start, **f}
                 for f in figures])
            session.execute(statement.on_conflict_do_update(
                constraint="uq_utilisation_rows_period_item",
                set_={**{c: statement.excluded[c] for c in FIGURE_COLUMNS},
                      "built_at": func.now()}))
        session.execute(delete(UtilisationRow).where(
            UtilisationRow.granularity == granularity,
            UtilisationRow.period_start == period_start,
            UtilisationRow.equipment_id.not_in([f["equipment_id"] for f in figures])))
        run.status, run.rows, run.finished_at = "succeeded", len(figures), utcnow()
        session.commit()
        return run
    except Exception as error:
        session.rollback()
        log.exception("report %s %s failed", granularity, period_start)
        try:
            session.add(ReportRun(granularity=granularity, period_start=period_start,
                                  trigger=trigger, started_at=started, finished_at=utcnow(),
                                  status="failed",
                                  error=f"{type(error).__name__}: {error}"[:4000]))
            session.commit()
        except Exception:  # noqa: BLE001 - the database is gone; the build's error matters
            session.rollback()
            log.warning("could not record the failed run", exc_info=True)
        raise


def build_requested_report(session: Session, granularity: str, period_start: date, *,
                           now: datetime | None = None) -> ReportRun:
    """An explicit build of one period: a backfill when it was never built, else a rebuild
    (the only way a closed period's stored rows change)."""
    check_period(granularity, period_start)
    trigger = "rebuild" if _built(session, granularity, period_start) else "backfill"
    return build_utilisation_report(session, granularity, period_start, trigger=trigger, now=now)
