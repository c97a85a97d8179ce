"""Scheduled work: APScheduler calls plain use cases, and each job runs in one place at a time.

What is guaranteed, and by what:

- One process leads at a time and only the leader starts jobs: the lease in `scheduler_leases`
  (`service.scheduling.leadership`); a standby takes over within lease + renew seconds of the
  leader's last renewal when it dies, within one renew interval when it stops.
- One instance runs a job at a time, however many processes share the database: `run_job`
  holds a session-level advisory lock on a connection of its own from before the body starts
  until it has returned or raised, across the body's commits; an instance that finds the lock
  taken skips that turn.
- Even overlapping runs (say the lock's connection died mid-run, and the server let the lock
  go with it) would not act twice: the bodies are idempotent, claim their rows with
  `FOR UPDATE SKIP LOCKED` and move them out of the state they select on, and a unique index
  keeps each reservation's reminder one.

`serve` starts the scheduler inside its own process (gunicorn's master; `SCHEDULER_ENABLED`, on
by default: the single-machine setup); `benchshare scheduler` runs it as a process of its own,
for deployments that keep it out of the web containers. Either takes part in the election.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import signal
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import Engine, func, select

from .db import db
from .idle import jobs as idle
from .impact import jobs as impact
from .metrics import job_finished
from .notifications.delivery import deliver_notifications
from .notifications.mail import Mailer
from .offers import jobs as offers
from .reports import jobs as reports
from .reservations import jobs as reservations
from .reservations.policy import BookingPolicy
from .scheduling import leadership

log = logging.getLogger("benchshare.jobs")


def _mailer(config) -> Mailer:
    return Mailer(host=config["SMTP_HOST"], port=config["SMTP_PORT"],
                  username=config["SMTP_USERNAME"], password=config["SMTP_PASSWORD"],
                  sender=config["SMTP_FROM"], starttls=config["SMTP_STARTTLS"])


def jobs(config) -> dict:
    """Name -> body (a function of the session)."""
    policy = BookingPolicy.from_config(config)
    mailer = _mailer(config)
    return {
        "mark_no_shows": lambda s: reservations.mark_no_shows(s, policy=policy),
        "complete_overdue": lambda s: reservations.complete_overdue(s),
        "expire_holds": lambda s: reservations.expire_holds(s, policy=policy),
        "send_reminders": lambda s: reservations.send_reminders(s, policy=policy),
        "expire_offers": lambda s: offers.expire_offers(s),
        "send_monthly_summaries": lambda s: impact.send_monthly_summaries(s),
        "build_due_reports": lambda s: reports.build_due_reports(
            s, since=config.get("REPORTS_START"),
            limit=config.get("REPORTS_PERIODS_PER_RUN", 200)),
        "deliver_notifications": lambda s: deliver_notifications(
            s, mailer=mailer, batch=config.get("NOTIFICATION_BATCH_SIZE", 500),
            rounds=config.get("NOTIFICATION_BATCHES_PER_RUN", 100),
            senders=config.get("NOTIFICATION_SENDERS", 4),
            # outbox: the claim's lease, and the claims a notice gets before it is failed.
            lease_seconds=config.get("NOTIFICATION_LEASE_SECONDS", 120),
            max_attempts=config.get("NOTIFICATION_MAX_ATTEMPTS", 3)),
        "judge_idle_equipment": lambda s: idle.judge_idle_equipment(
            s, weeks=config.get("IDLE_WEEKS", 4), threshold=config.get("IDLE_THRESHOLD", 0.15)),
        "send_lapsing_notices": lambda s: reservations.send_lapsing_notices(
            s, lead_minutes=config.get("REQUEST_LAPSING_MINUTES", 120)),
    }


# Jobs that need not run every JOB_INTERVAL_SECONDS: APScheduler trigger arguments (UTC).
# The monthly summary is made once per month whenever it runs, so a daily run catches up a
# day missed while the service was down.
TRIGGERS = {
    "send_monthly_summaries": {"trigger": "cron", "hour": 2, "minute": 17},
    # Idle equipment judges the last complete week, again each day (the same findings, the
    # owners told once a week), so a day missed while down is caught up the next.
    "judge_idle_equipment": {"trigger": "cron", "hour": 4, "minute": 7},
}
# Jobs that run more often than JOB_INTERVAL_SECONDS, and the setting that says how often.
# Every booking writes a notice, so the outbox is emptied every few seconds (one run at a
# time still: run_job's lock; a run goes on while notices are pending).
INTERVALS = {"deliver_notifications": "NOTIFICATION_INTERVAL_SECONDS"}


def trigger(name: str, config) -> dict:
    """When a job runs: its APScheduler trigger arguments."""
    interval = config["JOB_INTERVAL_SECONDS"]
    seconds = config.get(INTERVALS.get(name, "JOB_INTERVAL_SECONDS"), interval)
    return TRIGGERS.get(name, {"trigger": "interval", "seconds": seconds})


def _lock_key(name: str) -> int:
    """The advisory lock key of a job, the same in every instance."""
    return zlib.crc32(f"benchshare:{name}".encode())


@contextmanager
def _job_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Hold the job's session-level advisory lock while the block runs; yields whether we got it.

    The lock lives on a connection that the body's session never sees. A session gives its
    connection back to the pool at every commit, so a lock taken through `db.session` would end
    (a transaction lock) or stay behind on a pooled connection nobody owns (a session lock) at
    the body's first commit; this connection stays checked out, lock and all, until we let go.
    """
    connection = engine.connect()
    held = False
    try:
        held = bool(connection.scalar(select(func.pg_try_advisory_lock(_lock_key(name)))))
        # Session locks outlive transactions: end this one rather than sit idle in it (holding
        # back vacuum) for the whole run.
        connection.commit()
        yield held
    finally:
        try:
            if held:
                connection.execute(select(func.pg_advisory_unlock(_lock_key(name))))
                connection.commit()
        except Exception:  # noqa: BLE001 - must not hide the body's own outcome
            # Returned to the pool, the connection would keep the lock and block this job in
            # every instance. Closing it ends its server session, and with it the lock.
            log.warning("job %s: could not release its lock; closing its connection instead",
                        name, exc_info=True)
            connection.invalidate()
        finally:
            connection.close()


def run_job(app: Flask, name: str, body) -> int | None:
    """Run one job if no other instance is running it; None when skipped or failed."""
    with app.app_context():
        started = time.perf_counter()  # metrics
        try:
            with _job_lock(db.engine, name) as held:
                if not held:
                    return None
                done = body(db.session)
            job_finished(name, started)  # metrics
            if done:
                log.info("job %s: %s", name, done)
            return done
        except Exception:
            log.exception("job %s failed", name)
            job_finished(name, started, failed=True)  # metrics
            db.session.rollback()
            return None
        finally:
            db.session.remove()


def _if_leading(elector: leadership.Elector, app: Flask, name: str, body) -> int | None:
    """Start the job only while this process leads; a standby skips its turn."""
    if not elector.leading():
        return None
    return run_job(app, name, body)


def start(app: Flask, elector: leadership.Elector | None = None) -> BackgroundScheduler:
    """Start the in-process scheduler (one thread) and this process's elector (another): safe in
    every instance, as only the leader starts jobs. Stopped by `stop`, at the latest at exit."""
    if elector is None:
        with app.app_context():
            elector = leadership.elect(db.engine.url, app.config)
    scheduler = BackgroundScheduler(timezone="UTC")
    for name, body in jobs(app.config).items():
        scheduler.add_job(_if_leading, args=(elector, app, name, body), id=name, name=name,
                          max_instances=1, coalesce=True, **trigger(name, app.config))
    scheduler.start()
    # serve stops it when gunicorn has stopped (STOP, while an embedded database still
    # answers); at the latest, the process's exit hands the lease over.
    stopping = functools.partial(_stop_at_exit, os.getpid(), scheduler, elector)
    app.extensions[STOP] = stopping
    atexit.register(stopping)
    return scheduler


# Where `start` leaves the function that stops what it started (a no-op in forked children).
STOP = "benchshare.scheduler.stop"


def _stop_at_exit(pid: int, scheduler: BackgroundScheduler,
                  elector: leadership.Elector) -> None:
    # gunicorn's workers inherit the hook with their fork; they never ran the scheduler.
    if os.getpid() == pid:
        stop(scheduler, elector)


def stop(scheduler: BackgroundScheduler, elector: leadership.Elector) -> None:
    """Start no more jobs, hand the lease over at once, then wait for the runs under way (their
    advisory locks keep the next leader from starting the same job meanwhile)."""
    elector.resign()
    if scheduler.running:
        scheduler.shutdown(wait=True)


def _stop_on_signal(signum, frame) -> None:
    # Once is enough. A later signal (a supervisor may signal the process and then its group)
    # must not cut short the wait for the jobs under way, nor skip the exit handlers that stop
    # an embedded PostgreSQL; SIGKILL still ends the process.
    for each in (signal.SIGTERM, signal.SIGINT):
        signal.signal(each, signal.SIG_IGN)
    raise KeyboardInterrupt


def run_in_foreground(app: Flask) -> None:
    """Run the jobs in this process until SIGTERM or SIGINT; the runs under way finish first."""
    # The signal raises KeyboardInterrupt in this thread, which does nothing but wait: that
    # interrupts no job (they run in the scheduler's threads), and the shutdown below runs
    # outside any signal handler. Both are set, SIGINT too: a process a shell starts in the
    # background inherits it ignored, and as PID 1 in a container a signal without a handler
    # is ignored as well (`docker stop` would wait, then kill).
    for each in (signal.SIGTERM, signal.SIGINT):
        signal.signal(each, _stop_on_signal)
    with app.app_context():
        elector = leadership.elect(db.engine.url, app.config)
    scheduler = start(app, elector)
    try:
        log.info("scheduler running %d jobs, most every %d s, while it leads (holder %s)",
                 len(scheduler.get_jobs()), app.config["JOB_INTERVAL_SECONDS"], elector.holder)
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass
    log.info("scheduler stopping; waiting for the jobs under way")
    stop(scheduler, elector)
    log.info("scheduler stopped")
