"""Job wrappers: one instance at a time, idempotent bodies, errors contained."""

from __future__ import annotations

import zlib

import psycopg
from sqlalchemy import make_url

from service import scheduler


def _lock_key(name: str) -> int:
    return zlib.crc32(f"benchshare:{name}".encode())


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


def test_a_failing_job_is_logged_and_contained(app):
    def broken(session):
        raise RuntimeError("boom")

    assert scheduler.run_job(app, "broken", broken) is None


def test_every_scheduled_job_runs_on_an_empty_database(app):
    for name, body in scheduler.jobs(app.config).items():
        assert scheduler.run_job(app, name, body) is not None, name
