"""serve's part in multiprocess metrics: the shared directory and gunicorn's child_exit."""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

from ..config import ConfigurationError

DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
# Held (flock) by the serve using the directory, as long as it or any of its workers lives.
LOCK_FILE = "benchshare-serve.lock"
_held: list = []  # the lock's open file, kept for the process's life


def use_multiprocess_dir(env=os.environ) -> str:
    """Make PROMETHEUS_MULTIPROC_DIR ready for this serve's processes, before anything
    records a value: a fresh directory (removed when serve exits) when unset, else the
    operator's, emptied of an earlier run's files (their pids may come back, with stale
    counts). One directory per serve: a second serve given the directory of one still running
    is refused (emptying it would wipe the first one's live counts, and each would then
    report the other's requests as its own); so is a directory that cannot be written."""
    given = env.get(DIRECTORY)
    if given:
        path = Path(given)
        try:
            path.mkdir(parents=True, exist_ok=True)
            _lock(path)
            for stale in path.glob("*.db"):
                stale.unlink(missing_ok=True)
        except OSError as exc:
            raise ConfigurationError(f"{DIRECTORY} {given!r} cannot be used for the metrics: "
                                     f"{exc.strerror or exc}") from None
        return str(path)
    path = tempfile.mkdtemp(prefix="benchshare-metrics-")
    env[DIRECTORY] = path
    owner = os.getpid()
    # Forked workers inherit the handler: only the arbiter that made it removes it.
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(path, ignore_errors=True))
    return path


def _lock(path: Path) -> None:
    handle = open(path / LOCK_FILE, "a+")  # noqa: SIM115 - held until the process exits
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise ConfigurationError(
            f"{DIRECTORY} {str(path)!r} is in use by another running serve ({holder}): give "
            f"each serve a directory of its own (or leave it unset: serve makes one)") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}\n")
    handle.flush()
    _held.append(handle)


def child_exit(server, worker) -> None:
    """gunicorn's hook: a worker that exited no longer counts in the live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def serve_scrapes(app) -> object | None:
    """`benchshare scheduler` has no web server: with SCHEDULER_METRICS_PORT set, answer
    GET /metrics (the same page, the same token) on that port from a thread, and nothing else,
    so that its job runs are scraped too. The server, or None when the port is unset."""
    port = app.config["SCHEDULER_METRICS_PORT"]
    if not port:
        return None
    import threading

    from werkzeug.serving import make_server

    def only_metrics(environ, start_response):
        if environ.get("PATH_INFO") == "/metrics":
            return app(environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Only /metrics here.\n"]

    server = make_server(app.config["SCHEDULER_METRICS_HOST"], port, only_metrics,
                         threaded=False)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
