"""Graceful stop of `benchshare serve`: on SIGTERM, readiness turns false while requests go on
being served for DRAIN_SECONDS, then gunicorn's own graceful stop.

Why a drain before the stop: whatever routes traffic here (a load balancer reading `/readyz`,
an orchestrator rewriting a proxy's upstreams) learns of the stop only when it next asks. Were
the listening socket closed at once, requests already routed here would meet a refused
connection, and connections waiting in the socket's backlog would be reset after the proxy had
sent them a request it may not retry (a POST). Serving on while saying "draining" gives the
router time to look away; only then do the workers stop accepting, finishing what they hold
within gunicorn's `graceful_timeout`.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import threading
import time

from flask import Flask

EXTENSION = "benchshare.drain"


class DrainFlag:
    """Whether this server is draining, shared by gunicorn's master (which sets it on SIGTERM)
    and its workers (whose `/readyz` reads it): shared memory made before the fork."""

    def __init__(self):
        self._since = multiprocessing.RawValue(ctypes.c_double, 0.0)

    def start(self) -> None:
        self._since.value = time.time()

    @property
    def draining(self) -> bool:
        return self._since.value > 0

    def init_app(self, app: Flask) -> DrainFlag:
        app.extensions[EXTENSION] = self
        return self


def is_draining(app: Flask) -> bool:
    """Whether the server running `app` was asked to stop and is draining (False outside
    `serve`: the test client, `flask run`, a bare gunicorn)."""
    flag = app.extensions.get(EXTENSION)
    return flag is not None and flag.draining


def draining_arbiter(flag: DrainFlag, seconds: int) -> type:
    """gunicorn's arbiter whose SIGTERM first drains for `seconds` (0: stops at once, as
    gunicorn does), then stops gracefully. SIGINT and SIGQUIT still stop at once."""
    from gunicorn.arbiter import Arbiter  # only serve needs gunicorn, not the app

    class DrainingArbiter(Arbiter):
        _drain_until: float | None = None

        def handle_term(self):
            if seconds <= 0:
                raise StopIteration
            if self._drain_until is not None:
                return  # a second SIGTERM changes nothing: the drain already runs
            flag.start()
            self._drain_until = time.monotonic() + seconds
            # The main loop waits on a queue with a timeout, a timed lock wait that a process
            # under libfaketime (the browser tests) may never see end: a sleeper wakes it.
            threading.Thread(target=self._wake_after, args=(seconds,), daemon=True,
                             name="benchshare-drain").start()
            self.log.info("Draining: /readyz answers 503 for %s s while requests are served, "
                          "then a graceful stop (at most %s s)", seconds,
                          self.cfg.graceful_timeout)

        def _wake_after(self, delay: float) -> None:
            time.sleep(delay)
            self.wakeup()

        def wait_for_signals(self, timeout=1.0):
            # Called by the main loop inside its try: StopIteration there is gunicorn's own
            # graceful halt (stop accepting, SIGTERM to workers, wait graceful_timeout).
            if self._drain_until is not None:
                left = self._drain_until - time.monotonic()
                if left <= 0:
                    self.log.info("Drained: stopping gracefully")
                    raise StopIteration
                timeout = min(timeout, left)
            return super().wait_for_signals(timeout)

    return DrainingArbiter
