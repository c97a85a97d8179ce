"""`benchshare serve` stopping on SIGTERM: readiness turns false first while every request is
still served, then the graceful stop lets the requests under way finish."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from tests.rig.processes import Serve, benchshare_env, free_port, request

pytestmark = pytest.mark.e2e
DRAIN_SECONDS = 2
SLOW_ANSWER_MS = 3000  # a "forgot password" answer takes this long: under way across the stop


@pytest.fixture
def served(fresh_database, tmp_path):
    """`benchshare serve` (two workers) on a database of its own, with a short drain."""
    env = benchshare_env(fresh_database("benchshare_drain"), tmp_path, SCHEDULER_ENABLED="false",
                         DRAIN_SECONDS=DRAIN_SECONDS, RESET_ANSWER_MS=SLOW_ANSWER_MS,
                         LOG_LEVEL="INFO")
    serve = Serve("serve", free_port(), env, tmp_path, workers=2).start()
    serve.wait_ready()
    yield serve
    serve.stop()


def test_a_stopping_server_says_draining_while_it_serves_then_finishes_what_it_holds(served):
    served.signal(signal.SIGTERM)
    asked_to_stop = time.monotonic()
    while (answer := served.readiness()) is not None and answer[0] == 200:
        assert time.monotonic() - asked_to_stop < 1, "readiness still true 1 s after SIGTERM"
        time.sleep(0.05)
    assert answer == (503, {"status": "draining"})

    slow: dict = {}

    def ask_slowly():
        slow["answer"] = request(served.port, "POST", "/api/v1/auth/password-reset",
                                 {"email": "nobody@drain.example"})
        slow["finished"] = time.monotonic()

    under_way = threading.Thread(target=ask_slowly)
    under_way.start()
    status, _, body = request(served.port, "GET", "/api/v1/openapi.json")
    assert (status, body["info"]["title"]) == (200, "BenchShare")
    assert served.readiness() == (503, {"status": "draining"})

    under_way.join(timeout=30)
    status, _, body = slow["answer"]
    assert (status, body) == (202, {"status": "accepted"})
    assert slow["finished"] - asked_to_stop > DRAIN_SECONDS  # still served once the stop began
    assert served.wait(timeout=30) == 0
    assert served.readiness() is None  # nothing listens any more
    assert "Draining: /readyz answers 503 for 2 s" in served.output
