"""The README's first command, for real: `benchshare serve --demo` on an embedded PostgreSQL."""

from __future__ import annotations

import pytest

from .outage import free_port as _free_port
from .served import BENCHSHARE, Service, request_json

pytestmark = pytest.mark.e2e


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

    status, token = request_json(service.url + "/api/v1/auth/token", "POST",
                                 {"email": "admin@school.example", "password": "benchshare-demo"})
    assert status == 200
    admin = token["access_token"]
    status, page = request_json(service.url + "/api/v1/equipment?category=cnc&page_size=5",
                                token=admin)
    assert status == 200 and page["total"] >= 5 and len(page["items"]) == 5
    status, token = request_json(service.url + "/api/v1/auth/token", "POST",
                                 {"email": "operator@benchshare.example",
                                  "password": "benchshare-demo"})
    operator = token["access_token"]
    status, created = request_json(service.url + "/api/v1/equipment-categories", "POST",
                                   {"code": "lasers", "name": "Laser cutters"}, token=operator)
    assert status == 201

    status, student = request_json(service.url + "/api/v1/auth/token", "POST",
                                   {"email": "student1@school.example",
                                    "password": "benchshare-demo"})
    status, problem = request_json(service.url + "/api/v1/equipment", "POST", {
        "name": "Mine", "asset_tag": "X-1", "base_id": 1, "category_id": 1},
        token=student["access_token"])
    assert status == 403 and problem["code"] == "role_not_allowed"
    service.stop()
    assert "BenchShare is serving at" in service.output
    assert "admin@school.example" in service.output
    # The scheduler's lease is handed over while the embedded database still answers, so the
    # next start leads at once instead of waiting for the lease to run out.
    handed, stopped = (service.output.find(line) for line in (
        "scheduler lease scheduler: handed over by", "embedded PostgreSQL on"))
    assert -1 < handed < stopped, service.output[-2000:]

    service.start()
    status, category = request_json(
        service.url + f"/api/v1/equipment-categories/{created['id']}", token=admin)
    assert status == 200 and category["code"] == "lasers"
    service.stop()
