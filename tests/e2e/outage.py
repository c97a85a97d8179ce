"""Kill -9 the embedded PostgreSQL under a real `benchshare serve --demo` while clients write,
then count what the clients were told and what the database kept.

Shared by tests/e2e/test_database_outage.py (which asserts) and
tests/benchmarks/bench_database_outage.py (which prints).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil

_beside = Path(sys.executable).with_name("benchshare")
BENCHSHARE = str(_beside) if _beside.exists() else shutil.which("benchshare")
# Categories are what the load writes, and operators keep them.
ADMIN = {"email": "operator@benchshare.example", "password": "benchshare-demo"}
CODE_PREFIX = "outage-"
PAUSE_SECONDS = 0.02  # between one client's requests: a modest load on a shared machine
REQUEST_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url: str, method: str = "GET", body=None, token: str | None = None):
    """(status, headers, JSON body or None); transport errors are raised."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            status, headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, error.headers, error.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:  # a bare 500 page from gunicorn, say
        parsed = None
    return status, headers, parsed


class Served:
    """`benchshare serve` on a data directory of its own, its output kept in a file (a pipe
    nobody reads would fill up under load and stall the service)."""

    def __init__(self, workers: int = 2):
        # Not under pytest's temp root: another pytest run resets it to mode 0700, which locks
        # the embedded server's unprivileged user out of its data directory.
        self.root = Path(tempfile.mkdtemp(prefix="benchshare-outage-"))
        self.data_dir = self.root / "data"
        self.pgdata = self.data_dir.resolve() / "postgres"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.process: subprocess.Popen | None = None
        self.log_path = self.root / "serve.log"

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, *args: str, timeout: float = 120.0) -> None:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["BENCHSHARE_DATA_DIR"] = str(self.data_dir)
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                [BENCHSHARE, "serve", "--port", str(self.port), "--workers", str(self.workers),
                 *args], env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited:\n{self.output[-3000:]}")
            try:
                if call(self.url + "/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"not ready within {timeout} s:\n{self.output[-3000:]}")

    def postmaster_pid(self) -> int | None:
        """The pid in postmaster.pid if that process runs on this data directory."""
        try:
            pid = int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return None
        return pid if any(p.pid == pid for p in self.database_processes()) else None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 90.0) -> int:
        """Send sig and wait for serve to exit; its exit status."""
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def database_processes(self) -> list[psutil.Process]:
        """Live postgres processes on this data directory (PostgreSQL runs each of them, and
        orphaned backends too, in the data directory). Checked here, not by the service's code."""
        found = []
        for process in psutil.process_iter(["name"]):
            try:
                if (process.info["name"] == "postgres"
                        and process.status() != psutil.STATUS_ZOMBIE
                        and Path(process.cwd()) == self.pgdata):
                    found.append(process)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return found

    def clean_up(self) -> None:
        """Leave nothing running or on disk, whatever state a failed run left."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for process in self.database_processes():
            process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Outcome:
    """What the clients were told and what the database kept."""

    acknowledged: set[str] = field(default_factory=set)  # codes answered 201
    found: set[str] = field(default_factory=set)  # codes in the database afterwards
    statuses: Counter = field(default_factory=Counter)
    server_errors: Counter = field(default_factory=Counter)  # (status, code) of every 5xx
    unavailable_without_retry_after: int = 0
    transport_errors: Counter = field(default_factory=Counter)
    killed_pid: int | None = None
    pid_after: int | None = None
    seconds_to_recovery: float | None = None  # kill -9 to the first success after the outage
    failures_after_recovery: int = 0  # non-2xx answers to requests sent after that success

    @property
    def missing(self) -> set[str]:
        return self.acknowledged - self.found


class _Load:
    """Writer threads creating categories with unique codes, reader threads asking /me."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.outcome = Outcome()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.killed_at: float | None = None
        self.first_failure_after_kill: float | None = None
        self.recovered_at: float | None = None

    def writer(self, index: int) -> None:
        n = 0
        while not self.stopping.is_set():
            n += 1
            code = f"{CODE_PREFIX}{index}-{n}"
            self._one("POST", "/api/v1/equipment-categories",
                      {"code": code, "name": f"Outage writer {index} #{n}"}, code)

    def reader(self) -> None:
        while not self.stopping.is_set():
            self._one("GET", "/api/v1/me", None, None)

    def _one(self, method: str, path: str, body, code: str | None) -> None:
        sent = time.monotonic()
        try:
            status, headers, answer = call(self.url + path, method, body, self.token)
        except OSError as exc:
            with self.lock:
                self.outcome.transport_errors[type(exc).__name__] += 1
            time.sleep(PAUSE_SECONDS)
            return
        done = time.monotonic()
        with self.lock:
            self._record(sent, done, status, headers, answer, code)
        time.sleep(PAUSE_SECONDS)

    def _record(self, sent, done, status, headers, answer, code) -> None:
        outcome = self.outcome
        outcome.statuses[status] += 1
        ok = 200 <= status < 300
        if ok and code is not None:
            outcome.acknowledged.add(code)
        if status >= 500:
            problem_code = answer.get("code") if isinstance(answer, dict) else None
            outcome.server_errors[(status, problem_code)] += 1
            if status == 503 and not (headers.get("Retry-After", "").isdigit()
                                      and headers.get_content_type()
                                      == "application/problem+json"):
                outcome.unavailable_without_retry_after += 1
        if self.killed_at is None or sent < self.killed_at:
            return
        if not ok and self.first_failure_after_kill is None:
            self.first_failure_after_kill = done
        if self.recovered_at is None:
            # A request already under way at the kill may still succeed: recovery is the
            # first success after the outage was seen.
            if ok and self.first_failure_after_kill is not None:
                self.recovered_at = done
                outcome.seconds_to_recovery = done - self.killed_at
        elif sent > self.recovered_at and not ok:
            outcome.failures_after_recovery += 1


def sign_in(url: str) -> str:
    status, _, body = call(url + "/api/v1/auth/token", "POST", ADMIN)
    assert status == 200, body
    return body["access_token"]


def categories_with_prefix(url: str, token: str) -> set[str]:
    codes, page = set(), 1
    while True:
        status, _, body = call(f"{url}/api/v1/equipment-categories?page={page}&page_size=100",
                               token=token)
        assert status == 200, body
        codes |= {item["code"] for item in body["items"] if item["code"].startswith(CODE_PREFIX)}
        if page * body["page_size"] >= body["total"]:
            return codes
        page += 1


def kill_database_under_load(served: Served, *, writers: int = 3, readers: int = 1,
                             load_before: float = 2.0, load_after: float = 3.0,
                             give_up_after: float = 60.0) -> Outcome:
    """Load the service, kill -9 its postmaster, keep loading until it answers again (or
    give_up_after), load a little longer, then read back every category."""
    token = sign_in(served.url)
    load = _Load(served.url, token)
    threads = [threading.Thread(target=load.writer, args=(i,)) for i in range(writers)]
    threads += [threading.Thread(target=load.reader) for _ in range(readers)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(load_before)
        load.outcome.killed_pid = served.postmaster_pid()
        with load.lock:
            load.killed_at = time.monotonic()
        os.kill(load.outcome.killed_pid, signal.SIGKILL)
        deadline = load.killed_at + give_up_after
        while load.recovered_at is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if load.recovered_at is not None:
            time.sleep(load_after)
    finally:
        load.stopping.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
    outcome = load.outcome
    outcome.pid_after = served.postmaster_pid()
    if load.recovered_at is not None:
        outcome.found = categories_with_prefix(served.url, token)
    return outcome
