"""Scheduled work: APScheduler calls plain use cases; an advisory lock makes one instance run
each job at a time, and every job is idempotent, so running it twice changes nothing."""

from __future__ import annotations

import logging
import zlib

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import func, select

from .db import db
from .notifications.services import Mailer, deliver_notifications
from .reservations import jobs as reservations
from .reservations.policy import BookingPolicy

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
        "deliver_notifications": lambda s: deliver_notifications(s, mailer=mailer),
    }


def run_job(app: Flask, name: str, body) -> int | None:
    """Run one job if no other instance is running it; None when skipped."""
    with app.app_context():
        session = db.session
        try:
            lock = zlib.crc32(f"benchshare:{name}".encode())
            if not session.scalar(select(func.pg_try_advisory_xact_lock(lock))):
                session.rollback()
                return None
            done = body(session)
            if done:
                log.info("job %s: %s", name, done)
            return done
        except Exception:
            log.exception("job %s failed", name)
            session.rollback()
            return None
        finally:
            session.remove()


def start(app: Flask) -> BackgroundScheduler:
    """Start the in-process scheduler (one thread); safe in every instance."""
    scheduler = BackgroundScheduler(timezone="UTC")
    interval = app.config["JOB_INTERVAL_SECONDS"]
    for name, body in jobs(app.config).items():
        scheduler.add_job(run_job, "interval", seconds=interval, args=(app, name, body),
                          id=name, max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler
