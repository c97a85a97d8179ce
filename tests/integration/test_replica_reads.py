"""Report reads on a real streaming replica: fresh enough, they come from it and say so; lagging
past the bound or down, the primary answers; bookings never touch it."""

from __future__ import annotations

import tempfile
import time
from datetime import date, datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, make_url

from service import create_app, replica, schema
from service.db import db

from ..api.bookings import body, tomorrow
from ..conftest import MIGRATIONS_DIR, TEST_CONFIG
from ..factories import Factory
from ..replica import free_port, start_replica

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEATMAP = "/api/v1/reports/heatmap"
UTILISATION = "/api/v1/reports/utilisation"
WEEK = {"from": "2025-03-03", "to": "2025-03-10"}  # Mon..Sun
BOUND_SECONDS = 1


def _at(day: int, hour: int) -> datetime:
    return datetime.combine(date(2025, 3, day), clock(hour), SHANGHAI)


@pytest.fixture(scope="module")
def live(fresh_database):
    """A migrated database with committed data, a streaming replica of it, the app reading
    from both (bound: one second), and the same app without a replica (the primary's truth)."""
    url = fresh_database("benchshare_replica")
    schema.upgrade(MIGRATIONS_DIR, url)
    standby = start_replica(url, tempfile.mkdtemp(prefix="benchshare-test-replica-"),
                            free_port())
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                      "DATABASE_REPLICA_URL": standby.url,
                      "REPLICA_MAX_STALENESS_SECONDS": BOUND_SECONDS})
    primary_only = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        make = Factory(db.session)
        world = make.world()
        make.reservation(world.equipment, world.users["student"], _at(3, 9), _at(3, 11))
        db.session.commit()
    yield app, primary_only, standby, world, url
    for each in (app, primary_only):
        with each.app_context():
            db.engine.dispose()
            if (engine := replica.replica_engine()) is not None:
                engine.dispose()
    standby.destroy()


@pytest.fixture(autouse=True)
def quick_measurements(monkeypatch):
    """Measured four times a second, an unreachable replica tried again after half a second:
    the same rules, less waiting."""
    monkeypatch.setattr(replica, "MEASURE_EVERY_SECONDS", 0.25)
    monkeypatch.setattr(replica, "RETRY_DOWN_SECONDS", 0.5)


def _caught_up(app, standby, url) -> None:
    """The replica replayed everything, and this process has measured it since."""
    standby.wait_until_caught_up(url)
    time.sleep(replica.MEASURE_EVERY_SECONDS + 0.1)
    deadline = time.monotonic() + replica.RETRY_DOWN_SECONDS + 5
    with app.app_context():
        while replica.staleness_seconds() != 0.0 and time.monotonic() < deadline:
            time.sleep(0.1)


def _book(app, world, day: int) -> None:
    with app.app_context():
        Factory(db.session).reservation(world.equipment, world.users["student"],
                                        _at(day, 9), _at(day, 10))
        db.session.commit()


def _checkouts(app) -> list:
    """Every connection the app takes from its replica engine from now on."""
    taken = []
    with app.app_context():
        event.listen(replica.replica_engine().pool, "checkout", lambda *a: taken.append(a))
    return taken


def test_a_report_from_a_caught_up_replica_says_so_and_matches_the_primary(live):
    app, primary_only, standby, world, url = live
    _book(app, world, 4)
    _caught_up(app, standby, url)
    taken = _checkouts(app)
    response = app.test_client().get(HEATMAP, query_string=WEEK,
                                     headers=world.headers("admin"))
    truth = primary_only.test_client().get(HEATMAP, query_string=WEEK,
                                           headers=world.headers("admin"))
    assert response.status_code == 200, response.get_json()
    assert response.headers["BenchShare-Read-From"] == "replica"
    assert response.headers["BenchShare-Staleness-Seconds"] == "0.000"
    assert taken, "the replica's engine was not used"
    assert response.get_json() == truth.get_json()
    booked = {(c["weekday"], c["hour"]): c["booked_hours"] for c in response.get_json()["cells"]}
    assert booked[(2, 9)] == 1.0  # the booking just committed on the primary, Tuesday 09:00
    assert truth.headers["BenchShare-Read-From"] == "primary"
    assert truth.headers["BenchShare-Staleness-Seconds"] == "0.000"
    with app.app_context():
        assert replica.staleness_seconds() == 0.0


def test_with_replay_paused_past_the_bound_the_primary_answers_with_the_new_booking(live):
    app, primary_only, standby, world, url = live
    _caught_up(app, standby, url)
    client = app.test_client()
    before = client.get(HEATMAP, query_string=WEEK, headers=world.headers("admin"))
    assert before.headers["BenchShare-Read-From"] == "replica"
    standby.pause_replay()
    try:
        _book(app, world, 5)
        time.sleep(BOUND_SECONDS + replica.MEASURE_EVERY_SECONDS + 0.2)
        response = client.get(HEATMAP, query_string=WEEK, headers=world.headers("admin"))
        truth = primary_only.test_client().get(HEATMAP, query_string=WEEK,
                                               headers=world.headers("admin"))
        with app.app_context():
            lag = replica.staleness_seconds()
    finally:
        standby.resume_replay()
    assert response.status_code == 200, response.get_json()
    assert response.headers["BenchShare-Read-From"] == "primary"
    assert response.headers["BenchShare-Staleness-Seconds"] == "0.000"
    assert response.get_json() == truth.get_json()
    assert response.get_json()["booked_hours"] == before.get_json()["booked_hours"] + 1
    assert lag is not None and lag > BOUND_SECONDS


def test_a_replica_that_is_stopped_leaves_the_primary_to_answer(live):
    app, primary_only, standby, world, url = live
    _caught_up(app, standby, url)
    client = app.test_client()
    # The last measurement still says fresh: the read itself finds the replica gone.
    assert client.get(HEATMAP, query_string=WEEK, headers=world.headers("admin")
                      ).headers["BenchShare-Read-From"] == "replica"
    standby.stop()
    try:
        response = client.get(HEATMAP, query_string=WEEK, headers=world.headers("admin"))
        time.sleep(replica.RETRY_DOWN_SECONDS + 0.1)  # measured again: unreachable
        measured = client.get(UTILISATION, query_string=WEEK, headers=world.headers("admin"))
        with app.app_context():
            lag = replica.staleness_seconds()
    finally:
        standby.start()
    truth = primary_only.test_client().get(HEATMAP, query_string=WEEK,
                                           headers=world.headers("admin"))
    assert response.status_code == 200, response.get_json()
    assert response.headers["BenchShare-Read-From"] == "primary"
    assert response.get_json() == truth.get_json()
    assert measured.status_code == 200, measured.get_json()
    assert measured.headers["BenchShare-Read-From"] == "primary"
    assert lag is None


def test_booking_and_reading_ones_bookings_never_touch_the_replica(live):
    app, primary_only, standby, world, url = live
    _caught_up(app, standby, url)
    client = app.test_client()
    assert client.get(HEATMAP, query_string=WEEK, headers=world.headers("admin")
                      ).headers["BenchShare-Read-From"] == "replica"
    taken = _checkouts(app)
    with app.app_context():
        item = Factory(db.session).equipment(
            Factory(db.session).open_base(world.school), world.category, world.school,
            booking_horizon_days=30)
        db.session.commit()
    payload = body(item, tomorrow(10))
    booked = client.post("/api/v1/reservations", json=payload, headers=world.headers("student"))
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json()["status"] == "confirmed"
    again = client.post("/api/v1/reservations", json=payload, headers=world.headers("student"))
    assert again.status_code == 409, again.get_json()
    mine = client.get("/api/v1/reservations", headers=world.headers("student"))
    assert mine.status_code == 200, mine.get_json()
    assert "BenchShare-Read-From" not in booked.headers
    assert taken == []


def test_a_forked_worker_reads_the_replica_through_an_engine_of_its_own(live, monkeypatch):
    app, primary_only, standby, world, url = live
    _caught_up(app, standby, url)
    with app.app_context():
        parent = replica.replica_engine()
        monkeypatch.setattr(replica.os, "getpid", lambda: -1)  # as gunicorn's worker sees it
        child = replica.replica_engine()
    response = app.test_client().get(HEATMAP, query_string=WEEK,
                                     headers=world.headers("admin"))
    child.dispose()
    monkeypatch.undo()
    assert child is not parent
    assert response.status_code == 200, response.get_json()
    assert response.headers["BenchShare-Read-From"] == "replica"


def test_a_replica_url_naming_another_database_is_not_read(live, database_url):
    # DATABASE_REPLICA_URL names another database of the replicated cluster (a staging one,
    # migrated too): replayed as far as the primary, it would pass for fresh and the reports
    # would show another platform's figures, saying "replica".
    app, primary_only, standby, world, url = live
    elsewhere = make_url(standby.url).set(database=make_url(database_url).database)
    wrong = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                        "DATABASE_REPLICA_URL": elsewhere.render_as_string(hide_password=False),
                        "REPLICA_MAX_STALENESS_SECONDS": BOUND_SECONDS})
    _caught_up(app, standby, url)
    try:
        response = wrong.test_client().get(HEATMAP, query_string=WEEK,
                                           headers=world.headers("admin"))
        truth = primary_only.test_client().get(HEATMAP, query_string=WEEK,
                                               headers=world.headers("admin"))
        with wrong.app_context():
            lag = replica.staleness_seconds()
    finally:
        with wrong.app_context():
            db.engine.dispose()
            replica.replica_engine().dispose()
    assert response.status_code == 200, response.get_json()
    assert response.headers["BenchShare-Read-From"] == "primary"
    assert response.get_json() == truth.get_json()
    assert lag is None
