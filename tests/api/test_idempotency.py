"""Idempotency-Key on every booking POST: one path, the claim committed with the work."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.idempotency import keys
from service.idempotency.models import IdempotencyKey
from service.reservations.models import Reservation, Series, WaitlistEntry

from .bookings import body, post, tomorrow
from .problems import assert_problem


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def weekly(item, **extra):
    start = tomorrow(9)
    return {"equipment_id": item.id, "weekdays": [start.isoweekday()], "start_time": "09:00",
            "duration_minutes": 60, "starts_on": start.date().isoformat(), "count": 3, **extra}


def test_a_retried_series_books_once(client, world, item, session):
    headers = {**world.headers("instructor"), "Idempotency-Key": "series-1"}
    first = client.post("/api/v1/series", json=weekly(item), headers=headers)
    again = client.post("/api/v1/series", json=weekly(item), headers=headers)
    assert first.status_code == again.status_code == 201, first.get_json()
    assert first.get_json() == again.get_json()
    assert len(first.get_json()["reservations"]) == 3
    assert count(session, Series) == 1 and count(session, Reservation) == 3


def test_a_series_without_a_key_books_again(client, world, item, session):
    headers = world.headers("instructor")
    assert client.post("/api/v1/series", json=weekly(item), headers=headers).status_code == 201
    second = client.post("/api/v1/series", json=weekly(item), headers=headers)
    assert_problem(second, 409, "series_conflict")


def test_a_retried_waitlist_wish_is_one_entry(client, world, item, session):
    post(client, world, "instructor", body(item))
    headers = {**world.headers("student"), "Idempotency-Key": "wait-1"}
    first = client.post("/api/v1/waitlist", json=body(item), headers=headers)
    again = client.post("/api/v1/waitlist", json=body(item), headers=headers)
    assert first.status_code == again.status_code == 201, first.get_json()
    assert first.get_json()["id"] == again.get_json()["id"]
    assert count(session, WaitlistEntry) == 1


def test_a_replay_carries_the_first_answers_etag(client, world, item):
    first = post(client, world, "student", body(item), **{"Idempotency-Key": "etag-1"})
    again = post(client, world, "student", body(item), **{"Idempotency-Key": "etag-1"})
    assert again.headers["ETag"] == first.headers["ETag"] == f'"{first.get_json()["version"]}"'


def test_one_key_on_another_endpoint_is_422(client, world, item):
    headers = {**world.headers("instructor"), "Idempotency-Key": "shared"}
    assert client.post("/api/v1/reservations", json=body(item),
                       headers=headers).status_code == 201
    other = client.post("/api/v1/series", json=weekly(item, count=1), headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")


def test_invalid_bodies_are_not_remembered(client, world, item, session):
    bad = post(client, world, "student", {"equipment_id": item.id},
               **{"Idempotency-Key": "fix-me"})
    assert bad.status_code == 422
    assert count(session, IdempotencyKey) == 0
    good = post(client, world, "student", body(item), **{"Idempotency-Key": "fix-me"})
    assert good.status_code == 201


def _die_before_keeping_the_answer(monkeypatch) -> list:
    """The process dies after the work's commit, before its answer is kept: the answers it
    would have kept are collected, and the request fails."""
    lost = []

    def crash(session, held, answer):
        lost.append(answer)
        raise RuntimeError("killed before the answer was kept")

    monkeypatch.setattr("service.idempotency.views.record_answer", crash)
    return lost


def test_a_retry_after_the_booking_process_died_answers_with_that_booking(
        client, world, item, session, monkeypatch):
    """Committed with its claim, the booking is the answer: a retry gets it, as a replay of
    the lost answer would have, at once and for good, and nothing is booked twice."""
    lost = _die_before_keeping_the_answer(monkeypatch)
    crashed = post(client, world, "student", body(item), **{"Idempotency-Key": "crash-1"})
    assert crashed.status_code == 500
    monkeypatch.undo()
    # Not waited for: the booking is committed, so its answer needs no holder.
    monkeypatch.setattr(keys, "IN_FLIGHT_WAIT_SECONDS", 60)
    retries = [post(client, world, "student", body(item), **{"Idempotency-Key": "crash-1"})
               for _ in range(2)]
    for retry in retries:
        assert retry.status_code == 201, retry.get_json()
        assert retry.get_json() == lost[0].body
        assert retry.headers["ETag"] == lost[0].headers["ETag"] == '"1"'
    assert count(session, Reservation) == 1
    kept = session.scalar(select(IdempotencyKey))
    assert (kept.status_code, kept.reservation_id) == (201, lost[0].body["id"])


def test_a_refused_booking_whose_process_died_is_tried_again_once_its_claim_is_stale(
        client, world, item, session, monkeypatch):
    """A refused booking commits its claim and nothing else: a retry that finds it still
    unanswered after the wait does the work itself, once."""
    taken = post(client, world, "instructor", body(item)).get_json()
    _die_before_keeping_the_answer(monkeypatch)
    crashed = post(client, world, "student", body(item), **{"Idempotency-Key": "crash-2"})
    assert crashed.status_code == 500
    monkeypatch.undo()
    monkeypatch.setattr(keys, "IN_FLIGHT_WAIT_SECONDS", 0.1)
    cancelled = client.post(f"/api/v1/reservations/{taken['id']}/cancel",
                            json={"reason": "Class moved"}, headers=world.headers("instructor"))
    assert cancelled.status_code == 200, cancelled.get_json()
    retry = post(client, world, "student", body(item), **{"Idempotency-Key": "crash-2"})
    assert retry.status_code == 201, retry.get_json()
    again = post(client, world, "student", body(item), **{"Idempotency-Key": "crash-2"})
    assert (again.status_code, again.get_json()) == (201, retry.get_json())
    assert session.scalar(select(func.count()).select_from(Reservation).where(
        Reservation.holder_id == world.users["student"].id)) == 1


def test_a_retry_after_the_process_died_before_its_commit_books_once(
        client, world, item, session):
    """Dying before its commit, the first request's transaction is rolled back with its
    claim: the retry books as if it were the first."""
    user_id = world.users["student"].id
    assert isinstance(keys.claim(session, user_id=user_id, key="crash-3",
                                 request_hash="whatever"), keys.Claim)
    session.rollback()  # what PostgreSQL does to the dead backend's transaction
    keys.release(session)
    retry = post(client, world, "student", body(item), **{"Idempotency-Key": "crash-3"})
    assert retry.status_code == 201, retry.get_json()
    assert count(session, Reservation) == 1


@pytest.mark.parametrize("path", ["/api/v1/reservations", "/api/v1/series", "/api/v1/waitlist"])
def test_every_booking_post_documents_the_header(client, path):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = spec["paths"][path]["post"]["parameters"]
    assert [p["name"] for p in parameters if p["in"] == "header"] == ["Idempotency-Key"]
