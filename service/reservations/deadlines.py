"""When an enterprise must decide a request made under an offer that asks for approval: the
offer's decision time after the request, and never later than the session's start."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Select, bindparam, select
from sqlalchemy.orm import Session

from .models import Reservation
from .offered import offer_tables


def decision_deadline(approval_hours: int, starts_at: datetime, now: datetime) -> datetime:
    """When a request under an offer that asks for approval lapses: the offer's decision time
    after the request, and never later than the session's start."""
    return min(now + timedelta(hours=approval_hours), starts_at)


@functools.cache
def _approval_of() -> Select:
    offers = offer_tables().offers
    return select(offers.c.requires_approval, offers.c.approval_hours).where(
        offers.c.id == bindparam("offer_id", type_=BigInteger))


def deadline_on_taking_up(session: Session, reservation: Reservation,
                          now: datetime) -> datetime | None:
    """When a waitlist offer under an offer that asks for approval is taken up, the request
    goes to the enterprise: its decision deadline (None when the offer does not ask)."""
    if reservation.offer_id is None:
        return None
    offer = session.execute(_approval_of(), {"offer_id": reservation.offer_id}).one()
    if not offer.requires_approval:
        return None
    return decision_deadline(offer.approval_hours, reservation.starts_at, now)
