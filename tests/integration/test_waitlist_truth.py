"""What the waitlist promises is what happens: a hold never outlives its start, and its notice
says the real deadline (issue 10, finding 3)."""

from __future__ import annotations

from sqlalchemy import select

from service.db import db
from service.notifications.models import Notification
from service.reservations import booking as booking_cases
from service.reservations import lifecycle, waitlist
from service.reservations.models import Reservation

from .conftest import NOW, at


def test_a_span_freed_just_before_its_start_is_held_until_the_start_only(booking):
    taken = booking_cases.reserve(db.session, booking.users["instructor"],
                                  equipment_id=booking.lathe.id, starts_at=at(1, 10),
                                  ends_at=at(1, 11), now=NOW)
    entry = waitlist.join_waitlist(db.session, booking.users["student"],
                                   equipment_id=booking.lathe.id, starts_at=at(1, 10),
                                   ends_at=at(1, 11), now=NOW)
    late = at(1, 9, 50)  # ten minutes before the start; holds last 30 minutes
    lifecycle.cancel(db.session, booking.users["instructor"], taken.id, reason="ill",
                     policy=booking.policy, now=late)
    hold = db.session.get(Reservation, entry.reservation_id)
    assert hold.hold_expires_at == at(1, 10)
    notice = db.session.scalars(select(Notification).where(
        Notification.user_id == booking.users["student"].id,
        Notification.kind == "waitlist_offer")).one()
    assert f"Confirm it before {at(1, 10):%Y-%m-%d} 10:00 (UTC+08:00)." in notice.body
