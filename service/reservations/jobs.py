"""Scheduled bodies of the booking engine: no-shows, overdue sessions, holds, reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import utcnow
from ..notifications.models import Notification
from .models import Reservation
from .policy import BookingPolicy
from .transitions import notify_about, record, tell_approvers
from .waitlist import close_waitlist_entry, offer_freed_span


def _active_where(*conditions):
    return select(Reservation).where(and_(*conditions)).with_for_update(
        skip_locked=True, of=Reservation)


def mark_no_shows(session: Session, *, policy: BookingPolicy, now: datetime | None = None) -> int:
    """Confirmed reservations nobody checked in to by the end of the grace period."""
    now = now or utcnow()
    late = session.scalars(_active_where(
        Reservation.status == "confirmed",
        Reservation.starts_at < now - timedelta(minutes=policy.checkin_grace_minutes))).all()
    for reservation in late:
        record(session, reservation, "no_show", None, "nobody checked in")
        notify_about(session, reservation, "no_show")
        offer_freed_span(session, reservation.equipment_id, now, reservation.blocked_until,
                         policy=policy, now=now)
    session.commit()
    return len(late)


def complete_overdue(session: Session, *, now: datetime | None = None) -> int:
    """Checked in and never checked out: completed at the booked end."""
    now = now or utcnow()
    overdue = session.scalars(_active_where(Reservation.status == "checked_in",
                                            Reservation.ends_at <= now)).all()
    for reservation in overdue:
        reservation.checked_out_at = reservation.ends_at
        record(session, reservation, "completed", None, "not checked out; ended as booked")
    session.commit()
    return len(overdue)


def expire_holds(session: Session, *, policy: BookingPolicy, now: datetime | None = None) -> int:
    """Waitlist offers not taken up in time are cancelled, and the slot goes to the next in
    line: the holder let it pass, as if they had cancelled it. Requests the item's owner left
    undecided at their start, or past the deadline of the offer they were made under, lapse:
    status `lapsed`, nobody's cancellation (the holder asked in time; the owner did not
    answer). Answers how many of either."""
    now = now or utcnow()
    ended = session.scalars(_active_where(
        Reservation.status == "pending",
        ((Reservation.hold_expires_at.is_not(None)) & (Reservation.hold_expires_at <= now))
        | ((Reservation.decide_by.is_not(None)) & (Reservation.decide_by <= now))
        | (Reservation.starts_at <= now))).all()
    for reservation in ended:
        if reservation.hold_expires_at is not None:
            reason = "waitlist offer not taken up in time"
            record(session, reservation, "cancelled", None, reason)
            notify_about(session, reservation, "cancelled", reason=reason)
        else:
            deadline = reservation.decide_by
            reason = ("the owner did not decide by the deadline"
                      if deadline is not None and deadline < reservation.starts_at
                      else "the owner did not decide before the start")
            record(session, reservation, "lapsed", None, reason)
            notify_about(session, reservation, "lapsed", reason=reason)
        close_waitlist_entry(session, reservation, "expired")
        offer_freed_span(session, reservation.equipment_id, max(now, reservation.starts_at),
                         reservation.blocked_until, policy=policy, now=now)
    session.commit()
    return len(ended)


def send_reminders(session: Session, *, policy: BookingPolicy, now: datetime | None = None) -> int:
    """One reminder per confirmed reservation starting soon (a unique index keeps it one)."""
    now = now or utcnow()
    soon = session.scalars(select(Reservation).where(
        Reservation.status == "confirmed", Reservation.starts_at > now,
        Reservation.starts_at <= now + timedelta(minutes=policy.reminder_minutes),
        text("NOT EXISTS (SELECT 1 FROM notifications n WHERE n.reservation_id = reservations.id"
             " AND n.kind = 'reminder')"))).all()
    for reservation in soon:
        notify_about(session, reservation, "reminder")
    try:
        session.commit()
    except IntegrityError:
        # Another instance sent these reminders first.
        session.rollback()
        return 0
    return len(soon)


def send_lapsing_notices(session: Session, *, lead_minutes: int = 120,
                         now: datetime | None = None) -> int:
    """Tell the approvers once of each request still undecided less than `lead_minutes` before
    it lapses (at its decision deadline, or its start); answers how many requests.

    No unique index keeps it once (there is none for this kind), so the rows are claimed
    FOR UPDATE SKIP LOCKED, and then the outbox is asked again, in this transaction: a run
    overlapping another skips the rows that one holds, and one that got a row only once the
    other had committed (its first look at the outbox was older than that commit; a lock
    taken on a row nobody changed does not refresh it) sees the notices in the second look.
    """
    now = now or utcnow()
    deadline = func.least(func.coalesce(Reservation.decide_by, Reservation.starts_at),
                          Reservation.starts_at)
    told = exists().where(Notification.reservation_id == Reservation.id,
                          Notification.kind == "request_lapsing")
    lapsing = session.scalars(_active_where(
        Reservation.status == "pending", Reservation.hold_expires_at.is_(None),
        deadline > now, deadline <= now + timedelta(minutes=lead_minutes), ~told)).all()
    already = set(session.scalars(select(Notification.reservation_id).where(
        Notification.kind == "request_lapsing",
        Notification.reservation_id.in_([r.id for r in lapsing])))) if lapsing else set()
    lapsing = [r for r in lapsing if r.id not in already]
    for reservation in lapsing:
        tell_approvers(session, reservation, "request_lapsing")
    session.commit()
    return len(lapsing)
