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
def serve_with(fresh_database, tmp_path):
    """Starts `benchshare serve` on a database of its own with a short drain: so many workers,
    and "forgot password" answers taking so long."""
    started = []

    def start(workers: int, slow_ms: int) -> Serve:
        env = benchshare_env(fresh_database("benchshare_drain"), tmp_path,
                             SCHEDULER_ENABLED="false", DRAIN_SECONDS=DRAIN_SECONDS,
                             RESET_ANSWER_MS=slow_ms, LOG_LEVEL="INFO")
        serve = Serve("serve", free_port(), env, tmp_path, workers=workers).start()
        started.append(serve)
        serve.wait_ready()
        return serve

    yield start
    for serve in started:
        serve.stop()


@pytest.fixture
def served(serve_with):
    """Two workers; a "forgot password" answer outlasts the drain."""
    return serve_with(workers=2, slow_ms=SLOW_ANSWER_MS)


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


def test_a_request_waiting_for_the_busy_worker_when_sigterm_comes_is_still_answered(serve_with):
    # One worker, busy with a slow answer: the next request waits in the listening socket's
    # queue. Stopping at once would close that socket under it (a reset, after a proxy had
    # sent the request); during the drain the worker takes it up once free.
    served = serve_with(workers=1, slow_ms=1000)
    answers: dict = {}

    def ask(name, method, path, body=None):
        try:
            answers[name] = request(served.port, method, path, body)
        except OSError as exc:  # what a proxy would have met
            answers[name] = (exc, None, None)

    busy = threading.Thread(target=ask, args=("slow", "POST", "/api/v1/auth/password-reset",
                                              {"email": "nobody@drain.example"}))
    busy.start()
    time.sleep(0.3)  # the worker has taken the slow request up
    waiting = threading.Thread(target=ask, args=("queued", "GET", "/healthz"))
    waiting.start()
    time.sleep(0.2)  # connected: queued by the kernel until the worker is free
    served.signal(signal.SIGTERM)
    busy.join(timeout=30)
    waiting.join(timeout=30)

    assert answers["slow"][0::2] == (202, {"status": "accepted"})
    assert answers["queued"][0::2] == (200, {"status": "ok"})
    assert served.wait(timeout=30) == 0
