"""Job wrappers: one instance at a time for the whole run, idempotent bodies, errors contained."""

from __future__ import annotations

import logging
import zlib
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import make_url, text

from service import scheduler


def _lock_key(name: str) -> int:
    # Spelled out rather than imported: every instance, old and new, must agree on the key.
    return zlib.crc32(f"benchshare:{name}".encode())


@pytest.fixture
def job_log(caplog, monkeypatch):
    """caplog seeing `benchshare.jobs` (the app's logger tree does not propagate to root)."""
    monkeypatch.setattr(logging.getLogger("benchshare"), "propagate", True)
    caplog.set_level(logging.INFO, logger="benchshare.jobs")
    return caplog


@pytest.fixture
def other_instance(database_url):
    """A factory of connections standing for another instance of the service."""

    @contextmanager
    def connect():
        uri = make_url(database_url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        # Autocommit: a session-level lock, as another instance's run_job would hold it.
        with psycopg.connect(uri, autocommit=True) as connection:
            yield connection

    return connect


def _could_take_lock(connection, name: str) -> bool:
    """Whether this connection gets the job's lock (and then lets it go again at once)."""
    taken = connection.execute("SELECT pg_try_advisory_lock(%s)", (_lock_key(name),)).fetchone()[0]
    if taken:
        connection.execute("SELECT pg_advisory_unlock(%s)", (_lock_key(name),))
    return taken


def test_a_job_another_instance_is_running_is_skipped(app, other_instance):
    calls = []
    with other_instance() as other:
        other.execute("SELECT pg_advisory_lock(%s)", (_lock_key("demo"),))
        assert scheduler.run_job(app, "demo", lambda s: calls.append(1)) is None
        other.execute("SELECT pg_advisory_unlock(%s)", (_lock_key("demo"),))
    assert calls == []
    assert scheduler.run_job(app, "demo", lambda s: calls.append(1) or 1) == 1
    assert calls == [1]


def test_the_lock_is_held_across_the_bodys_commits_until_the_run_ends(app, other_instance):
    seen_by_other_instance = []

    def commits_as_it_goes(session):
        # Like deliver_notifications: commit each claim, then each batch's outcomes.
        with other_instance() as other:
            for _ in range(2):
                session.execute(text("SELECT 1"))
                session.commit()
                seen_by_other_instance.append(_could_take_lock(other, "commits"))
        return 2

    assert scheduler.run_job(app, "commits", commits_as_it_goes) == 2
    assert seen_by_other_instance == [False, False], "another instance could start the job"


@pytest.mark.parametrize("outcome", ["succeeds", "fails"])
def test_the_lock_is_free_for_other_instances_once_the_run_is_over(app, other_instance,
                                                                   outcome):
    def body(session):
        session.execute(text("SELECT 1"))
        session.commit()
        if outcome == "fails":
            raise RuntimeError("boom")
        return 1

    assert scheduler.run_job(app, "once", body) == (1 if outcome == "succeeds" else None)
    with other_instance() as other:
        assert _could_take_lock(other, "once")


def test_a_failing_job_releases_its_lock_so_the_next_run_goes_ahead(app, other_instance):
    def broken(session):
        raise RuntimeError("boom")

    assert scheduler.run_job(app, "flaky", broken) is None
    with other_instance() as other:
        assert _could_take_lock(other, "flaky")
    assert scheduler.run_job(app, "flaky", lambda s: 1) == 1


def test_a_lock_whose_connection_broke_mid_run_is_not_left_behind(app, other_instance, job_log):
    def loses_its_lock_connection(session):
        with other_instance() as other:
            # What a database restart or a network cut does to the lock's connection.
            other.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                " AND classid = 0 AND objid::bigint = %s AND objsubid = 1",
                (_lock_key("cut"),))
        return 1

    assert scheduler.run_job(app, "cut", loses_its_lock_connection) == 1, "the work was done"
    warnings = [r.getMessage() for r in job_log.records
                if r.name == "benchshare.jobs" and r.levelno == logging.WARNING]
    assert warnings == ["job cut: could not release its lock; closing its connection instead"]
    with other_instance() as other:
        assert _could_take_lock(other, "cut")
    assert scheduler.run_job(app, "cut", lambda s: 1) == 1, "the pool hands out a live connection"


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
