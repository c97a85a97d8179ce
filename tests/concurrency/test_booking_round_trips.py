"""What a booking costs in round trips to PostgreSQL, counted on the wire (libpq's trace of
the request's connection): an enterprise's item, booked under an approved offer, costs one
more than a school's own item, the count of the offer's budget after its lock."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta

import pytest
from sqlalchemy import event

from service.accounts.services import issue_token, register_organisation, register_user
from service.catalogue.equipment import build_equipment
from service.db import db

from ..factories import Factory
from .races import app_on_own_database, open_base_and_category, slot

# A school's item: the signed-in user, BEGIN, the item with its calendar facts, the insert
# (with its event and notice), COMMIT.
SCHOOL_ITEM = 5
# An enterprise's item: the offer's terms are read and locked with the item; its budget is
# counted by a statement of its own, after the lock (a statement sees what committed before
# it began: counted in the locking statement, a booking it waited for would be missed).
ENTERPRISE_ITEM = SCHOOL_ITEM + 1


@pytest.fixture(scope="module")
def live(fresh_database):
    """An app on its own database where requests commit for real: a school's item and an
    enterprise's item in an approved offer to the school, and a student of it signed in."""
    app = app_on_own_database(fresh_database("benchshare_round_trips"))
    with app.app_context():
        school = register_organisation(db.session, name="Trips School", kind="school")
        enterprise = register_organisation(db.session, name="Trips Works", kind="enterprise")
        staff = register_user(db.session, organisation=enterprise, role="enterprise_staff",
                              email="staff@trips.example", full_name="Staff",
                              password="x" * 12)
        own_base, category = open_base_and_category(school, "trips")
        works_base, _ = open_base_and_category(enterprise, "works")
        own = build_equipment(db.session, name="School lathe", asset_tag="TRIP-1",
                              base_id=own_base.id, category_id=category.id,
                              owner_organisation_id=school.id, booking_horizon_days=365)
        offered = build_equipment(db.session, name="Idle lathe", asset_tag="TRIP-2",
                                  base_id=works_base.id, category_id=category.id,
                                  owner_organisation_id=enterprise.id,
                                  booking_horizon_days=365)
        Factory(db.session).offer(enterprise, school, [offered], created_by=staff)
        student = register_user(db.session, organisation=school, role="student",
                                email="student@trips.example", full_name="Student",
                                password="x" * 12)
        token = issue_token(db.session, user=student, ttl_minutes=60).access_token
        db.session.commit()
        ids = {"own": own.id, "offered": offered.id}
    yield app, ids, {"Authorization": f"Bearer {token}"}
    with app.app_context():
        db.engine.dispose()


def _round_trips_of(app, client, path: str, **kwargs):
    """The answer to one POST and the round trips its connections made: each message that
    ends a request to the server (an extended query's Sync, a simple Query) in libpq's trace."""
    with app.app_context():
        engine = db.engine
    trace = tempfile.TemporaryFile(mode="w+")
    traced = []

    def start(dbapi_connection, record, proxy):
        pgconn = getattr(dbapi_connection, "driver_connection", dbapi_connection).pgconn
        pgconn.trace(trace.fileno())
        traced.append(pgconn)

    event.listen(engine, "checkout", start)
    try:
        answer = client.post(path, **kwargs)
    finally:
        event.remove(engine, "checkout", start)
        for pgconn in traced:
            pgconn.untrace()
    os.fsync(trace.fileno())
    trace.seek(0)
    sent = [line.split("\t") for line in trace.read().splitlines()]
    trace.close()
    return answer, [fields for fields in sent
                    if "F" in fields and ("Sync" in fields or "Query" in fields)]


def _book(app, student, item: int, day: int):
    start = slot(day, 10)
    return _round_trips_of(app, app.test_client(), "/api/v1/reservations", headers=student,
                           json={"equipment_id": item, "starts_at": start.isoformat(),
                                 "ends_at": (start + timedelta(hours=1)).isoformat()})


def test_booking_a_school_item_costs_five_round_trips(live):
    app, ids, student = live
    answer, trips = _book(app, student, ids["own"], 5)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["offer_id"] is None
    assert len(trips) == SCHOOL_ITEM, trips


def test_booking_an_enterprise_item_costs_one_round_trip_more(live):
    app, ids, student = live
    answer, trips = _book(app, student, ids["offered"], 6)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["offer_id"] is not None
    assert answer.get_json()["status"] == "confirmed"
    assert len(trips) == ENTERPRISE_ITEM, trips
