"""Scheduled bodies of offers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db import utcnow
from .lifecycle import has_ended
from .models import Offer, OfferWindow
from .transitions import notify_other_side, record


def expire_offers(session: Session, *, now: datetime | None = None, batch: int = 500) -> int:
    """Submitted and approved offers whose last window is over become expired.

    Idempotent, and safe beside another run: rows are claimed with SKIP LOCKED and leave the
    states selected on.
    """
    now = now or utcnow()
    # No zone is more than a day ahead of UTC: an offer whose last day is after today's UTC
    # date is still running everywhere, so only the others are looked at closely.
    last_day = (select(func.max(OfferWindow.ends_on)).where(OfferWindow.offer_id == Offer.id)
                .scalar_subquery())
    candidates = session.scalars(
        select(Offer).where(Offer.status.in_(("submitted", "approved")),
                            last_day <= now.astimezone(UTC).date())
        .order_by(Offer.id).limit(batch).with_for_update(of=Offer, skip_locked=True)).all()
    expired = 0
    for offer in candidates:
        if has_ended(offer, now):
            record(session, offer, "expired", None, "its last window has ended")
            notify_other_side(session, offer)
            expired += 1
    session.commit()
    return expired
