"""/metrics under a real `benchshare serve` with two gunicorn workers: one instance's figures."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from ..api.metrics import TOKEN, parse, value
from .outage import free_port
from .served import BENCHSHARE, Service, request_json

pytestmark = pytest.mark.e2e

CLIENTS, REQUESTS_EACH = 4, 15


@pytest.fixture
def service(tmp_path, fresh_database):
    service = Service(tmp_path / "data", free_port())
    service.start(env={"DATABASE_URL": fresh_database("benchshare_metrics"),
                       "METRICS_TOKEN": TOKEN, "SCHEDULER_ENABLED": "false",
                       "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")})
    yield service
    if service.process.poll() is None:
        service.stop()


def scrape(url: str) -> str:
    request = urllib.request.Request(url + "/metrics",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return response.read().decode()


def test_requests_answered_by_both_workers_are_counted_together(service, tmp_path):
    before = value(parse(scrape(service.url)), "benchshare_http_requests_total",
                   route="/readyz", method="GET", status=200)

    def client():
        for _ in range(REQUESTS_EACH):
            assert request_json(service.url + "/readyz")[0] == 200

    # Clients at once, each request on a new connection: both sync workers take some.
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    workers = {path.name.removeprefix("counter_").removesuffix(".db")
               for path in (tmp_path / "metrics").glob("counter_*.db")}
    assert len(workers) == 2, f"requests reached the workers {workers}"

    # Whichever worker answers the scrape, it tells the instance's count, not its own.
    for _ in range(3):
        families = parse(scrape(service.url))
        assert value(families, "benchshare_http_requests_total", route="/readyz",
                     method="GET", status=200) - before == CLIENTS * REQUESTS_EACH
        assert value(families, "benchshare_db_pool_size", database="primary") >= 2
        assert value(families, "benchshare_metrics_source_up", source="notifications") == 1


def test_a_scheduler_process_answers_its_job_runs_on_its_metrics_port(fresh_database, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SMTP_")},
           "DATABASE_URL": fresh_database("benchshare_metrics_jobs"),
           "BENCHSHARE_DATA_DIR": str(tmp_path), "JOB_INTERVAL_SECONDS": "1",
           "NOTIFICATION_INTERVAL_SECONDS": "1",
           "METRICS_TOKEN": TOKEN, "SCHEDULER_METRICS_PORT": str(port)}
    subprocess.run([BENCHSHARE, "db", "upgrade"], env=env, check=True, capture_output=True,
                   timeout=60)
    process = subprocess.Popen([BENCHSHARE, "scheduler"], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, runs = time.monotonic() + 30, 0.0
        while runs < 2 and time.monotonic() < deadline:
            assert process.poll() is None, f"scheduler exited: {process.stdout.read()}"
            try:
                runs = value(parse(scrape(url)), "benchshare_job_runs_total",
                             job="deliver_notifications")
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.3)
        assert runs >= 2, "the scheduler's job runs were never scraped"
        assert request_json(url + "/metrics")[0] == 401
        assert request_json(url + "/api/v1/equipment")[0] == 404, "only /metrics is served"
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
