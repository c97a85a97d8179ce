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


def test_work_committed_without_its_answer_is_never_done_twice(
        client, world, item, session, monkeypatch):
    """The process dies between the booking's commit and the answer: the claim committed
    with the booking, so a retry waits, then says so, and books nothing."""
    monkeypatch.setattr(keys, "IN_FLIGHT_WAIT_SECONDS", 0.1)

    def crash(*args, **kwargs):
        raise RuntimeError("killed before the answer was kept")

    monkeypatch.setattr("service.idempotency.views.record_answer", crash)
    lost = post(client, world, "student", body(item), **{"Idempotency-Key": "crash-1"})
    assert lost.status_code == 500
    monkeypatch.undo()
    monkeypatch.setattr(keys, "IN_FLIGHT_WAIT_SECONDS", 0.1)
    retry = post(client, world, "student", body(item), **{"Idempotency-Key": "crash-1"})
    assert_problem(retry, 409, "idempotency_key_in_flight")
    assert retry.headers["Retry-After"] == "1"
    assert count(session, Reservation) == 1


@pytest.mark.parametrize("path", ["/api/v1/reservations", "/api/v1/series", "/api/v1/waitlist"])
def test_every_booking_post_documents_the_header(client, path):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = spec["paths"][path]["post"]["parameters"]
    assert [p["name"] for p in parameters if p["in"] == "header"] == ["Idempotency-Key"]
