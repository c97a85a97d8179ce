"""The README's first command, for real: `benchshare serve --demo` on an embedded PostgreSQL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .outage import call
from .outage import free_port as _free_port

# The console script installed beside this interpreter (the venv's), else the one on PATH.
_beside = Path(sys.executable).with_name("benchshare")
BENCHSHARE = str(_beside) if _beside.exists() else shutil.which("benchshare")


def _request(url, method="GET", body=None, token=None):
    """(status, JSON body or None) of one request."""
    status, _, payload = call(url, method, body, token)
    return status, payload


class Service:
    def __init__(self, data_dir, port):
        self.data_dir, self.port = data_dir, port
        self.url = f"http://127.0.0.1:{port}"
        self.process = None
        self.output = ""

    def start(self, *args: str) -> float:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["BENCHSHARE_DATA_DIR"] = str(self.data_dir)
        started = time.monotonic()
        self.process = subprocess.Popen(
            [BENCHSHARE, "serve", "--port", str(self.port), "--workers", "2", *args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        while time.monotonic() - started < 60:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.process.stdout.read()}")
            try:
                if _request(self.url + "/readyz")[0] == 200:
                    return time.monotonic() - started
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.2)
        raise AssertionError("not ready within 60 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.output += self.process.communicate(timeout=30)[0]


@pytest.fixture
def service(tmp_path):
    service = Service(tmp_path / "data", _free_port())
    yield service
    if service.process and service.process.poll() is None:
        service.process.kill()
        service.process.wait()


def test_demo_service_starts_serves_and_keeps_data_across_restarts(service):
    assert BENCHSHARE, "install the package (pip install -e .) to get the benchshare command"
    ready_after = service.start("--demo")
    assert ready_after < 30

    status, token = _request(service.url + "/api/v1/auth/token", "POST",
                             {"email": "admin@school.example", "password": "benchshare-demo"})
    assert status == 200
    admin = token["access_token"]
    status, page = _request(service.url + "/api/v1/equipment?category=cnc&page_size=5",
                            token=admin)
    assert status == 200 and page["total"] >= 5 and len(page["items"]) == 5
    status, token = _request(service.url + "/api/v1/auth/token", "POST",
                             {"email": "operator@benchshare.example",
                              "password": "benchshare-demo"})
    operator = token["access_token"]
    status, created = _request(service.url + "/api/v1/equipment-categories", "POST",
                               {"code": "lasers", "name": "Laser cutters"}, token=operator)
    assert status == 201

    status, student = _request(service.url + "/api/v1/auth/token", "POST",
                               {"email": "student1@school.example",
                                "password": "benchshare-demo"})
    status, problem = _request(service.url + "/api/v1/equipment", "POST", {
        "name": "Mine", "asset_tag": "X-1", "base_id": 1, "category_id": 1},
        token=student["access_token"])
    assert status == 403 and problem["code"] == "role_not_allowed"
    service.stop()
    assert "BenchShare is serving at" in service.output
    assert "admin@school.example" in service.output

    service.start()
    status, category = _request(
        service.url + f"/api/v1/equipment-categories/{created['id']}", token=admin)
    assert status == 200 and category["code"] == "lasers"
    service.stop()
