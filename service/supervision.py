"""Keep the embedded PostgreSQL up while `benchshare serve` runs, and stop it when serve stops.

A watchdog thread in the process that started the server (gunicorn's master) looks at the
postmaster every second and starts the server again when it is gone. The workers meanwhile
answer 503 database_unavailable, and their pools (pre-ping) reconnect once it is back.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from . import embedded

log = logging.getLogger(__name__)
CHECK_INTERVAL_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0


class Watchdog:
    """A thread that starts the embedded server of data_dir again whenever it is not running."""

    def __init__(self, data_dir, interval: float = CHECK_INTERVAL_SECONDS):
        self.data_dir = data_dir
        self.interval = interval
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="embedded-postgres-watchdog",
                                        daemon=True)

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching; returns once a restart under way has finished (so it can be stopped)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=embedded.START_TIMEOUT_SECONDS + 30)

    def check(self) -> int | None:
        """One look: the pid of a postmaster just started again, or None."""
        pid = embedded.ensure_running(self.data_dir)
        if pid is not None:
            self.restarts += 1
            log.warning("embedded PostgreSQL restarted by the watchdog (restart %d, pid %s)",
                        self.restarts, pid)
        return pid

    def _watch(self) -> None:
        delay = self.interval
        while not self._stopping.wait(delay):
            try:
                self.check()
                delay = self.interval
            except Exception:  # noqa: BLE001 - a thread that dies supervises nothing
                # A server that cannot start (full disk, broken data) is retried ever less
                # often, so the log shows the cause instead of a traceback every second.
                delay = min(delay * 2, MAX_RETRY_SECONDS)
                log.exception("could not start the embedded PostgreSQL again; retrying in "
                              "%.0f s", delay)


@contextmanager
def supervised_database(app: Flask) -> Iterator[None]:
    """Around gunicorn's master loop: watch the app's embedded server, and stop it on the way
    out (SIGTERM, SIGINT). Nothing to do when DATABASE_URL names a server of its own."""
    data_dir = app.config["DATA_DIR"]
    if not embedded.is_started(data_dir):
        yield
        return
    owner = os.getpid()
    watchdog = Watchdog(data_dir).start()
    try:
        yield
    finally:
        # gunicorn forks its workers inside this block and they leave it through here too;
        # only the process that started the server stops it.
        if os.getpid() == owner:
            watchdog.stop()
            embedded.stop(data_dir)
            log.info("embedded PostgreSQL on %s stopped", embedded.pgdata_of(data_dir))
