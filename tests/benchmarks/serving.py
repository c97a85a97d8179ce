"""What the benchmarks share: the app under gunicorn on a database, and plain HTTP calls."""

from __future__ import annotations

import http.client
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from service.config import PROJECT_ROOT

HOST = "127.0.0.1"
REQUEST_TIMEOUT = 120.0
READY_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def call_raw(port: int, method: str, path: str, body: dict | None = None,
             token: str | None = None) -> tuple[int, bytes]:
    """One request on a fresh connection: the status and the body's bytes."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def call_json(port: int, method: str, path: str, body: dict | None = None,
              token: str | None = None) -> tuple[int, dict | None]:
    """One request: the status and the body read as JSON (None when empty)."""
    status, payload = call_raw(port, method, path, body, token)
    return status, json.loads(payload) if payload else None


@dataclass
class ThreadedLoad:
    """What the Python fallback client saw: latencies (s, sorted), statuses, transport
    failures (refused, reset, timed out), and the wall time of the whole run."""

    latencies: list[float]
    statuses: Counter
    transport: int
    elapsed: float

    def percentile_ms(self, share: float) -> float:
        ordered = self.latencies
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)] * 1000 if ordered else math.nan


def threaded_load(clients: int, seconds: float, sender) -> ThreadedLoad:
    """The benchmarks' fallback when wrk is missing: `clients` threads, thread `tid` calling
    `sender(tid)()` (one request, its HTTP status) until `seconds` have passed."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    transport = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(tid: int) -> None:
        mine, seen, bad = [], Counter(), 0
        send = sender(tid)
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            try:
                seen[send()] += 1
            except (OSError, http.client.HTTPException):
                bad += 1
            mine.append(time.perf_counter() - sent)
        with lock:
            latencies.extend(mine)
            statuses.update(seen)
            transport[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ThreadedLoad(sorted(latencies), statuses, transport[0], time.perf_counter() - started)


class Gunicorn:
    """The app under gunicorn (sync workers, as `benchshare serve` runs it) on one database;
    `extra_env` adds settings (e.g. REPORTS_CACHE_SECONDS); `app` serves another WSGI app
    (e.g. the hot-path benchmark's floor) the same way; `checkout` serves the app of another
    checkout of the repository, with that checkout's own `.venv` (an earlier version, to
    compare with)."""

    def __init__(self, url: str, workers: int, log_path: Path, *, timeout: int | None = None,
                 app: str = "service:create_app()", checkout: Path | None = None,
                 **extra_env: str) -> None:
        self.port = free_port()
        self.log_path = log_path
        env = {**os.environ, "DATABASE_URL": url, "SCHEDULER_ENABLED": "false",
               "LOG_LEVEL": "WARNING", "BENCHSHARE_DATA_DIR": str(log_path.parent / "unused"),
               **extra_env}
        env.pop("WEB_CONCURRENCY", None)
        python = sys.executable if checkout is None else str(checkout / ".venv" / "bin" / "python")
        command = [python, "-m", "gunicorn", "--workers", str(workers),
                   "--bind", f"{HOST}:{self.port}",
                   # gunicorn 27's control socket is one path per user: not shared by services
                   "--no-control-socket", app]
        if timeout is not None:
            command[3:3] = ["--timeout", str(timeout)]
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=checkout or PROJECT_ROOT, env=env,
                                            stdout=log,
                                            stderr=subprocess.STDOUT)

    def wait_ready(self) -> float:
        started = time.monotonic()
        while time.monotonic() - started < READY_TIMEOUT:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            try:
                if call_raw(self.port, "GET", "/readyz")[0] == 200:
                    return time.monotonic() - started
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready within {READY_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
