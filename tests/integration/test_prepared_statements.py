"""The hot statements stay prepared on their pooled connection from one request to the next,
and reads run in autocommit (no BEGIN and COMMIT round trips).

psycopg prepares a statement once it has run it five times on a connection, and forgets every
prepared statement when that connection runs ROLLBACK. Requests that end in a rollback (every
read used to) therefore planned their statements afresh each time. Here a real pool serves
the requests one after another on one connection, and the server's own view,
pg_prepared_statements, says what stayed prepared.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import jsonify
from sqlalchemy import text

from service import create_app, schema
from service.db import db

from ..conftest import MIGRATIONS_DIR, TEST_CONFIG
from ..factories import Factory

SHANGHAI = ZoneInfo("Asia/Shanghai")
RUNS = 8  # past psycopg's prepare_threshold (5)


@pytest.fixture(scope="module")
def served(fresh_database):
    url = fresh_database("benchshare_prepared")
    schema.upgrade(MIGRATIONS_DIR, url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}})

    @app.get("/test/prepared")
    def prepared():
        return jsonify([row.statement for row in db.session.execute(
            text("SELECT statement FROM pg_prepared_statements"))])

    @app.get("/test/plans")
    def plans():
        return jsonify([[row.statement, row.generic_plans, row.custom_plans]
                        for row in db.session.execute(text(
                            "SELECT statement, generic_plans, custom_plans"
                            " FROM pg_prepared_statements"))])

    @app.route("/test/own-transaction", methods=["GET", "POST"])
    def own_transaction():
        # Inside a transaction now() stays at its start; in autocommit each statement starts
        # its own, so a statement after a pause still sees now() = its own start.
        db.session.execute(text("SELECT pg_sleep(0.02)"))
        return jsonify(db.session.scalar(text("SELECT now() = statement_timestamp()")))

    with app.app_context():
        make = Factory(db.session)
        world = make.world()
        base = make.open_base(world.school)
        item = make.equipment(base, world.category, world.school, setup_buffer_minutes=15,
                              booking_horizon_days=30)
        db.session.commit()
        student = {"Authorization": f"Bearer {world.tokens['student']}"}
        item_id = item.id
    yield app.test_client(), student, item_id
    with app.app_context():
        db.engine.dispose()


def _prepared(client, headers) -> list[str]:
    response = client.get("/test/prepared", headers=headers)
    assert response.status_code == 200
    return response.get_json()


def test_reads_keep_their_prepared_statements(served):
    client, student, item_id = served
    start = (datetime.now(SHANGHAI) + timedelta(days=2)).replace(hour=0, minute=0, second=0,
                                                                 microsecond=0)
    week = {"from": start.isoformat(), "to": (start + timedelta(days=7)).isoformat()}
    for _ in range(RUNS):
        assert client.get("/api/v1/me", headers=student).status_code == 200
        assert client.get(f"/api/v1/equipment/{item_id}/availability", query_string=week,
                          headers=student).status_code == 200
    statements = _prepared(client, student)
    assert any("access_tokens" in s for s in statements), statements  # who is signed in
    assert any("closures" in s for s in statements), statements  # what is busy and closed


def test_a_refused_booking_keeps_them_too(served):
    client, student, item_id = served
    start = (datetime.now(SHANGHAI) + timedelta(days=3)).replace(hour=10, minute=0, second=0,
                                                                 microsecond=0)
    booking = {"equipment_id": item_id, "starts_at": start.isoformat(),
               "ends_at": (start + timedelta(hours=1)).isoformat()}
    assert client.post("/api/v1/reservations", json=booking, headers=student).status_code == 201
    for _ in range(RUNS):
        refused = client.post("/api/v1/reservations", json=booking, headers=student)
        assert refused.status_code == 409, refused.get_json()
        assert refused.get_json()["code"] == "reservation_conflict"
    statements = _prepared(client, student)
    assert any("access_tokens" in s for s in statements), statements
    # The refused insert, which also names the booking in the way, stayed prepared as well.
    assert any("INSERT INTO reservations" in s and "owner_organisation_id" in s
               for s in statements), statements


def test_reads_run_in_autocommit_and_writes_in_one_transaction(served):
    client, student, _ = served
    assert client.get("/test/own-transaction", headers=student).get_json() is True
    assert client.post("/test/own-transaction", headers=student).get_json() is False


def test_the_busy_spans_of_an_item_are_read_with_the_cached_plan(served):
    """PostgreSQL plans a prepared statement's first five runs for their parameters, then
    keeps one generic plan if it costs no more. The availability read qualifies only when its
    generic plan can use the exclusion constraint's partial index: with the statuses sent as
    parameters it could not, and the statement was planned afresh on every request."""
    client, student, item_id = served
    with client.application.app_context():
        # An item with a history: 2,000 past bookings, two hours apart, and fresh statistics,
        # so a plan that reads all of them costs what it would in production.
        db.session.execute(text(
            "INSERT INTO reservations (equipment_id, holder_id, created_by_id, status,"
            " starts_at, ends_at, blocked_until, purpose, version)"
            " SELECT :item, u.id, u.id, 'completed', at, at + interval '1 hour',"
            " at + interval '1 hour', '', 1"
            " FROM generate_series(1, 2000) AS n,"
            " LATERAL (SELECT now() - n * interval '2 hours' AS at) AS slot,"
            " (SELECT min(id) AS id FROM users) AS u"), {"item": item_id})
        db.session.execute(text("ANALYZE reservations"))
        db.session.commit()
    start = (datetime.now(SHANGHAI) + timedelta(days=4)).replace(hour=0, minute=0, second=0,
                                                                 microsecond=0)
    week = {"from": start.isoformat(), "to": (start + timedelta(days=7)).isoformat()}
    for _ in range(RUNS + 4):
        assert client.get(f"/api/v1/equipment/{item_id}/availability", query_string=week,
                          headers=student).status_code == 200
    response = client.get("/test/plans", headers=student)
    [(generic, custom)] = [(g, c) for statement, g, c in response.get_json()
                           if "closures" in statement]
    # psycopg prepares it on its sixth run; PostgreSQL then plans five runs, keeps the rest.
    assert custom <= 5 and generic >= 2, (generic, custom)
