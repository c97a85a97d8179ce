"""A keyed booking whose process died, before or after its commit, on real connections: the
retries book once and all answer with that booking."""

from __future__ import annotations

import threading
import time as clock
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import func, make_url, select

from service.accounts.services import issue_token, register_organisation, register_user
from service.catalogue.equipment import build_equipment
from service.db import db
from service.idempotency.keys import fingerprint
from service.idempotency.models import IdempotencyKey
from service.reservations.models import Reservation

from .races import app_on_own_database, open_base_and_category

SHANGHAI = ZoneInfo("Asia/Shanghai")
PATH = "/api/v1/reservations"
RETRIES = 10


@pytest.fixture(scope="module")
def live(fresh_database):
    """An app on its own database where requests commit for real, one item and one signed-in
    student; and the database's libpq URI, for a connection of the student's dying process."""
    url = fresh_database("benchshare_key_crashes")
    app = app_on_own_database(url)
    with app.app_context():
        school = register_organisation(db.session, name="Crash School", kind="school")
        base, category = open_base_and_category(school, "crash")
        item = build_equipment(db.session, name="Crashed lathe", asset_tag="CRASH-1",
                               base_id=base.id, category_id=category.id,
                               owner_organisation_id=school.id, booking_horizon_days=365)
        student = register_user(db.session, organisation=school, email="s@crash.example",
                                full_name="Student", role="student", password="x" * 12)
        token = issue_token(db.session, user=student, ttl_minutes=60).access_token
        db.session.commit()
        ids = {"item": item.id, "student": student.id}
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    yield app, ids, {"Authorization": f"Bearer {token}"}, libpq
    with app.app_context():
        db.engine.dispose()


def _body(item_id: int, day: int) -> dict:
    start = (datetime.now(SHANGHAI) + timedelta(days=day)).replace(
        hour=10, minute=0, second=0, microsecond=0)
    return {"equipment_id": item_id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat()}


def _bookings(app, item_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Reservation.id).where(
            Reservation.equipment_id == item_id)))


def _retry_at_once(app, headers: dict, body: dict, count: int):
    barrier = threading.Barrier(count)
    responses = [None] * count

    def run(index):
        client = app.test_client()
        barrier.wait()
        responses[index] = client.post(PATH, json=body, headers=headers)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_retries_racing_after_the_process_died_past_its_commit_all_get_that_booking(
        live, monkeypatch):
    app, ids, token, _ = live
    before = _bookings(app, ids["item"])
    headers = {**token, "Idempotency-Key": uuid.uuid4().hex}
    body = _body(ids["item"], 3)
    lost = []

    def die(session, held, answer):
        lost.append(answer)
        raise RuntimeError("killed before the answer was kept")

    monkeypatch.setattr("service.idempotency.views.record_answer", die)
    assert app.test_client().post(PATH, json=body, headers=headers).status_code == 500
    monkeypatch.undo()

    responses = _retry_at_once(app, headers, body, RETRIES)
    assert [r.status_code for r in responses] == [201] * RETRIES
    assert all(r.get_json() == lost[0].body for r in responses)
    assert {r.headers["ETag"] for r in responses} == {lost[0].headers["ETag"]}
    booked = [i for i in _bookings(app, ids["item"]) if i not in before]
    assert booked == [lost[0].body["id"]]
    with app.app_context():
        kept = db.session.scalar(select(IdempotencyKey).where(
            IdempotencyKey.key == headers["Idempotency-Key"]))
        assert (kept.status_code, kept.response, kept.reservation_id) == (
            201, lost[0].body, booked[0])


def test_a_retry_waiting_on_a_claim_whose_process_dies_before_its_commit_books_once(live):
    app, ids, token, libpq = live
    before = _bookings(app, ids["item"])
    key = uuid.uuid4().hex
    body = _body(ids["item"], 4)
    # The first request's process claimed the key in its transaction and is still working.
    holder = psycopg.connect(libpq)
    holder.execute(
        "INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES (%s, %s, %s)",
        (ids["student"], key, fingerprint("POST", PATH, body)))
    answers = []
    retry = threading.Thread(target=lambda: answers.append(app.test_client().post(
        PATH, json=body, headers={**token, "Idempotency-Key": key})))
    retry.start()
    with psycopg.connect(libpq, autocommit=True) as watcher:
        for _ in range(250):  # the retry's claim waits for the holder's transaction
            if watcher.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0]:
                break
            clock.sleep(0.02)
        else:
            pytest.fail("the retry never waited for the first request's claim")
    holder.close()  # the process dies: PostgreSQL rolls its transaction back, claim and all
    retry.join(timeout=30)

    assert answers[0].status_code == 201, answers[0].get_json()
    booked = [i for i in _bookings(app, ids["item"]) if i not in before]
    assert booked == [answers[0].get_json()["id"]]
    again = app.test_client().post(PATH, json=body, headers={**token, "Idempotency-Key": key})
    assert (again.status_code, again.get_json()) == (201, answers[0].get_json())
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Reservation).where(
            Reservation.equipment_id == ids["item"])) == len(before) + 1
