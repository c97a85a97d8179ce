"""Bookings racing for the last hours of an offer's weekly budget, on separate connections with
real commits: together they never exceed it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.accounts.models import User
from service.accounts.services import issue_token, register_organisation, register_user
from service.catalogue.equipment import build_equipment
from service.db import db
from service.errors import DomainError
from service.reservations.booking import book
from service.reservations.models import Reservation

from ..factories import Factory
from .races import CLIENTS, app_on_own_database, open_base_and_category, race, slot

BUDGET = 5


@pytest.fixture(scope="module")
def budget_race(fresh_database):
    """An enterprise's CLIENTS items, all in one approved offer to a school with a budget of
    BUDGET hours a week; CLIENTS students with a token each."""
    app = app_on_own_database(fresh_database("benchshare_budget_race"))
    with app.app_context():
        school = register_organisation(db.session, name="Budget School", kind="school")
        enterprise = register_organisation(db.session, name="Budget Works", kind="enterprise")
        staff = register_user(db.session, organisation=enterprise, role="enterprise_staff",
                              email="staff@budget.example", full_name="Staff",
                              password="x" * 12)
        base, category = open_base_and_category(enterprise, "budget")
        items = [build_equipment(db.session, name=f"Idle bench {n}", asset_tag=f"BUD-{n}",
                                 base_id=base.id, category_id=category.id,
                                 owner_organisation_id=enterprise.id, booking_horizon_days=365)
                 for n in range(CLIENTS)]
        offer = Factory(db.session).offer(enterprise, school, items, created_by=staff,
                                          weekly_hours_budget=BUDGET)
        students = [register_user(db.session, organisation=school, role="student",
                                  email=f"s{n}@budget.example", full_name=f"Student {n}",
                                  password="x" * 12) for n in range(CLIENTS)]
        tokens = [issue_token(db.session, user=s, ttl_minutes=60).access_token for s in students]
        db.session.commit()
        ids = ([i.id for i in items], [s.id for s in students], offer.id)
    yield app, ids, tokens
    with app.app_context():
        db.engine.dispose()


def _booked_hours(app, offer_id) -> float:
    with app.app_context():
        seconds = db.session.scalar(select(func.sum(func.extract(
            "epoch", Reservation.ends_at - Reservation.starts_at))).where(
            Reservation.offer_id == offer_id, Reservation.status == "confirmed"))
        return float(seconds or 0) / 3600


def test_twenty_clients_on_twenty_items_of_one_offer_book_exactly_the_budget(budget_race):
    app, (items, _, offer_id), tokens = budget_race
    start = slot(14, 10)  # one ISO week: one budget
    requests = [({"Authorization": f"Bearer {token}"},
                 {"equipment_id": item, "starts_at": start.isoformat(),
                  "ends_at": (start + timedelta(hours=1)).isoformat()})
                for item, token in zip(items, tokens, strict=True)]
    responses = race(app, requests)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * BUDGET + [409] * (CLIENTS - BUDGET), statuses
    refusals = [r.get_json() for r in responses if r.status_code == 409]
    assert {(p["code"], p["weekly_hours_budget"]) for p in refusals} == {
        ("offer_budget_exceeded", BUDGET)}
    assert _booked_hours(app, offer_id) == BUDGET


def test_of_two_connections_the_second_waits_for_the_first_and_then_counts_its_hours(
        budget_race):
    """Connection A books 3 of the 5 hours and holds its transaction open; connection B asks for
    3 more on another item. B must wait on A (not decide on what it saw before A's commit),
    then be refused once A commits."""
    app, (items, students, offer_id), _ = budget_race
    start = slot(21, 10)  # another ISO week, untouched by the test above
    outcome = {}
    with app.app_context():
        engine = db.engine
        first, second = Session(engine), Session(engine)
        try:
            a = book(first, first.get(User, students[0]), equipment_id=items[0],
                     starts_at=start, ends_at=start + timedelta(hours=3), nested=False)
            assert a.offer_id == offer_id

            def racer():
                try:
                    book(second, second.get(User, students[1]), equipment_id=items[1],
                         starts_at=start, ends_at=start + timedelta(hours=3), nested=False)
                    second.commit()
                    outcome["b"] = "booked"
                except DomainError as refused:
                    second.rollback()
                    outcome["b"] = refused.code

            thread = threading.Thread(target=racer)
            thread.start()
            thread.join(timeout=1.5)
            assert thread.is_alive(), "B decided without waiting for A's transaction"
            first.commit()
            thread.join(timeout=30)
            assert outcome["b"] == "offer_budget_exceeded"
        finally:
            first.close()
            second.close()
    assert _booked_hours(app, offer_id) == BUDGET + 3  # 5 in the first week, 3 in this one
