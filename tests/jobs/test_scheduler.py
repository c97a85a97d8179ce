"""Job wrappers: one instance at a time, idempotent bodies, errors contained."""

from __future__ import annotations

import logging
import zlib

import psycopg
import pytest
from sqlalchemy import make_url

from service import scheduler


def _lock_key(name: str) -> int:
    return zlib.crc32(f"benchshare:{name}".encode())


@pytest.fixture
def job_log(caplog, monkeypatch):
    """caplog seeing `benchshare.jobs` (the app's logger tree does not propagate to root)."""
    monkeypatch.setattr(logging.getLogger("benchshare"), "propagate", True)
    caplog.set_level(logging.INFO, logger="benchshare.jobs")
    return caplog


def test_a_job_another_instance_is_running_is_skipped(app, database_url):
    calls = []
    uri = make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)
    with psycopg.connect(uri) as other_instance:
        other_instance.execute("SELECT pg_advisory_lock(%s)", (_lock_key("demo"),))
        assert scheduler.run_job(app, "demo", lambda s: calls.append(1)) is None
        other_instance.execute("SELECT pg_advisory_unlock(%s)", (_lock_key("demo"),))
    assert calls == []
    assert scheduler.run_job(app, "demo", lambda s: calls.append(1) or 1) == 1
    assert calls == [1]


def test_a_failing_job_is_logged_and_contained(app, job_log):
    def broken(session):
        raise RuntimeError("boom")

    assert scheduler.run_job(app, "broken", broken) is None
    records = [r for r in job_log.records if r.name == "benchshare.jobs"]
    assert [(r.levelno, r.getMessage()) for r in records] == [(logging.ERROR, "job broken failed")]
    record = records[0]
    assert record.exc_info[0] is RuntimeError and str(record.exc_info[1]) == "boom"
    assert "RuntimeError: boom" in job_log.text, "the traceback is in the log line"
    # Contained: the next job runs on a clean session.
    assert scheduler.run_job(app, "after", lambda s: 1) == 1


def test_every_scheduled_job_runs_on_an_empty_database(app):
    for name, body in scheduler.jobs(app.config).items():
        assert scheduler.run_job(app, name, body) is not None, name
