"""A real `benchshare serve` in a process of its own, on a data directory and a port."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

from .outage import BENCHSHARE, call


def request_json(url, method="GET", body=None, token=None):
    """(status, JSON body or None) of one request."""
    status, _, payload = call(url, method, body, token)
    return status, payload


class Service:
    def __init__(self, data_dir, port):
        self.data_dir, self.port = data_dir, port
        self.url = f"http://127.0.0.1:{port}"
        self.process = None
        self.output = ""

    def start(self, *args: str, env: dict[str, str] | None = None) -> float:
        """Start serve with `args` (and `env` added to this process's environment)."""
        extra = env or {}
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(extra)
        env["BENCHSHARE_DATA_DIR"] = str(self.data_dir)
        started = time.monotonic()
        self.process = subprocess.Popen(
            [BENCHSHARE, "serve", "--port", str(self.port), "--workers", "2", *args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        while time.monotonic() - started < 60:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.process.stdout.read()}")
            try:
                if request_json(self.url + "/readyz")[0] == 200:
                    return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.2)
        raise AssertionError("not ready within 60 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.output += self.process.communicate(timeout=30)[0]
