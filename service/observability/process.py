"""serve's part in multiprocess metrics: the shared directory and gunicorn's child_exit."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"


def use_multiprocess_dir(env=os.environ) -> str:
    """Make PROMETHEUS_MULTIPROC_DIR ready for this serve's processes, before anything
    records a value: a fresh directory (removed when serve exits) when unset, else the
    operator's, emptied of an earlier run's files (their pids may come back, with stale
    counts). One directory per serve: two sharing one would sum each other's processes."""
    given = env.get(DIRECTORY)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
        return str(path)
    path = tempfile.mkdtemp(prefix="benchshare-metrics-")
    env[DIRECTORY] = path
    owner = os.getpid()
    # Forked workers inherit the handler: only the arbiter that made it removes it.
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(path, ignore_errors=True))
    return path


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
