"""Lifecycle use cases of one reservation: approve, reject, cancel, confirm, check in/out."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import statuses, wallclock
from ..catalogue.qualifications import lacks_qualification
from ..db import utcnow
from ..errors import Forbidden
from ..i18n import gettext
from . import deadlines
from .errors import (
    CheckOutBeforeStart,
    DecisionDeadlinePassed,
    HoldExpired,
    OutsideCheckInWindow,
)
from .holders import qualification_required
from .models import Reservation, ReservationEvent
from .permissions import is_staff_for, may_approve
from .policy import BookingPolicy
from .queries import get_visible_reservation
from .transitions import (
    notify_about,
    record,
    require_reason,
    tell_approvers,
    tell_attendees,
    transition_error,
)
from .waitlist import close_waitlist_entry, offer_freed_span


def _still_qualified(session: Session, reservation: Reservation) -> None:
    """A qualification revoked or expired since booking stops the session going ahead."""
    equipment, holder = reservation.equipment, reservation.holder
    if lacks_qualification(session, holder, requires_qualification=equipment.requires_qualification,
                           category_id=equipment.category_id, until=reservation.ends_at):
        raise qualification_required(
            session, gettext("%(person)s no longer holds a valid '%(category)s' qualification "
                             "for this session.", person=holder.full_name,
                             category=equipment.category.name), school_id=holder.organisation_id,
            category_id=equipment.category_id, category_code=equipment.category.code,
            category_name=equipment.category.name)


def _not_own(actor: User, reservation: Reservation) -> None:
    """Nobody decides on their own booking, either way."""
    if reservation.holder_id == actor.id or reservation.created_by_id == actor.id:
        raise Forbidden(gettext("Nobody approves or rejects their own reservation."),
                        code="own_reservation")


def _before_deadline(reservation: Reservation, now: datetime) -> None:
    """A request made under an offer is decided by its deadline, or it lapses (the job that
    lapses it may not have run yet: the deadline holds all the same)."""
    if reservation.decide_by is not None and reservation.decide_by <= now:
        tz = reservation.equipment.timezone
        raise DecisionDeadlinePassed(
            gettext("The request had to be decided by %(deadline)s.",
                    deadline=wallclock.local_text(reservation.decide_by, tz)),
            decide_by=reservation.decide_by.isoformat(), timezone=tz)


def check_in_window_closed(opens: datetime, closes: datetime, tz: str) -> OutsideCheckInWindow:
    """The refusal of a check-in outside its window, the window in the item's zone."""
    return OutsideCheckInWindow(
        gettext("Check-in is open from %(span)s.",
                span=wallclock.local_span_text(opens, closes, tz)),
        opens_at=opens.isoformat(), closes_at=closes.isoformat(), timezone=tz)


def approve(session: Session, actor: User, reservation_id: int, *, reason: str = "",
            now: datetime | None = None, expected_versions: list[int] | None = None
            ) -> Reservation:
    """The item's owner lets a pending booking go ahead (never their own, never too late)."""
    now = now or utcnow()
    reservation = get_visible_reservation(session, actor, reservation_id, lock=True,
                                          expected_versions=expected_versions)
    if not may_approve(actor, reservation):
        raise Forbidden(gettext("Only the item's owner approves its reservations."))
    _not_own(actor, reservation)
    if reservation.status != "pending" or reservation.hold_expires_at is not None \
            or reservation.starts_at <= now:
        raise transition_error(reservation, "approved")
    _before_deadline(reservation, now)
    _still_qualified(session, reservation)
    record(session, reservation, "confirmed", actor, reason)
    notify_about(session, reservation, "approved", reason=reason)
    session.commit()
    return reservation


def reject(session: Session, actor: User, reservation_id: int, *, reason: str | None,
           policy: BookingPolicy, now: datetime | None = None,
           expected_versions: list[int] | None = None) -> Reservation:
    reservation = get_visible_reservation(session, actor, reservation_id, lock=True,
                                          expected_versions=expected_versions)
    if not may_approve(actor, reservation):
        raise Forbidden(gettext("Only the item's owner rejects its reservations."))
    _not_own(actor, reservation)
    reason = require_reason(reason)
    if reservation.status != "pending" or reservation.hold_expires_at is not None:
        raise transition_error(reservation, "rejected")
    record(session, reservation, "rejected", actor, reason)
    notify_about(session, reservation, "rejected", reason=reason, actor=actor)
    offer_freed_span(session, reservation.equipment_id, reservation.starts_at,
                     reservation.blocked_until, policy=policy, now=now or utcnow())
    session.commit()
    return reservation


def cancel(session: Session, actor: User, reservation_id: int, *, reason: str | None,
           policy: BookingPolicy, now: datetime | None = None,
           expected_versions: list[int] | None = None) -> Reservation:
    """The holder cancels before the start; staff cancel at any time, saying why."""
    now = now or utcnow()
    reservation = get_visible_reservation(session, actor, reservation_id, lock=True,
                                          expected_versions=expected_versions)
    if reservation.holder_id == actor.id and reservation.status in statuses.NOT_UNDER_WAY \
            and now < reservation.starts_at:
        reason = (reason or "").strip() or "cancelled by the holder"
    elif is_staff_for(actor, reservation):
        reason = require_reason(reason)
        if reservation.status not in statuses.ACTIVE:
            raise transition_error(reservation, "cancelled")
    elif reservation.holder_id == actor.id:
        raise transition_error(reservation, "cancelled by its holder after it started")
    else:
        raise Forbidden(gettext("Only the holder or staff cancel a reservation."))
    freed_from = max(now, reservation.starts_at)
    record(session, reservation, "cancelled", actor, reason)
    if reservation.holder_id != actor.id:
        notify_about(session, reservation, "cancelled", reason=reason, actor=actor)
    else:  # the holder knows; the class they hold does not
        tell_attendees(session, reservation, "class_cancelled", actor=actor, reason=reason)
    close_waitlist_entry(session, reservation, "cancelled")
    offer_freed_span(session, reservation.equipment_id, freed_from, reservation.blocked_until,
                     policy=policy, now=now)
    session.commit()
    return reservation


def confirm_hold(session: Session, actor: User, reservation_id: int, *,
                 now: datetime | None = None, expected_versions: list[int] | None = None
                 ) -> Reservation:
    """The holder takes up a waitlist offer before it expires."""
    now = now or utcnow()
    reservation = get_visible_reservation(session, actor, reservation_id, lock=True,
                                          expected_versions=expected_versions)
    if reservation.holder_id != actor.id:
        raise Forbidden(gettext("Only the holder takes up a waitlist offer."))
    if reservation.status != "pending" or reservation.hold_expires_at is None:
        raise transition_error(reservation, "confirmed as a waitlist offer")
    if reservation.hold_expires_at <= now:
        raise HoldExpired()
    reservation.hold_expires_at = None
    # Taken up under an offer that asks for approval, it is a request the enterprise decides.
    reservation.decide_by = deadlines.deadline_on_taking_up(session, reservation, now)
    if reservation.equipment.requires_approval or reservation.decide_by is not None:
        session.add(ReservationEvent(reservation_id=reservation.id, actor_id=actor.id,
                                     from_status="pending", to_status="pending",
                                     reason="waitlist offer taken up; awaiting approval"))
        tell_approvers(session, reservation, "request_received")
    else:
        record(session, reservation, "confirmed", actor, "waitlist offer taken up")
    close_waitlist_entry(session, reservation, "fulfilled")
    session.commit()
    return reservation


def _holder_or_staff_moves(session: Session, actor: User, reservation_id: int,
                           expected_versions: list[int] | None, *, from_status: str,
                           action: str) -> Reservation:
    """Load a reservation the holder (or staff for them) moves on from `from_status`."""
    reservation = get_visible_reservation(session, actor, reservation_id, lock=True,
                                          expected_versions=expected_versions)
    if reservation.holder_id != actor.id and not is_staff_for(actor, reservation):
        raise Forbidden(f"Only the holder or staff may have it {action}.")
    if reservation.status != from_status:
        raise transition_error(reservation, action)
    return reservation


def check_in(session: Session, actor: User, reservation_id: int, *, policy: BookingPolicy,
             now: datetime | None = None, expected_versions: list[int] | None = None
             ) -> Reservation:
    now = now or utcnow()
    reservation = _holder_or_staff_moves(session, actor, reservation_id, expected_versions,
                                         from_status="confirmed", action="checked in")
    opens, closes = policy.check_in_window(reservation.starts_at)
    if not opens <= now <= closes:
        raise check_in_window_closed(opens, closes, reservation.equipment.timezone)
    _still_qualified(session, reservation)
    reservation.checked_in_at = now
    record(session, reservation, "checked_in", actor)
    session.commit()
    return reservation


def check_out(session: Session, actor: User, reservation_id: int, *, policy: BookingPolicy,
              now: datetime | None = None, expected_versions: list[int] | None = None
              ) -> Reservation:
    """Record the real end; the rest of the slot is free again once the setup buffer after
    the real end has passed."""
    now = now or utcnow()
    reservation = _holder_or_staff_moves(session, actor, reservation_id, expected_versions,
                                         from_status="checked_in", action="checked out")
    if now < reservation.starts_at:  # checked in early, but the slot has not begun
        session.rollback()
        tz = reservation.equipment.timezone
        raise CheckOutBeforeStart(
            gettext("Check out from %(start)s on; to give the slot up, cancel the reservation "
                    "instead.", start=wallclock.local_text(reservation.starts_at, tz)),
            starts_at=reservation.starts_at.isoformat(), timezone=tz)
    freed_until = reservation.blocked_until
    reservation.checked_out_at = now
    # Completed reservations still hold the item until blocked_until: the buffer follows
    # the real end, and never grows past the booked one.
    reservation.blocked_until = min(
        freed_until, now + timedelta(minutes=reservation.equipment.setup_buffer_minutes))
    record(session, reservation, "completed", actor, "checked out")
    if reservation.blocked_until < freed_until:
        offer_freed_span(session, reservation.equipment_id, reservation.blocked_until,
                         freed_until, policy=policy, now=now)
    session.commit()
    return reservation
