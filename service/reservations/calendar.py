"""A user's reservations as an RFC 5545 calendar, behind a per-user secret URL."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.principal import user_for_token
from ..calendar import statuses
from ..db import utcnow
from ..errors import NotFound, NotSignedIn
from .models import Reservation, ReservationAttendee


def feed_key(secret_key: str, user: User) -> str:
    """A key that opens this user's feed only; it changes when the password does."""
    digest = hmac.new(secret_key.encode(), f"calendar:{user.id}:{user.password_hash}".encode(),
                      hashlib.sha256).hexdigest()[:40]
    return f"{user.id}.{digest}"


def user_for_feed_key(session: Session, secret_key: str, key: str) -> User:
    user_id, _, _ = key.partition(".")
    # ASCII digits only: str.isdigit() also accepts '²', which int() refuses.
    user = session.get(User, int(user_id)) if re.fullmatch(r"[0-9]{1,18}", user_id) else None
    if user is None or not user.is_active or not hmac.compare_digest(
            feed_key(secret_key, user), key):
        raise NotFound("No such calendar.")
    return user


def calendar_for(session: Session, user: User, *, past_days: int = 30) -> bytes:
    """Active and recent reservations the user holds or attends."""
    since = utcnow() - timedelta(days=past_days)
    attending = select(ReservationAttendee.reservation_id).where(
        ReservationAttendee.user_id == user.id)
    reservations = session.scalars(select(Reservation).where(
        (Reservation.holder_id == user.id) | Reservation.id.in_(attending),
        Reservation.ends_at >= since,
        Reservation.status.in_(statuses.BLOCKING))
        .order_by(Reservation.starts_at).limit(2000)).all()
    calendar = Calendar()
    calendar.add("prodid", "-//BenchShare//Reservations//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"BenchShare - {user.full_name}")
    for reservation in reservations:
        equipment = reservation.equipment
        event = Event()
        event.add("uid", f"reservation-{reservation.id}@benchshare")
        event.add("dtstamp", reservation.updated_at)
        event.add("dtstart", reservation.starts_at)
        event.add("dtend", reservation.ends_at)
        event.add("summary", f"{equipment.name} ({equipment.asset_tag})")
        event.add("location", f"{equipment.base.name}, {equipment.base.address}".strip(", "))
        event.add("description", reservation.purpose or "")
        event.add("status", "TENTATIVE" if reservation.status == "pending" else "CONFIRMED")
        event.add("sequence", reservation.version)
        calendar.add_component(event)
    return calendar.to_ical()


def feed_reader(session: Session, *, secret_key: str, key: str | None,
                bearer: str | None) -> User:
    """Whose feed a request opens: the secret key's owner (calendar apps), else the signed-in
    user."""
    if key:
        return user_for_feed_key(session, secret_key, key)
    if bearer is None:
        raise NotSignedIn("Sign in, or use the secret URL from /me/calendar-link.",
                          headers={"WWW-Authenticate": "Bearer"})
    return user_for_token(session, bearer)
