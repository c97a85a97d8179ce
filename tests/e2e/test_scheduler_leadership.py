"""Two `benchshare scheduler` processes for real: one leads and runs the jobs, the other stands
by and takes over when the leader is killed -9 (within lease + renew) or stopped (at once)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from .outage import free_port
from .served import Service

pytestmark = pytest.mark.e2e

_beside = Path(sys.executable).with_name("benchshare")
BENCHSHARE = str(_beside) if _beside.exists() else shutil.which("benchshare")
OPERATOR = "operator@platform.example"
LEASE, RENEW = 2.0, 0.5
# Over the bound: a process's scheduling and a statement's time on a busy two-core machine.
SLACK = 1.5


class Scheduler:
    """One `benchshare scheduler` process, its output in a file."""

    def __init__(self, env: dict, log: Path):
        self.log = log
        with open(log, "w") as out:
            self.process = subprocess.Popen([BENCHSHARE, "scheduler"], env=env, stdout=out,
                                            stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text()

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=15)


@pytest.fixture(scope="module")
def database(fresh_database, tmp_path_factory):
    """A migrated database of this module's with one user; (env for benchshare, psycopg URI).
    Shared: a test's schedulers killed at its end leave a lease that runs out within LEASE."""
    url = fresh_database("benchshare_leadership")
    tmp_path = tmp_path_factory.mktemp("leadership")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMTP_")}
    env.update(DATABASE_URL=url, BENCHSHARE_DATA_DIR=str(tmp_path), BENCHSHARE_ENV="development",
               JOB_INTERVAL_SECONDS="1", NOTIFICATION_INTERVAL_SECONDS="1", LOG_FORMAT="text",
               LOG_LEVEL="INFO", SCHEDULER_LEASE_SECONDS=str(LEASE),
               SCHEDULER_RENEW_SECONDS=str(RENEW), ARGON2_TIME_COST="1", ARGON2_MEMORY_KIB="64")
    for command in (["db", "upgrade"],
                    ["users", "create", "--email", OPERATOR, "--name", "Olga Operator",
                     "--role", "operator", "--password", "a-long-enough-password"]):
        subprocess.run([BENCHSHARE, *command], env=env, check=True, capture_output=True,
                       timeout=60)
    return env, make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def two_schedulers(database, tmp_path):
    """Two scheduler processes on one database, once one of them leads: (leader, standby)."""
    env, uri = database
    started = [Scheduler(env, tmp_path / f"scheduler-{n}.log") for n in (1, 2)]
    try:
        deadline = time.monotonic() + 30
        # (A lease left by the previous test's processes runs out first.)
        while (pid := _leader_pid(uri)) not in {each.pid for each in started} \
                or _standing_by(started) < 1:
            assert time.monotonic() < deadline, [each.output() for each in started]
            assert all(each.process.poll() is None for each in started), \
                [each.output() for each in started]
            time.sleep(0.05)
        leader = next(each for each in started if each.pid == pid)
        yield leader, next(each for each in started if each is not leader)
    finally:
        for each in started:
            each.end()


def _standing_by(schedulers) -> int:
    return sum("stands by" in each.output() for each in schedulers)


def _leader_pid(uri: str) -> int | None:
    """The pid in the unexpired lease's holder ("host:pid:random"), by the database's clock."""
    with psycopg.connect(uri) as connection:
        row = connection.execute("SELECT holder FROM scheduler_leases WHERE name = 'scheduler'"
                                 " AND expires_at >= statement_timestamp()").fetchone()
    return None if row is None else int(row[0].rsplit(":", 2)[1])


def _notice(uri: str, subject: str) -> int:
    with psycopg.connect(uri) as connection:
        return connection.execute(
            "INSERT INTO notifications (user_id, kind, subject, body, data)"
            " SELECT id, 'confirmed', %s, 'Lathe L-1, Monday.', '{}' FROM users"
            " WHERE email = %s RETURNING id", (subject, OPERATOR)).fetchone()[0]


def _wait_until_sent(uri: str, notification_id: int, within: float = 15) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with psycopg.connect(uri) as connection:
            if connection.execute("SELECT delivery FROM notifications WHERE id = %s",
                                  (notification_id,)).fetchone()[0] == "sent":
                return
        time.sleep(0.1)
    raise AssertionError(f"notice {notification_id} not sent within {within} s")


def _takeover(uri: str, standby: Scheduler, within: float) -> float:
    """Seconds until the standby holds the lease (fails past `within`)."""
    began = time.monotonic()
    while _leader_pid(uri) != standby.pid:
        assert time.monotonic() - began < within, f"no takeover within {within} s"
        time.sleep(0.02)
    return time.monotonic() - began


def _expiry(uri: str) -> datetime:
    with psycopg.connect(uri) as connection:
        return connection.execute(
            "SELECT expires_at FROM scheduler_leases WHERE name = 'scheduler'").fetchone()[0]


def _hand_over(uri: str, leader_pid: int, standby: Scheduler, last_expiry: datetime,
               within: float) -> datetime:
    """Watch the lease pass from the leader to the standby; the time the leader's lease would
    have run until, had it not been handed over (the last expiry seen under its name, from
    `last_expiry` read before it was told to stop)."""
    began = time.monotonic()
    while time.monotonic() - began < within:
        with psycopg.connect(uri) as connection:
            holder, acquired_at, expires_at, running = connection.execute(
                "SELECT holder, acquired_at, expires_at, expires_at > statement_timestamp()"
                " FROM scheduler_leases WHERE name = 'scheduler'").fetchone()
        pid = int(holder.rsplit(":", 2)[1])
        if pid == leader_pid and running:  # (a lease given up ends at the moment it was)
            last_expiry = expires_at
        elif pid == standby.pid:
            # Handed over, not left to run out: the standby took it while the lease still ran.
            assert acquired_at < last_expiry, "the leader left its lease to run out"
            return last_expiry
        time.sleep(0.02)
    raise AssertionError(f"no hand-over within {within} s: {standby.output()}")


def test_the_standby_takes_over_within_lease_and_renew_of_a_leader_killed_minus_9(
        database, two_schedulers):
    _, uri = database
    leader, standby = two_schedulers
    _wait_until_sent(uri, _notice(uri, "Before the kill"))
    time.sleep(RENEW * 3)  # the standby polled several times and left the jobs alone

    leader.process.send_signal(signal.SIGKILL)
    took = _takeover(uri, standby, within=LEASE + RENEW + SLACK)
    print(f"\ntakeover after kill -9: {took:.2f} s (bound: lease {LEASE:g} s + renew "
          f"{RENEW:g} s = {LEASE + RENEW:g} s)")
    _wait_until_sent(uri, _notice(uri, "After the kill"))

    assert "Before the kill" in leader.output() and "After the kill" not in leader.output()
    assert "Before the kill" not in standby.output(), "the standby ran a job while standing by"
    assert "After the kill" in standby.output()
    assert f"gained by {os.uname().nodename}:{standby.pid}:" in standby.output()
    assert standby.process.poll() is None


def test_a_leader_stopped_with_sigterm_hands_over_within_one_renew_interval(database,
                                                                             two_schedulers):
    _, uri = database
    leader, standby = two_schedulers

    running_until = _expiry(uri)
    leader.process.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    _hand_over(uri, leader.pid, standby, running_until, within=LEASE + RENEW + SLACK)
    print(f"\nhand-over on SIGTERM: {time.monotonic() - stopped:.2f} s after SIGTERM (bound: renew"
          f" {RENEW:g} s)")
    assert leader.process.wait(timeout=15) == 0
    assert f"handed over by {os.uname().nodename}:{leader.pid}:" in leader.output()
    assert leader.output().rstrip().endswith("benchshare.jobs: scheduler stopped")
    _wait_until_sent(uri, _notice(uri, "After the hand-over"))
    assert "After the hand-over" in standby.output()


def test_serves_own_scheduler_leads_in_gunicorns_master_and_hands_over_when_serve_stops(
        database, tmp_path):
    env, uri = database
    service = Service(tmp_path / "data", free_port())
    # DRAIN_SECONDS: serve's graceful stop may first answer "draining" for a while.
    service.start("--workers", "1", env={**env, "DRAIN_SECONDS": "0"})
    standby = None
    try:
        deadline = time.monotonic() + LEASE + RENEW + SLACK
        while _leader_pid(uri) != service.process.pid:  # the master: the workers lead nothing
            assert time.monotonic() < deadline, "serve's scheduler did not lead"
            time.sleep(0.05)
        standby = Scheduler(env, tmp_path / "standby.log")
        deadline = time.monotonic() + 30
        while "stands by" not in standby.output():
            assert time.monotonic() < deadline, standby.output()
            time.sleep(0.05)
        running_until = _expiry(uri)
        service.process.send_signal(signal.SIGTERM)
        # gunicorn stops its workers first; meanwhile the master leads (and renews) on.
        _hand_over(uri, service.process.pid, standby, running_until, within=60)
        service.output += service.process.communicate(timeout=30)[0]
        assert f"handed over by {os.uname().nodename}:{service.process.pid}:" in service.output
    finally:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait()
        if standby is not None:
            standby.end()
