"""`benchshare scheduler` for real: a process of its own runs the jobs, and stops on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
import pytest
from sqlalchemy import make_url

pytestmark = pytest.mark.e2e

# The console script installed beside this interpreter (the venv's), else the one on PATH.
_beside = Path(sys.executable).with_name("benchshare")
BENCHSHARE = str(_beside) if _beside.exists() else shutil.which("benchshare")
OPERATOR = "operator@platform.example"


@dataclass(frozen=True)
class Deployment:
    env: dict  # what the benchshare commands run with
    uri: str  # the same database, for the test's own look inside


@pytest.fixture
def deployment(fresh_database, tmp_path):
    """A database of its own on the test server, migrated by `benchshare db upgrade`, one user."""
    url = fresh_database("benchshare_scheduler")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMTP_")}
    env.update(DATABASE_URL=url, BENCHSHARE_DATA_DIR=str(tmp_path), BENCHSHARE_ENV="development",
               JOB_INTERVAL_SECONDS="1", LOG_FORMAT="text", LOG_LEVEL="INFO",
               ARGON2_TIME_COST="1", ARGON2_MEMORY_KIB="64")
    for command in (["db", "upgrade"],
                    ["users", "create", "--email", OPERATOR, "--name", "Olga Operator",
                     "--role", "operator", "--password", "a-long-enough-password"]):
        subprocess.run([BENCHSHARE, *command], env=env, check=True, capture_output=True,
                       timeout=60)
    return Deployment(env, make_url(url).set(drivername="postgresql").render_as_string(
        hide_password=False))


def _delivery(uri: str, notification_id: int) -> str:
    with psycopg.connect(uri) as connection:
        return connection.execute("SELECT delivery FROM notifications WHERE id = %s",
                                  (notification_id,)).fetchone()[0]


def _as_a_background_job_of_a_shell() -> None:
    # What `benchshare scheduler &` in a script does to the child: SIGINT starts out ignored.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_scheduler_process_delivers_a_waiting_notice_then_stops_cleanly_on_a_signal(
        deployment, stop_signal):
    assert BENCHSHARE, "install the package (pip install -e .) to get the benchshare command"
    uri = deployment.uri
    with psycopg.connect(uri) as connection:
        notification_id = connection.execute(
            "INSERT INTO notifications (user_id, kind, subject, body, data)"
            " SELECT id, 'confirmed', 'Reservation confirmed: Lathe', 'Lathe L-1, Monday.', '{}'"
            " FROM users WHERE email = %s RETURNING id", (OPERATOR,)).fetchone()[0]
    assert _delivery(uri, notification_id) == "pending"

    process = subprocess.Popen([BENCHSHARE, "scheduler"], env=deployment.env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               preexec_fn=_as_a_background_job_of_a_shell)
    try:
        deadline = time.monotonic() + 30
        while _delivery(uri, notification_id) != "sent" and time.monotonic() < deadline:
            assert process.poll() is None, f"scheduler exited: {process.stdout.read()}"
            time.sleep(0.2)
        assert _delivery(uri, notification_id) == "sent", "no job ran within 30 s"
        # No web server: gunicorn would have forked its workers (and the database is not
        # embedded here, so there is no PostgreSQL child either).
        assert psutil.Process(process.pid).children() == []

        stopped = time.monotonic()
        process.send_signal(stop_signal)
        output = process.communicate(timeout=15)[0]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 0, output
    assert time.monotonic() - stopped < 5, f"{stop_signal.name} took too long to stop it"
    assert f"notification to {OPERATOR}: Reservation confirmed: Lathe" in output
    assert "job deliver_notifications: 1" in output
    assert output.rstrip().endswith("benchshare.jobs: scheduler stopped"), output
