"""Bookings racing for the last hour of a category quota on separate connections with real
commits: exactly one gets it, the others are refused naming the category."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from service.accounts.services import issue_token, register_organisation, register_user
from service.catalogue.equipment import build_equipment
from service.db import db
from service.reservations.models import Reservation
from service.reservations.quotas import put_quota

from .races import app_on_own_database, open_base_and_category, race, slot

RACERS = 8


@pytest.fixture(scope="module")
def category_race(fresh_database):
    """A school whose students may book 4 hours a week of CNC, RACERS CNC machines, and a
    student who holds 3 of those hours already."""
    app = app_on_own_database(fresh_database("benchshare_category_quota_race"))
    with app.app_context():
        school = register_organisation(db.session, name="Category Race", kind="school")
        base, cnc = open_base_and_category(school, "cnc")
        items = [build_equipment(db.session, name=f"CNC {n}", asset_tag=f"CNC-RACE-{n}",
                                 base_id=base.id, category_id=cnc.id,
                                 owner_organisation_id=school.id, booking_horizon_days=365,
                                 max_duration_minutes=600).id for n in range(RACERS)]
        student = register_user(db.session, organisation=school, email="s@cnc.example",
                                full_name="Student", role="student", password="x" * 12)
        db.session.flush()
        put_quota(db.session, organisation_id=school.id, role="student", weekly_hours=4,
                  active_reservations=None, category_id=cnc.id)
        token = issue_token(db.session, user=student, ttl_minutes=60).access_token
        db.session.commit()
        student_id = student.id
    yield app, items, student_id, token
    with app.app_context():
        db.engine.dispose()


def test_bookings_racing_for_the_last_quota_hour_let_exactly_one_through(category_race):
    app, items, student_id, token = category_race
    headers = {"Authorization": f"Bearer {token}"}
    # Monday of a week well ahead, so all the hours fall in one ISO week.
    monday = slot(14, 6)
    monday -= timedelta(days=monday.weekday())
    first = app.test_client().post("/api/v1/reservations", headers=headers, json={
        "equipment_id": items[0], "starts_at": monday.isoformat(),
        "ends_at": (monday + timedelta(hours=3)).isoformat()})
    assert first.status_code == 201, first.get_json()
    start = monday + timedelta(hours=4)
    responses = race(app, [(headers, {"equipment_id": item, "starts_at": start.isoformat(),
                                      "ends_at": (start + timedelta(hours=1)).isoformat()})
                           for item in items])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (RACERS - 1), statuses
    refusals = [r.get_json() for r in responses if r.status_code == 409]
    assert {(p["code"], p["quota"], p["limit"], p["category"]["code"]) for p in refusals} == {
        ("quota_exceeded", "weekly_hours", 4, "cnc")}
    with app.app_context():
        held = db.session.scalar(select(func.count()).select_from(Reservation).where(
            Reservation.holder_id == student_id))
    assert held == 2
