"""/metrics: Prometheus text for the holder of METRICS_TOKEN, every family, read honestly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, insert

from service import create_app, scheduler
from service.db import db, utcnow
from service.scheduling.models import SchedulerLease

from ..conftest import TEST_CONFIG
from ..outbox import post_notices
from .bookings import body, post, tomorrow
from .metrics import FAMILIES, TOKEN, scrape, value
from .problems import assert_problem

ITEM_RULE = "/api/v1/equipment/<int:equipment_id>"


@pytest.fixture
def token(app, monkeypatch):
    """Metrics enabled, with the test's token."""
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return TOKEN


def test_metrics_do_not_exist_without_a_token_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    assert_problem(client.get("/metrics"), 404, "not_found")
    assert_problem(client.get("/metrics", headers={"Authorization": "Bearer anything"}), 404,
                   "not_found")


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}",
                                           "Bearer ", f"Bearer {TOKEN}x", "Bearer ümlaut"])
def test_metrics_without_the_right_bearer_token_are_401(client, token, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    problem = assert_problem(response, 401, "not_authenticated")
    assert "METRICS_TOKEN" in problem["detail"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"benchshare_" not in response.get_data()


def test_every_family_is_in_the_scrape_and_valid_prometheus_text(client, token):
    client.get("/readyz")
    families = scrape(client)
    missing = {name for name in FAMILIES if name not in families}
    assert not missing, f"families missing: {sorted(missing)}"
    assert {name: families[name].type for name in FAMILIES} == FAMILIES
    # The sources read at scrape time answered.
    assert value(families, "benchshare_metrics_source_up", source="notifications") == 1
    assert value(families, "benchshare_db_pool_size", database="primary") >= 1


def test_metrics_are_not_part_of_the_api_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert not [path for path in paths if "metrics" in path]


def test_requests_are_counted_by_url_rule_and_status_with_their_latency(client, world, item,
                                                                       token):
    before = scrape(client)
    headers = world.headers("student")
    assert client.get(f"/api/v1/equipment/{item.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/equipment/{item.id}", headers=headers).status_code == 200
    assert client.get("/api/v1/equipment/999999", headers=headers).status_code == 404
    assert client.get("/no/such/page").status_code == 404
    assert client.open("/readyz", method="BREW").status_code == 405
    after = scrape(client)

    def grew(sample, **labels):
        return value(after, sample, **labels) - value(before, sample, **labels)

    assert grew("benchshare_http_requests_total", route=ITEM_RULE, method="GET",
                status=200) == 2
    assert grew("benchshare_http_requests_total", route=ITEM_RULE, method="GET",
                status=404) == 1
    assert grew("benchshare_http_requests_total", route="unmatched", method="GET",
                status=404) == 1
    # A made-up method is one label value, however many a client invents (a 405 matched no
    # rule for its method).
    assert grew("benchshare_http_requests_total", route="unmatched", method="other",
                status=405) == 1
    assert grew("benchshare_http_request_duration_seconds_count", route=ITEM_RULE,
                method="GET") == 3
    assert not [s for s in after["benchshare_http_requests"].samples
                if str(item.id) in s.labels["route"]], "a path, not its rule, became a label"


def test_a_booking_is_counted_once_committed_and_a_refusal_by_its_code(client, world, item,
                                                                      token):
    before = scrape(client)
    assert post(client, world, "student", body(item)).status_code == 201
    taken = post(client, world, "instructor", body(item, start=tomorrow(10, 30)))
    assert_problem(taken, 409, "reservation_conflict")
    off_grid = post(client, world, "student", body(item, start=tomorrow(14, 10)))
    assert_problem(off_grid, 422, "not_on_slot_grid")
    after = scrape(client)

    def grew(sample, **labels):
        return value(after, sample, **labels) - value(before, sample, **labels)

    assert grew("benchshare_bookings_total", kind="confirmed") == 1
    assert grew("benchshare_refusals_total", code="reservation_conflict",
                route="/api/v1/reservations") == 1
    assert grew("benchshare_refusals_total", code="not_on_slot_grid",
                route="/api/v1/reservations") == 1


def test_a_previewed_series_books_nothing_in_the_metrics(client, world, item, token):
    before = scrape(client)
    start = tomorrow(10)
    preview = client.post("/api/v1/series/preview", headers=world.headers("instructor"),
                          json={"equipment_id": item.id, "weekdays": [start.isoweekday()],
                                "start_time": "10:00", "duration_minutes": 60,
                                "starts_on": start.date().isoformat(), "count": 2})
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert preview.get_json()["bookable"] == 2
    after = scrape(client)
    assert value(after, "benchshare_bookings_total", kind="confirmed") == value(
        before, "benchshare_bookings_total", kind="confirmed")


@pytest.mark.parametrize("skip_conflicts, booked", [(False, 0), (True, 2)])
def test_a_series_counts_the_sessions_it_committed(client, world, item, token, skip_conflicts,
                                                   booked):
    start = tomorrow(10)
    series = {"equipment_id": item.id, "weekdays": [start.isoweekday()], "start_time": "10:00",
              "duration_minutes": 60, "starts_on": start.date().isoformat(), "count": 3,
              "skip_conflicts": skip_conflicts}
    assert post(client, world, "student", body(item, start=start)).status_code == 201
    before = scrape(client)
    response = client.post("/api/v1/series", headers=world.headers("instructor"), json=series)
    assert response.status_code == (201 if skip_conflicts else 409), response.get_json()
    refused = value(scrape(client), "benchshare_refusals_total", code="series_conflict",
                    route="/api/v1/series") - value(before, "benchshare_refusals_total",
                                                    code="series_conflict", route="/api/v1/series")
    assert refused == (0 if skip_conflicts else 1)
    assert value(scrape(client), "benchshare_bookings_total", kind="confirmed") - value(
        before, "benchshare_bookings_total", kind="confirmed") == booked


def test_the_outbox_is_read_at_scrape_time(client, make, session, token):
    user = make.user("student", make.organisation("school"))
    post_notices(session, [user.id], 3, created_at=utcnow() - timedelta(minutes=10))
    post_notices(session, [user.id], 2, delivery="failed")
    session.commit()
    families = scrape(client)
    assert value(families, "benchshare_notifications", state="pending") == 3
    assert 600 <= value(families, "benchshare_notifications_oldest_age_seconds",
                        state="pending") < 660


def test_notices_in_sending_and_failed_are_read_at_scrape_time(client, make, session, token):
    """Needs the outbox's backlog with sending/failed (branch `outbox`)."""
    user = make.user("student", make.organisation("school"))
    now = utcnow()
    post_notices(session, [user.id], 2, delivery="sending", claimed_by="a-claim", attempts=1,
                 lease_expires_at=now + timedelta(minutes=2))
    post_notices(session, [user.id], 1, delivery="sending", claimed_by="a-dead-claim",
                 attempts=1, lease_expires_at=now - timedelta(minutes=1))
    post_notices(session, [user.id], 4, delivery="failed", attempts=3)
    session.commit()
    families = scrape(client)
    assert value(families, "benchshare_notifications", state="sending") == 3
    assert value(families, "benchshare_notifications", state="failed") == 4
    assert value(families, "benchshare_notifications_expired_leases") == 1
    assert value(families, "benchshare_notifications_oldest_age_seconds", state="sending") > 0


def test_the_scheduler_leader_is_named_and_this_process_does_not_lead(client, session, token):
    """Needs service.scheduling.leadership.current_leader (branch `leader`)."""
    now = utcnow()
    session.execute(insert(SchedulerLease), [{
        "name": "scheduler", "holder": "elsewhere:4242:abc", "acquired_at": now,
        "renewed_at": now, "expires_at": now + timedelta(seconds=15)}])
    session.commit()
    families = scrape(client)
    assert value(families, "benchshare_scheduler_leader", holder="elsewhere:4242:abc") == 1
    assert value(families, "benchshare_scheduler_leader_since_timestamp_seconds",
                 holder="elsewhere:4242:abc") == pytest.approx(now.timestamp(), abs=1)
    assert value(families, "benchshare_scheduler_is_leader") == 0
    assert value(families, "benchshare_metrics_source_up", source="leader") == 1


def test_job_runs_durations_and_failures_are_counted(app, token):
    def fails(session):
        raise RuntimeError("the job's own failure")

    with app.test_client() as client:
        before = scrape(client)
        assert scheduler.run_job(app, "metrics_probe", lambda s: 1) == 1
        assert scheduler.run_job(app, "metrics_probe", fails) is None
        after = scrape(client)

    def grew(sample, **labels):
        return value(after, sample, **labels) - value(before, sample, **labels)

    assert grew("benchshare_job_runs_total", job="metrics_probe") == 2
    assert grew("benchshare_job_failures_total", job="metrics_probe") == 1
    assert grew("benchshare_job_duration_seconds_count", job="metrics_probe") == 2


def test_a_scrape_answers_while_the_database_is_down_and_says_what_it_could_not_read():
    # Nothing listens on port 1: every connection is refused at once.
    down = create_app({**TEST_CONFIG, "METRICS_TOKEN": TOKEN,
                       "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://x@127.0.0.1:1/x"})
    families = scrape(down.test_client())
    assert value(families, "benchshare_metrics_source_up", source="notifications") == 0
    assert not families["benchshare_notifications"].samples
    assert families["benchshare_http_requests"].samples, "what the process recorded is there"


def test_a_scrape_waits_for_a_database_that_does_not_answer_once_not_once_per_source():
    # Each wait is a connect timeout (5 s) when the server is frozen: three would outlast
    # Prometheus' 10 s scrape timeout, and the whole scrape would be lost.
    down = create_app({**TEST_CONFIG, "METRICS_TOKEN": TOKEN,
                       "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://x@127.0.0.1:1/x"})
    tries = []
    with down.app_context():
        event.listen(db.engine, "do_connect", lambda *args: tries.append(1))
    families = scrape(down.test_client())
    assert len(tries) == 1
    assert value(families, "benchshare_metrics_source_up", source="notifications") == 0
    assert value(families, "benchshare_metrics_source_up", source="leader") == 0
    assert not families["benchshare_scheduler_leader"].samples


def test_another_leader_with_this_hostname_and_pid_is_not_said_to_lead_here(client, session,
                                                                           token):
    # Two containers given the same hostname both run serve as PID 1: the lease tells them
    # apart by its random part, and so must the metric.
    import os
    import socket

    namesake = f"{socket.gethostname()}:{os.getpid()}:0ther5"
    now = utcnow()
    session.execute(insert(SchedulerLease), [{
        "name": "scheduler", "holder": namesake, "acquired_at": now, "renewed_at": now,
        "expires_at": now + timedelta(seconds=15)}])
    session.commit()
    families = scrape(client)
    assert value(families, "benchshare_scheduler_leader", holder=namesake) == 1
    assert value(families, "benchshare_scheduler_is_leader") == 0


@pytest.mark.parametrize("accept", ["application/openmetrics-text;version=abc",
                                    "application/openmetrics-text; version=1.x",
                                    "text/plain; version=v1"])
def test_an_accept_header_with_a_version_that_is_no_number_gets_the_text_format(client, token,
                                                                               accept):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}",
                                                "Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert b"# TYPE benchshare_metrics_source_up gauge" in response.get_data()
