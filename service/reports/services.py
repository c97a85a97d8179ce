"""Use case of reports: build periods' rows for every item, and record each run."""

from __future__ import annotations

import logging
import zlib
from datetime import date, datetime

from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..catalogue.queries import base_zones
from ..db import utcnow
from . import rules
from .errors import InvalidPeriod, PeriodOpen
from .figures import FIGURES_SQL, figures_params
from .live import compute_figures
from .models import GRANULARITIES, TRIGGERS, ReportRun, UtilisationRow

log = logging.getLogger("benchshare.reports")

# Periods built together by `benchshare reports build`: a month of days at most.
BATCH_PERIODS = 31
FIGURE_COLUMNS = ("base_id", "category_id", "owner_organisation_id", "is_enterprise",
                  "available_hours", "booked_hours", "used_hours", "no_shows", "cancellations",
                  "late_cancellations")


def _period_lock(granularity: str, period_start: date) -> int:
    """The advisory lock key of one period's build, the same in every instance."""
    return zlib.crc32(f"benchshare:report:{granularity}:{period_start.isoformat()}".encode())


def check_period(granularity: str, period_start: date) -> None:
    if granularity not in GRANULARITIES:
        raise InvalidPeriod(f"Granularity must be one of {', '.join(GRANULARITIES)}.")
    if not rules.is_period_start(period_start, granularity):
        raise InvalidPeriod(f"{period_start} does not start a {granularity}.")


def _built(session: Session, granularity: str, starts: list[date]) -> set[date]:
    """Which of the periods have a succeeded run."""
    return set(session.scalars(select(ReportRun.period_start).where(
        ReportRun.granularity == granularity, ReportRun.period_start.in_(starts),
        ReportRun.status == "succeeded")))


def _write_rows(session: Session, granularity: str, period_start: date,
                figures: list[dict]) -> int:
    """Upsert the period's rows from figures computed in Python; remove items gone."""
    if figures:
        statement = insert(UtilisationRow).values(
            [{"granularity": granularity, "period_start": period_start, **f} for f in figures])
        session.execute(statement.on_conflict_do_update(
            constraint="uq_utilisation_rows_period_item",
            set_={**{c: statement.excluded[c] for c in FIGURE_COLUMNS},
                  "built_at": func.now()}))
    session.execute(delete(UtilisationRow).where(
        UtilisationRow.granularity == granularity,
        UtilisationRow.period_start == period_start,
        UtilisationRow.equipment_id.not_in([f["equipment_id"] for f in figures])))
    return len(figures)


_COLUMNS = ", ".join(("period_start", "equipment_id", *FIGURE_COLUMNS))
# The same rows as _write_rows for several periods, without a trip through Python: the
# periods' rows are removed, then the figures go straight into the table (a rebuild writes
# every row anew, so this is cheaper than an upsert and leaves no row of an item gone).
CLEAR_SQL = text("DELETE FROM utilisation_rows WHERE granularity = :granularity"
                 " AND period_start = ANY(CAST(:firsts AS date[]))")
WRITE_SQL = text(f"""
INSERT INTO utilisation_rows (granularity, {_COLUMNS})
SELECT CAST(:granularity AS varchar), {_COLUMNS} FROM ({FIGURES_SQL}) AS figures
""").bindparams(bindparam("equipment_ids", value=None))
COUNT_SQL = text("SELECT period_start, count(*) AS rows FROM utilisation_rows"
                 " WHERE granularity = :granularity"
                 " AND period_start = ANY(CAST(:firsts AS date[])) GROUP BY period_start")


def _write_periods(session: Session, granularity: str, starts: list[date]) -> dict[date, int]:
    periods = [(start, rules.period_end(start, granularity)) for start in starts]
    params = {**figures_params(granularity, periods), "granularity": granularity}
    session.execute(CLEAR_SQL, params)
    session.execute(WRITE_SQL, params)
    return dict.fromkeys(starts, 0) | {
        row.period_start: row.rows for row in session.execute(COUNT_SQL, params)}


def _build(session: Session, granularity: str, triggers: dict[date, str], *,
           only_if_unbuilt: bool, now: datetime | None, write) -> list[ReportRun]:
    """Build the periods in one transaction under the advisory lock of each period (taken in
    order, so two overlapping builds cannot deadlock); `write(starts)` writes their rows and
    answers the rows per period. A failure rolls the rows back and records a failed run per
    period; the error is raised again."""
    for period_start, trigger in triggers.items():
        check_period(granularity, period_start)
        if trigger not in TRIGGERS:
            raise InvalidPeriod(f"Trigger must be one of {', '.join(TRIGGERS)}.")
    started = now or utcnow()
    starts = sorted(triggers)
    zones = base_zones(session)
    # A period still under way in some zone would be stored half done, and then kept.
    for period_start in starts:
        if not rules.is_closed(rules.period_end(period_start, granularity), started, zones):
            session.rollback()
            raise PeriodOpen(
                f"The {granularity} from {period_start} has not ended everywhere yet.")
    try:
        # One statement takes the locks one after the other, in the order of the periods.
        session.execute(text("SELECT count(pg_advisory_xact_lock(k))"
                             " FROM unnest(CAST(:keys AS bigint[])) AS k"),
                        {"keys": [_period_lock(granularity, s) for s in starts]})
        if only_if_unbuilt:
            built = _built(session, granularity, starts)
            starts = [s for s in starts if s not in built]
            if not starts:
                session.rollback()
                return []
        runs = {s: ReportRun(granularity=granularity, period_start=s, trigger=triggers[s],
                             started_at=started, status="running") for s in starts}
        session.add_all(runs.values())
        session.flush()
        for period_start, rows in write(starts).items():
            run = runs[period_start]
            run.status, run.rows, run.finished_at = "succeeded", rows, utcnow()
        session.commit()
        return list(runs.values())
    except Exception as error:
        session.rollback()
        log.exception("report %s %s failed", granularity, ", ".join(map(str, starts)))
        try:
            finished = utcnow()
            session.add_all(ReportRun(granularity=granularity, period_start=s,
                                      trigger=triggers[s], started_at=started,
                                      finished_at=finished, status="failed",
                                      error=f"{type(error).__name__}: {error}"[:4000])
                            for s in starts)
            session.commit()
        except Exception:  # noqa: BLE001 - the database is gone; the build's error matters
            session.rollback()
            log.warning("could not record the failed run", exc_info=True)
        raise


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
    def write(starts: list[date]) -> dict[date, int]:
        return {s: _write_rows(session, granularity, s, compute_figures(session, granularity, s))
                for s in starts}

    runs = _build(session, granularity, {period_start: trigger},
                  only_if_unbuilt=only_if_unbuilt, now=now, write=write)
    return runs[0] if runs else None


def build_requested_report(session: Session, granularity: str, period_start: date, *,
                           now: datetime | None = None) -> ReportRun:
    """An explicit build of one period: a backfill when it was never built, else a rebuild
    (the only way a closed period's stored rows change)."""
    return build_requested_reports(session, granularity, [period_start], now=now)[0]


def build_requested_reports(session: Session, granularity: str, starts: list[date], *,
                            now: datetime | None = None) -> list[ReportRun]:
    """An explicit build of several periods of one granularity, each a backfill or a
    rebuild, in one transaction whose figures are computed by one statement and written by
    PostgreSQL itself (what `benchshare reports build` runs, a month of days at a time)."""
    for period_start in starts:
        check_period(granularity, period_start)
    built = _built(session, granularity, starts)
    triggers = {s: "rebuild" if s in built else "backfill" for s in starts}
    return _build(session, granularity, triggers, only_if_unbuilt=False, now=now,
                  write=lambda todo: _write_periods(session, granularity, todo))
