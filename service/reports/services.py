"""Use case of reports: build periods' rows for every item, and record each run.

`build_reports` is the one writer of utilisation_rows: the scheduled job, `benchshare reports
build` and the seeds all go through it, a batch of periods at a time."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from ..calendar import wallclock
from ..catalogue.queries import base_zones
from ..db import utcnow
from . import hours
from .errors import InvalidPeriod, PeriodOpen
from .figures import FIGURES_SQL, figures_params
from .models import GRANULARITIES, TRIGGERS, ReportRun

log = logging.getLogger("benchshare.reports")

# Periods of one granularity built together, in one transaction by one statement: a month of
# days at most, so that a failure sets back little and the locks are held briefly.
BATCH_PERIODS = 31
FIGURE_COLUMNS = ("base_id", "category_id", "owner_organisation_id", "is_enterprise",
                  "available_hours", "booked_hours", "used_hours", "offered_hours", "no_shows",
                  "cancellations", "late_cancellations", "lapses")


def _period_lock(granularity: str, period_start: date) -> int:
    """The advisory lock key of one period's build, the same in every instance."""
    return zlib.crc32(f"benchshare:report:{granularity}:{period_start.isoformat()}".encode())


def check_period(granularity: str, period_start: date) -> None:
    if granularity not in GRANULARITIES:
        raise InvalidPeriod(f"Granularity must be one of {', '.join(GRANULARITIES)}.")
    if not wallclock.is_period_start(period_start, granularity):
        raise InvalidPeriod(f"{period_start} does not start a {granularity}.")


def _built(session: Session, granularity: str, starts: list[date]) -> set[date]:
    """Which of the periods have a succeeded run."""
    return set(session.scalars(select(ReportRun.period_start).where(
        ReportRun.granularity == granularity, ReportRun.period_start.in_(starts),
        ReportRun.status == "succeeded")))


_COLUMNS = ", ".join(("period_start", "equipment_id", *FIGURE_COLUMNS))
# The periods' rows are removed, then their figures go straight into the table, without a trip
# through Python (a rebuild writes every row anew, so this is cheaper than an upsert and leaves
# no row of an item gone).
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
    """Write the periods' rows; answers the rows written per period."""
    periods = [(start, wallclock.period_end(start, granularity)) for start in starts]
    params = {**figures_params(granularity, periods), "granularity": granularity}
    session.execute(CLEAR_SQL, params)
    session.execute(WRITE_SQL, params)
    if granularity == "day":  # the heat map's hours of the days, with their rows
        hours.write_days(session, periods)
    return dict.fromkeys(starts, 0) | {
        row.period_start: row.rows for row in session.execute(COUNT_SQL, params)}


def _build(session: Session, granularity: str, triggers: dict[date, str], *,
           only_if_unbuilt: bool, now: datetime | None) -> list[ReportRun]:
    """Build the periods in one transaction under the advisory lock of each period (taken in
    order, so two overlapping builds cannot deadlock). A failure rolls the rows back and
    records a failed run per period; the error is raised again."""
    for period_start, trigger in triggers.items():
        check_period(granularity, period_start)
        if trigger not in TRIGGERS:
            raise InvalidPeriod(f"Trigger must be one of {', '.join(TRIGGERS)}.")
    started = now or utcnow()
    starts = sorted(triggers)
    zones = base_zones(session)
    # A period still under way in some zone would be stored half done, and then kept.
    for period_start in starts:
        if not wallclock.has_ended(wallclock.period_end(period_start, granularity), started, zones):
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
                             started_at=started, status="running",
                             hours_kept=granularity == "day") for s in starts}
        session.add_all(runs.values())
        session.flush()
        for period_start, rows in _write_periods(session, granularity, starts).items():
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


@dataclass
class Batch:
    """One transaction of a build: up to BATCH_PERIODS periods of one granularity, and the
    runs it recorded (none for periods already built, with `only_if_unbuilt`) or its error."""

    granularity: str
    starts: list[date]
    runs: list[ReportRun] = field(default_factory=list)
    error: Exception | None = None


def build_reports(session: Session, periods: Iterable[tuple[str, date]], *,
                  trigger: str | None = None, only_if_unbuilt: bool = False,
                  now: datetime | None = None) -> Iterator[Batch]:
    """Write the periods' rows (one per item, replacing earlier ones) and record a run each,
    BATCH_PERIODS periods of one granularity at a time: one statement computes and writes a
    batch, in one transaction under the advisory lock of each of its periods.

    Each (granularity, period start) is built with `trigger`, or when it is None as a backfill
    if it was never built, else as a rebuild. Two builds of one period, in any number of
    instances, run one after the other, and with `only_if_unbuilt` the second sees the first's
    succeeded run and leaves that period alone. Building again writes the same rows; rows of
    items no longer reported are gone. A batch that fails is rolled back and recorded as
    failed runs; it is answered with its error and the next batches still go. Batches are
    built as they are iterated."""
    by_granularity: dict[str, list[date]] = {}
    for granularity, start in periods:
        by_granularity.setdefault(granularity, []).append(start)
    for granularity, starts in by_granularity.items():
        for first in range(0, len(starts), BATCH_PERIODS):
            batch = Batch(granularity, starts[first:first + BATCH_PERIODS])
            try:
                batch.runs = _build_batch(session, batch, trigger=trigger,
                                          only_if_unbuilt=only_if_unbuilt, now=now)
            except Exception as error:  # noqa: BLE001 - recorded as failed runs, answered
                batch.error = error
            yield batch


def _build_batch(session: Session, batch: Batch, *, trigger: str | None,
                 only_if_unbuilt: bool, now: datetime | None) -> list[ReportRun]:
    for period_start in batch.starts:
        check_period(batch.granularity, period_start)
    if trigger is None:
        built = _built(session, batch.granularity, batch.starts)
        triggers = {s: "rebuild" if s in built else "backfill" for s in batch.starts}
    else:
        triggers = dict.fromkeys(batch.starts, trigger)
    return _build(session, batch.granularity, triggers, only_if_unbuilt=only_if_unbuilt,
                  now=now)


def _runs_or_raise(batches: Iterable[Batch]) -> list[ReportRun]:
    """Every batch's runs; the first failed batch's error is raised (none after it is built)."""
    runs = []
    for batch in batches:
        if batch.error is not None:
            raise batch.error
        runs += batch.runs
    return runs


def build_utilisation_report(session: Session, granularity: str, period_start: date, *,
                             trigger: str = "schedule", only_if_unbuilt: bool = False,
                             now: datetime | None = None) -> ReportRun | None:
    """`build_reports` of one period, its error raised: its run, or None when it was built
    already and `only_if_unbuilt` was asked."""
    runs = _runs_or_raise(build_reports(session, [(granularity, period_start)], trigger=trigger,
                                        only_if_unbuilt=only_if_unbuilt, now=now))
    return runs[0] if runs else None


def build_requested_report(session: Session, granularity: str, period_start: date, *,
                           now: datetime | None = None) -> ReportRun:
    """An explicit build of one period: a backfill when it was never built, else a rebuild
    (the only way a closed period's stored rows change)."""
    return build_requested_reports(session, granularity, [period_start], now=now)[0]


def build_requested_reports(session: Session, granularity: str, starts: list[date], *,
                            now: datetime | None = None) -> list[ReportRun]:
    """An explicit build of several periods of one granularity, each a backfill or a rebuild;
    the first failed batch's error is raised."""
    return _runs_or_raise(build_reports(session, [(granularity, s) for s in starts], now=now))
