"""A notice written during a request keeps the request's id, and its delivery's log lines name
it, so an operator follows one booking from its request to its e-mail; readers never see it."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from service.db import db
from service.notifications.delivery import deliver_notifications
from service.notifications.models import Notification

from ..outbox import Recorder
from .bookings import body, post


@pytest.fixture
def delivery_log():
    """The records of the delivery's logger, INFO and up, while the test runs."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append
    logger = logging.getLogger("benchshare.notifications")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_booking_notice_keeps_the_request_id_and_its_delivery_log_names_it(
        client, world, item, delivery_log):
    booked = post(client, world, "student", body(item), **{"X-Request-ID": "booking-7f3a"})
    assert booked.status_code == 201, booked.get_json()
    assert booked.headers["X-Request-ID"] == "booking-7f3a"
    notice = db.session.scalars(select(Notification).where(
        Notification.reservation_id == booked.get_json()["id"])).one()
    assert notice.data["request_id"] == "booking-7f3a"

    assert deliver_notifications(db.session, mailer=Recorder()) == 1
    [sent] = [r for r in delivery_log if getattr(r, "notification_id", None) == notice.id]
    assert "booking-7f3a" in sent.getMessage() and sent.request_id == "booking-7f3a"
    assert sent.message_id == f"<notification-{notice.id}@localhost>"


def test_the_request_id_stays_out_of_the_notices_a_reader_lists(client, world, item):
    booked = post(client, world, "student", body(item), **{"X-Request-ID": "booking-7f3b"})
    assert booked.status_code == 201, booked.get_json()

    listed = client.get("/api/v1/me/notifications", headers=world.headers("student"))
    assert listed.status_code == 200
    [notice] = listed.get_json()["items"]
    assert notice["kind"] == "confirmed" and notice["reservation_id"] == booked.get_json()["id"]
    assert "request_id" not in notice["data"], notice["data"]


def test_an_invitation_letter_keeps_the_request_id(client, world):
    invited = client.post("/api/v1/users", json={
        "email": "traced@school.example", "full_name": "Tracy Traced", "role": "student"},
        headers={**world.headers("admin"), "X-Request-ID": "invite-42"})
    assert invited.status_code == 201, invited.get_json()
    letter = db.session.scalars(select(Notification).where(
        Notification.user_id == invited.get_json()["id"])).one()
    assert letter.kind == "invitation" and letter.data["request_id"] == "invite-42"


def test_a_notice_written_outside_a_request_has_no_request_id(make, session):
    user = make.user("student", make.organisation("school"))
    notice = Notification(user_id=user.id, kind="confirmed", subject="s", body="b", data={})
    session.add(notice)
    session.commit()
    assert notice.data == {}
