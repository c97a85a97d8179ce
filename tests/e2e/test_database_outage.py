"""kill -9 of the embedded PostgreSQL under load: 503s with Retry-After, no lost acknowledged
write, a service that heals by itself, and a clean stop that leaves no server behind."""

from __future__ import annotations

import os
import signal
import time

import pytest

from .outage import BENCHSHARE, Served, kill_database_under_load

pytestmark = pytest.mark.e2e


@pytest.fixture
def served():
    """A `benchshare serve` on a data directory of its own, cleaned up whatever happens."""
    assert BENCHSHARE, "install the package (pip install -e .) to get the benchshare command"
    served = Served(workers=2)
    yield served
    served.clean_up()


def test_killed_database_answers_503_then_heals_and_keeps_every_acknowledged_write(served):
    served.start("--demo")
    outcome = kill_database_under_load(served)

    assert outcome.seconds_to_recovery is not None, (
        f"no success within 60 s of the kill; 5xx: {dict(outcome.server_errors)}\n"
        f"{served.output[-3000:]}")
    assert outcome.server_errors[(503, "database_unavailable")] > 0, "the outage went unseen"
    assert set(outcome.server_errors) == {(503, "database_unavailable")}
    assert outcome.unavailable_without_retry_after == 0
    assert not outcome.transport_errors
    assert outcome.failures_after_recovery == 0
    assert outcome.acknowledged and not outcome.missing
    assert outcome.pid_after not in (None, outcome.killed_pid)
    assert "started again (postmaster pid" in served.output

    assert served.stop(signal.SIGTERM) == 0
    assert served.database_processes() == []


def test_sigint_after_a_restart_stops_the_restarted_database(served):
    served.start()
    killed = served.postmaster_pid()
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while served.postmaster_pid() in (None, killed) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert served.postmaster_pid() not in (None, killed), served.output[-3000:]

    assert served.stop(signal.SIGINT) == 0
    assert served.database_processes() == []
    assert "embedded PostgreSQL on" in served.output and " stopped" in served.output
