"""Notices as the tests read them: who was told what, a booking and a booked class with pupils."""

from __future__ import annotations

from sqlalchemy import select

from service.db import db
from service.notifications.models import Notification
from service.reservations import booking as booking_cases

from .conftest import NOW, at


def notices(user, kind=None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def kinds(user) -> list[str]:
    return [n.kind for n in notices(user)]


def reserve(booking, who, item, start, end, **extra):
    return booking_cases.reserve(db.session, booking.users[who], equipment_id=item.id,
                                 starts_at=start, ends_at=end, now=NOW, **extra)


def booked_class(booking, make, item=None):
    pupils = [make.user("student", booking.world.school) for _ in range(2)]
    db.session.commit()
    lesson = reserve(booking, "instructor", item or booking.lathe, at(1, 10), at(1, 11),
                     attendees=[p.id for p in pupils])
    return lesson, pupils
