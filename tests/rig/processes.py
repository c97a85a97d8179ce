"""The rig's processes: `benchshare serve` and `benchshare scheduler`, each with its own log file
(a pipe nobody reads would fill up under load and stall the process)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

_beside = Path(sys.executable).with_name("benchshare")
BENCHSHARE = str(_beside) if _beside.exists() else shutil.which("benchshare")
REQUEST_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, body=None, token: str | None = None,
            timeout: float = REQUEST_TIMEOUT) -> tuple[int, dict, object]:
    """(status, headers, JSON body or None) of one request on a connection of its own, as a
    browser behind a proxy would; transport errors are raised (OSError, HTTPException)."""
    headers = {"Connection": "close"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        answer = dict(response.getheaders())
    finally:
        connection.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:  # an HTML error page from the proxy, say
        parsed = raw.decode(errors="replace")
    return response.status, answer, parsed


class Process:
    """A command of the benchshare CLI in a process of its own, its output kept in a file."""

    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path):
        self.name, self.args, self.env = name, args, env
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Process:
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen([BENCHSHARE, *self.args], env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def signal(self, sig: int) -> None:
        if self.running:
            self.process.send_signal(sig)

    def wait(self, timeout: float = 60.0) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self, timeout: float = 60.0) -> int | None:
        """SIGTERM, then wait; killed when it outlives the timeout."""
        if self.process is None:
            return None
        self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


class Serve(Process):
    """`benchshare serve` on 127.0.0.1:port (a port a restart reuses)."""

    def __init__(self, name: str, port: int, env: dict, log_dir: Path, workers: int = 1):
        super().__init__(name, ["serve", "--port", str(port), "--workers", str(workers)], env,
                         log_dir)
        self.port = port

    def readiness(self) -> tuple[int, object] | None:
        """/readyz's (status, body), or None when nothing answers."""
        try:
            status, _, body = request(self.port, "GET", "/readyz", timeout=2.0)
        except (OSError, http.client.HTTPException):
            return None
        return status, body

    def wait_ready(self, timeout: float = 120.0) -> float:
        """Seconds until /readyz answers 200; raises with the log's tail when it does not."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if not self.running:
                raise AssertionError(f"{self.name} exited:\n{self.output[-3000:]}")
            answer = self.readiness()
            if answer is not None and answer[0] == 200:
                return time.monotonic() - started
            time.sleep(0.1)
        raise AssertionError(f"{self.name} not ready within {timeout} s:\n{self.output[-3000:]}")


def benchshare_env(database_url: str, data_dir: Path, **settings) -> dict:
    """The environment every rig process runs with: one database, one secret, cheap hashes,
    no SMTP unless given; `settings` added as strings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SMTP_", "DATABASE_", "PROMETHEUS_"))}
    env.update(DATABASE_URL=database_url, BENCHSHARE_DATA_DIR=str(data_dir),
               BENCHSHARE_ENV="development", SECRET_KEY="rig-" + "k" * 40,
               LOG_FORMAT="text", LOG_LEVEL="WARNING", ARGON2_TIME_COST="1",
               ARGON2_MEMORY_KIB="64")
    env.update({name: str(value) for name, value in settings.items()})
    return env


def run(args: list[str], env: dict, timeout: float = 120.0) -> str:
    """Run a benchshare command to its end; its output (raises on failure)."""
    done = subprocess.run([BENCHSHARE, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"benchshare {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout
