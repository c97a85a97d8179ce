"""The waitlist: joining and leaving it, and offering freed spans to those waiting."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import BOOKING_ROLES, require_role
from ..catalogue.models import Equipment
from ..db import utcnow
from ..errors import DomainError, NotFound
from ..notifications.services import Occasion, notify
from . import offered
from .booking import Booked, book
from .errors import QuotaExceeded, SlotAvailable
from .models import Reservation, WaitlistEntry
from .policy import BookingPolicy
from .spans import check_span
from .targets import booking_target, require_seen_by
from .transitions import record


def close_waitlist_entry(session: Session, reservation: Reservation, status: str) -> None:
    entry = session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.reservation_id == reservation.id, WaitlistEntry.status == "offered"))
    if entry is not None:
        entry.status = status


def offer_freed_span(session: Session, equipment_id: int, start: datetime, end: datetime, *,
                     policy: BookingPolicy, now: datetime) -> list[Booked]:
    """Offer a freed span to waiting users, oldest wish first, as pending holds that expire.

    An entry that no longer fits (rules, qualification, overlap) keeps waiting. One whose
    span is free but would break its user's quota is told why and closed (`expired`): the
    span then goes to the next in line, and is free to book once the user is within quota.
    """
    buffer = timedelta(minutes=session.scalar(
        select(Equipment.setup_buffer_minutes).where(Equipment.id == equipment_id)) or 0)
    # A wish ending up to one buffer before the freed span was blocked by it too.
    entries = session.scalars(select(WaitlistEntry).where(
        WaitlistEntry.equipment_id == equipment_id, WaitlistEntry.status == "waiting",
        WaitlistEntry.starts_at < end, WaitlistEntry.ends_at > start - buffer,
        WaitlistEntry.starts_at > now).order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .with_for_update(skip_locked=True)).all()
    offers = []
    for entry in entries:
        user = session.get(User, entry.user_id)
        if user is None or not user.is_active:
            continue
        try:
            with session.begin_nested():
                reservation = book(
                    session, user, equipment_id=equipment_id, starts_at=entry.starts_at,
                    ends_at=entry.ends_at, purpose=entry.purpose, now=now,
                    # A hold never outlives the start it is for.
                    hold_expires_at=min(now + timedelta(minutes=policy.hold_minutes),
                                        entry.starts_at))
        except QuotaExceeded as refusal:
            _pass_over(session, entry, refusal, buffer)
            continue
        except DomainError:
            continue
        entry.status = "offered"
        entry.reservation_id = reservation.id
        offers.append(reservation)
    return offers


def _pass_over(session: Session, entry: WaitlistEntry, refusal: QuotaExceeded,
               buffer: timedelta) -> None:
    """Tell a waiting user at their quota why the free span went on without them, and close
    the wish; a span still taken in part (the quota was checked first) keeps them waiting."""
    if session.scalar(select(Reservation.id).where(
            Reservation.equipment_id == entry.equipment_id,
            Reservation.blocks(entry.starts_at, entry.ends_at + buffer)).limit(1)) is not None:
        return
    entry.status = "expired"
    item = booking_target(session, entry.equipment_id)
    quota = refusal.extra.get("quota") or "booking"
    notify(session, user_id=entry.user_id, reservation_id=None, kind="waitlist_passed_over",
           occasion=Occasion(equipment_id=item.id, equipment_name=item.name,
                             asset_tag=item.asset_tag, base_name=item.base_name,
                             timezone=item.timezone, starts_at=entry.starts_at,
                             ends_at=entry.ends_at),
           reason=f"your {quota.replace('_', ' ')} quota: {refusal.detail}",
           data={"waitlist_entry_id": entry.id, "quota": quota,
                 "limit": refusal.extra.get("limit")})


def join_waitlist(session: Session, actor: User, *, equipment_id: int, starts_at: datetime,
                  ends_at: datetime, purpose: str = "", now: datetime | None = None
                  ) -> WaitlistEntry:
    """Wait for a span that is taken now; it must be one the user could otherwise book."""
    now = now or utcnow()
    require_role(actor, *BOOKING_ROLES)
    equipment = booking_target(session, equipment_id)
    require_seen_by(equipment, actor.organisation_id)
    check_span(session, equipment, starts_at, ends_at, now=now)
    if equipment.offered:  # only a span the user's school could book under the offer
        offered.check_window(session, actor, equipment, starts_at, ends_at)
    blocked_until = ends_at + timedelta(minutes=equipment.setup_buffer_minutes)
    taken = session.scalar(select(Reservation.id).where(
        Reservation.equipment_id == equipment_id,
        Reservation.blocks(starts_at, blocked_until)).limit(1))
    if taken is None:
        raise SlotAvailable()
    entry = WaitlistEntry(user_id=actor.id, equipment_id=equipment_id, starts_at=starts_at,
                          ends_at=ends_at, purpose=purpose)
    session.add(entry)
    session.commit()
    return entry


def leave_waitlist(session: Session, actor: User, entry_id: int, *,
                   policy: BookingPolicy, now: datetime | None = None) -> WaitlistEntry:
    """Leave the line; an offer not yet taken up is released to the next in line."""
    now = now or utcnow()
    entry = session.scalar(select(WaitlistEntry).where(WaitlistEntry.id == entry_id)
                           .with_for_update())
    owner = session.get(User, entry.user_id) if entry is not None else None
    if entry is None or not (entry.user_id == actor.id or (
            actor.role == "admin" and owner.organisation_id == actor.organisation_id)):
        raise NotFound(f"No waitlist entry {entry_id}.")
    if entry.status == "offered" and entry.reservation_id is not None:
        hold = session.scalar(select(Reservation).where(Reservation.id == entry.reservation_id)
                              .with_for_update(of=Reservation))
        if hold is not None and hold.status == "pending" and hold.hold_expires_at is not None:
            record(session, hold, "cancelled", actor, "left the waitlist")
            session.flush()
            offer_freed_span(session, hold.equipment_id, hold.starts_at, hold.blocked_until,
                             policy=policy, now=now)
    if entry.status in ("waiting", "offered"):
        entry.status = "cancelled"
    session.commit()
    return entry
