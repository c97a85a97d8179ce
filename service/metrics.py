"""The metric families this process writes as it works: requests, bookings, refusals, jobs, pool.

prometheus-client chooses, when it is first imported, between values in memory and values in
files shared by gunicorn's workers (PROMETHEUS_MULTIPROC_DIR). `benchshare serve` sets that
directory only once the command line is parsed, long after this module is imported: so the
library is imported, and the families made, on the first value recorded, never at import.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from types import SimpleNamespace

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# Seconds; from a cached read (a few ms) to the 30 s after which gunicorn kills a worker.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
JOB_BUCKETS = (0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600)
# Any other method a client sends (HTTP allows any token) is labelled "other": a label value
# per made-up method would be a series per request.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The bookings a transaction wrote, counted when (and if) it commits.
_WRITTEN = "benchshare.metrics.bookings"


_making = threading.Lock()


def families() -> SimpleNamespace:
    """Every family recorded in-process, made once per process: under a lock, as the first
    values often come from several threads at once (the scheduler's jobs, a worker's pool
    events); a second maker would register the same names again and lose its value."""
    with _making:
        return _families()


@functools.cache
def _families() -> SimpleNamespace:
    from prometheus_client import Counter, Gauge, Histogram

    return SimpleNamespace(
        requests=Counter(
            "benchshare_http_requests", "HTTP requests answered, by URL rule (not path), "
            "method and status.", ["route", "method", "status"]),
        latency=Histogram(
            "benchshare_http_request_duration_seconds", "Time to answer a request, by URL "
            "rule and method.", ["route", "method"], buckets=LATENCY_BUCKETS),
        bookings=Counter(
            "benchshare_bookings", "Reservations committed, by the state they were made in "
            "(confirmed, pending_approval, waitlist_offer).", ["kind"]),
        refusals=Counter(
            "benchshare_refusals", "Requests refused by a domain rule (problem+json), by "
            "machine code and URL rule; booking refusals are those on booking routes.",
            ["code", "route"]),
        job_runs=Counter(
            "benchshare_job_runs", "Scheduled job runs started in this instance (a turn "
            "skipped because another instance runs the job is not a run).", ["job"]),
        job_failures=Counter(
            "benchshare_job_failures", "Scheduled job runs that raised.", ["job"]),
        job_duration=Histogram(
            "benchshare_job_duration_seconds", "Time a scheduled job run took, failed or "
            "not.", ["job"], buckets=JOB_BUCKETS),
        # livesum: a worker that exits takes its connections with it (mark_process_dead).
        pool_checked_out=Gauge(
            "benchshare_db_pool_checked_out", "Database connections in use, summed over "
            "this instance's live processes.", ["database"], multiprocess_mode="livesum"),
        pool_size=Gauge(
            "benchshare_db_pool_size", "Connections the pools may keep (pool_size, "
            "without overflow), summed over this instance's live processes.", ["database"],
            multiprocess_mode="livesum"),
    )


def never_fails(record):
    """A figure not recorded must not fail the request or the job it describes (a
    PROMETHEUS_MULTIPROC_DIR that is gone, say): logged once per process, then dropped."""

    @functools.wraps(record)
    def recording(*args, **kwargs):
        try:
            record(*args, **kwargs)
        except Exception:  # noqa: BLE001 - see above
            if not _failed:
                _failed.append(record.__name__)
                log.warning("metrics: could not record %s", record.__name__, exc_info=True)

    return recording


_failed: list[str] = []


def route_of(rule) -> str:
    """A request's route label: its URL rule, so ids in paths do not make new series."""
    return rule.rule if rule is not None else "unmatched"


@never_fails
def request_answered(rule, method: str, status: int, seconds: float) -> None:
    route, metric = route_of(rule), families()
    method = method if method in METHODS else "other"
    metric.requests.labels(route, method, str(status)).inc()
    metric.latency.labels(route, method).observe(seconds)


@never_fails
def refused(code: str, rule) -> None:
    families().refusals.labels(code, route_of(rule)).inc()


@never_fails
def booking_written(session: Session, kind: str) -> None:
    """Note a reservation written by `session`; counted if its transaction commits (a
    previewed series, a series refused as a whole and a lost race are rolled back)."""
    session.info.setdefault(_WRITTEN, []).append(kind)


@never_fails
def _count_committed(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the outcome is still open
        return
    for kind in session.info.pop(_WRITTEN, ()):
        families().bookings.labels(kind).inc()


def _forget_rolled_back(session: Session, previous_transaction) -> None:
    # A savepoint rolled back took no booking with it (book() notes one only once written,
    # and a series' refused session is refused before that); the outer transaction does.
    if not previous_transaction.nested:
        session.info.pop(_WRITTEN, None)


@never_fails
def job_finished(name: str, started: float, *, failed: bool = False) -> None:
    metric = families()
    metric.job_runs.labels(name).inc()
    metric.job_duration.labels(name).observe(time.perf_counter() - started)
    if failed:
        metric.job_failures.labels(name).inc()


def watch_pool(engine, database: str = "primary") -> None:
    """Keep this process's checked-out and pool-size gauges of `engine` current."""
    event.listen(engine, "checkout", functools.partial(_pool_moved, engine, database, 0))
    # The checkin event comes before the pool takes the connection back.
    event.listen(engine, "checkin", functools.partial(_pool_moved, engine, database, 1))


@never_fails
def _pool_moved(engine, database: str, leaving: int, *args) -> None:
    pool = engine.pool
    if not hasattr(pool, "checkedout"):  # a NullPool keeps nothing
        return
    metric = families()
    metric.pool_checked_out.labels(database).set(max(0, pool.checkedout() - leaving))
    metric.pool_size.labels(database).set(pool.size())


def install() -> None:
    """Count bookings at commit, for every session (once per process)."""
    if not event.contains(Session, "after_commit", _count_committed):
        event.listen(Session, "after_commit", _count_committed)
        event.listen(Session, "after_soft_rollback", _forget_rolled_back)
