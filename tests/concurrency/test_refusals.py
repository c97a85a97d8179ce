"""A refused booking names the booking in its way: from the refused insert itself (a refusal
costs no more round trips than a booking), and, when that booking committed after the insert
began and its snapshot cannot see it, from a second look."""

from __future__ import annotations

import threading
import time as clock
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, text

from service.accounts.models import User
from service.accounts.services import issue_token, register_organisation, register_user
from service.catalogue.equipment import build_equipment
from service.db import db
from service.reservations.booking import book

from .races import app_on_own_database, open_base_and_category

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def live(fresh_database):
    """An app on its own database where requests commit for real, one item and two students
    of its school (one signed in)."""
    app = app_on_own_database(fresh_database("benchshare_refusals"))
    with app.app_context():
        school = register_organisation(db.session, name="Refusal School", kind="school")
        base, category = open_base_and_category(school, "refusal")
        item = build_equipment(db.session, name="Contended press", asset_tag="REF-1",
                               base_id=base.id, category_id=category.id,
                               owner_organisation_id=school.id, setup_buffer_minutes=15,
                               booking_horizon_days=365)
        first, second = (register_user(db.session, organisation=school,
                                       email=f"s{n}@refusal.example", full_name=f"Student {n}",
                                       role="student", password="x" * 12) for n in (1, 2))
        token = issue_token(db.session, user=second, ttl_minutes=60).access_token
        db.session.commit()
        ids = {"item": item.id, "first": first.id}
    yield app, ids, {"Authorization": f"Bearer {token}"}
    with app.app_context():
        db.engine.dispose()


def _span(day: int, hour: int) -> tuple[datetime, datetime]:
    start = (datetime.now(SHANGHAI) + timedelta(days=day)).replace(
        hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=1)


def _body(item_id: int, span: tuple[datetime, datetime]) -> dict:
    return {"equipment_id": item_id, "starts_at": span[0].isoformat(),
            "ends_at": span[1].isoformat()}


def _statements_of(app, client, method: str, path: str, **kwargs):
    """The answer to one request and the statements it sent to PostgreSQL."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        answer = getattr(client, method)(path, **kwargs)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return answer, sent


def test_a_refusal_sends_no_more_statements_than_a_booking(live):
    app, ids, student = live
    client = app.test_client()
    span = _span(3, 10)
    booked, for_booking = _statements_of(app, client, "post", "/api/v1/reservations",
                                         json=_body(ids["item"], span), headers=student)
    assert booked.status_code == 201, booked.get_json()
    refused, for_refusal = _statements_of(app, client, "post", "/api/v1/reservations",
                                          json=_body(ids["item"], span), headers=student)
    assert refused.status_code == 409
    problem = refused.get_json()
    assert problem["code"] == "reservation_conflict"
    # It names the booking in the way, found by the refused insert itself.
    assert problem["conflicting_span"]["reservation_id"] == booked.get_json()["id"]
    assert datetime.fromisoformat(problem["conflicting_span"]["starts_at"]) == span[0]
    assert len(for_refusal) <= len(for_booking), (for_booking, for_refusal)


def test_a_blocker_committed_after_the_insert_began_is_still_named(live):
    """The refused insert waits for an overlapping booking in flight; that one commits, so
    the insert's snapshot (taken before) does not see it: the 409 looks again."""
    app, ids, student = live
    span = _span(4, 14)
    with app.app_context():
        first = db.session.get(User, ids["first"])
        # Written, not committed: the exclusion constraint makes the request below wait.
        held = book(db.session, first, equipment_id=ids["item"], starts_at=span[0],
                    ends_at=span[1], nested=False)
        answers = []
        racer = threading.Thread(target=lambda: answers.append(app.test_client().post(
            "/api/v1/reservations", json=_body(ids["item"], span), headers=student)))
        racer.start()
        deadline = clock.monotonic() + 30
        # Watched from a connection of its own: a transaction sees one snapshot of the view.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watch:
            while not watch.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND datname = current_database()")):
                assert clock.monotonic() < deadline, "the racing request never waited"
                clock.sleep(0.01)
        db.session.commit()
        racer.join(timeout=30)
    [refused] = answers
    assert refused.status_code == 409, refused.get_json()
    problem = refused.get_json()
    assert problem["code"] == "reservation_conflict"
    # Another student's booking: its span is named, its id is not theirs to know.
    assert "reservation_id" not in problem["conflicting_span"]
    assert datetime.fromisoformat(problem["conflicting_span"]["starts_at"]) == held.starts_at
    assert datetime.fromisoformat(problem["conflicting_span"]["blocked_until"]) == (
        held.blocked_until)
