"""Use cases of the booking engine. Each owns its transaction: it commits or raises."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import psycopg.errors
from sqlalchemy import BigInteger, DateTime, and_, bindparam, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import require_role
from ..catalogue.models import Closure, Equipment, EquipmentCategory, OpeningHours, TrainingBase
from ..catalogue.services import holds_valid_qualification
from ..db import check_version, utcnow
from ..errors import DomainError, Forbidden, Invalid, NotFound
from ..notifications.services import notice, notify_about
from . import rules
from .errors import (
    BaseClosed,
    BeyondBookingHorizon,
    BlackoutConflict,
    DurationOutOfRange,
    EquipmentBlackedOut,
    EquipmentUnavailable,
    HoldExpired,
    InvalidSpan,
    InvalidTransition,
    NotOnSlotGrid,
    OutsideCheckInWindow,
    OutsideOpeningHours,
    QualificationRequired,
    QuotaExceeded,
    ReasonRequired,
    ReservationConflict,
    SeriesConflict,
    SlotAvailable,
    StartsInPast,
    TooManyAttendees,
)
from .models import (
    ACTIVE,
    BLOCKING,
    Blackout,
    BookingQuota,
    Reservation,
    ReservationAttendee,
    ReservationEvent,
    Series,
    WaitlistEntry,
)
from .permissions import STAFF, is_staff_for, may_approve, sees_holder, visible_reservations
from .policy import BookingPolicy

BOOKING_ROLES = ("student", "instructor", "admin")


# ---------------------------------------------------------------- reading one

def get_visible_reservation(session: Session, actor: User, reservation_id: int,
                            *, lock: bool = False, expected_versions: list[int] | None = None
                            ) -> Reservation:
    stmt = select(Reservation).where(Reservation.id == reservation_id,
                                     visible_reservations(actor))
    if lock:
        stmt = stmt.with_for_update(of=Reservation)
    reservation = session.scalar(stmt)
    if reservation is None:
        raise NotFound(f"No reservation {reservation_id}.")
    check_version(reservation, expected_versions)
    return reservation


def history(session: Session, actor: User, reservation_id: int) -> list[ReservationEvent]:
    get_visible_reservation(session, actor, reservation_id)
    return list(session.scalars(select(ReservationEvent)
                                .where(ReservationEvent.reservation_id == reservation_id)
                                .order_by(ReservationEvent.at, ReservationEvent.id)))


# ---------------------------------------------------------------- what booking reads

@dataclass(frozen=True)
class BookingTarget:
    """What booking needs to know of an item, its base and category, read in one statement."""

    id: int
    name: str
    asset_tag: str
    status: str
    base_id: int
    base_name: str
    timezone: str
    category_id: int
    category_name: str
    owner_organisation_id: int
    slot_minutes: int
    min_duration_minutes: int
    max_duration_minutes: int
    setup_buffer_minutes: int
    booking_horizon_days: int
    requires_approval: bool
    requires_qualification: bool
    max_attendees: int
    opening_hours: tuple[tuple[int, time, time], ...]


_TARGET_COLUMNS = (
    Equipment.id, Equipment.name, Equipment.asset_tag, Equipment.status, Equipment.base_id,
    TrainingBase.name, TrainingBase.timezone, Equipment.category_id, EquipmentCategory.name,
    Equipment.owner_organisation_id, Equipment.slot_minutes, Equipment.min_duration_minutes,
    Equipment.max_duration_minutes, Equipment.setup_buffer_minutes,
    Equipment.booking_horizon_days, Equipment.requires_approval,
    Equipment.requires_qualification, Equipment.max_attendees)


def booking_target(session: Session, equipment_id: int, *, lock: bool = False
                   ) -> BookingTarget:
    """The item to book (422 when it does not exist)."""
    target = find_booking_target(session, equipment_id, lock=lock)
    if target is None:
        raise Invalid("No such equipment.", errors={"equipment_id": ["Does not exist."]})
    return target


@functools.cache
def _target_statement(lock: bool):
    # Built once: constructing and keying a statement costs more than running it here.
    hours = select(func.coalesce(func.json_agg(func.json_build_array(
        OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)), text("'[]'::json"))
    ).where(OpeningHours.base_id == Equipment.base_id).scalar_subquery()
    stmt = (select(*_TARGET_COLUMNS, hours)
            .join(TrainingBase, TrainingBase.id == Equipment.base_id)
            .join(EquipmentCategory, EquipmentCategory.id == Equipment.category_id)
            .where(Equipment.id == bindparam("equipment_id")))
    return stmt.with_for_update(read=True, of=Equipment) if lock else stmt


def find_booking_target(session: Session, equipment_id: int, *, lock: bool = False
                        ) -> BookingTarget | None:
    """The item, or None; with lock, FOR SHARE: bookings of one item run side by side but
    wait for a blackout being placed on it."""
    # Core on the session's connection: no ORM row handling on the booking hot path.
    row = session.connection().execute(_target_statement(lock),
                                       {"equipment_id": equipment_id}).one_or_none()
    if row is None:
        return None
    *values, spans = row
    return BookingTarget(*values, opening_hours=tuple(
        (day, time.fromisoformat(opens), time.fromisoformat(closes))
        for day, opens, closes in spans))


@dataclass
class Booked:
    """A reservation just written by `book`, with what its answer shows."""

    id: int
    version: int
    created_at: datetime
    equipment_id: int
    holder_id: int
    created_by_id: int
    series_id: int | None
    status: str
    starts_at: datetime
    ends_at: datetime
    blocked_until: datetime
    purpose: str
    hold_expires_at: datetime | None
    equipment: BookingTarget
    holder: User
    attendee_ids: list[int]
    checked_in_at: None = None
    checked_out_at: None = None


# ---------------------------------------------------------------- the rules of a span

@functools.cache
def _facts_statement():
    closed = select(Closure.id).where(
        Closure.base_id == bindparam("base_id"), Closure.starts_on <= bindparam("last_day"),
        Closure.ends_on >= bindparam("first_day")).exists()
    blacked_out = select(Blackout.id).where(
        Blackout.equipment_id == bindparam("equipment_id"),
        Blackout.starts_at < bindparam("ends_at"), Blackout.ends_at > bindparam("starts_at")
    ).exists()
    quota = select(BookingQuota).where(BookingQuota.organisation_id == bindparam("org_id"),
                                       BookingQuota.role == bindparam("role")).subquery()
    return select(closed, blacked_out, select(quota.c.weekly_hours).scalar_subquery(),
                  select(quota.c.active_reservations).scalar_subquery())


def _calendar_facts(session: Session, equipment: BookingTarget, starts_at: datetime,
                    ends_at: datetime, holder: User | None):
    """In one round trip: is the base closed, is the item blacked out, and the holder's quota
    (weekly hours, active reservations; None without a holder or a quota)."""
    days = rules.local_days(starts_at, ends_at, equipment.timezone)
    return session.connection().execute(_facts_statement(), {
        "base_id": equipment.base_id, "first_day": days[0], "last_day": days[-1],
        "equipment_id": equipment.id, "starts_at": starts_at, "ends_at": ends_at,
        "org_id": holder.organisation_id if holder else None,
        "role": holder.role if holder else None}).one()


def check_span(session: Session, equipment: BookingTarget, starts_at: datetime,
               ends_at: datetime,
               *, now: datetime, holder: User | None = None) -> tuple[int | None, int | None]:
    """Every rule of the item, its base and the calendar; raises the first one broken.
    Returns the holder's quota (weekly hours, active reservations) when a holder is given."""
    if ends_at <= starts_at:
        raise InvalidSpan(errors={"ends_at": ["Must be after starts_at."]})
    if equipment.status != "active":
        raise EquipmentUnavailable(f"The item is {equipment.status}.",
                                   equipment_status=equipment.status)
    tz = equipment.timezone
    slot = equipment.slot_minutes
    off_grid = {name: [f"Must be on the {slot}-minute grid of {tz}."]
                for name, value in (("starts_at", starts_at), ("ends_at", ends_at))
                if not rules.on_slot_grid(value, slot, tz)}
    if off_grid:
        raise NotOnSlotGrid(errors=off_grid)
    minutes = (ends_at - starts_at).total_seconds() / 60
    if not equipment.min_duration_minutes <= minutes <= equipment.max_duration_minutes:
        raise DurationOutOfRange(
            f"Book between {equipment.min_duration_minutes} and "
            f"{equipment.max_duration_minutes} minutes.", errors={"ends_at": ["Duration."]})
    if starts_at < now:
        raise StartsInPast(errors={"starts_at": ["Is in the past."]})
    if starts_at > now + timedelta(days=equipment.booking_horizon_days):
        raise BeyondBookingHorizon(
            f"Book at most {equipment.booking_horizon_days} days ahead.",
            errors={"starts_at": ["Beyond the booking horizon."]})
    windows = rules.opening_windows(equipment.opening_hours, tz, starts_at, ends_at)
    if not rules.covers(windows, starts_at, ends_at):
        raise OutsideOpeningHours(errors={"starts_at": ["Outside opening hours."]})
    closed, blacked_out, *quota = _calendar_facts(session, equipment, starts_at, ends_at, holder)
    if closed:
        days = rules.local_days(starts_at, ends_at, tz)
        closure = session.scalar(select(Closure).where(
            Closure.base_id == equipment.base_id, Closure.starts_on <= days[-1],
            Closure.ends_on >= days[0]).limit(1))
        raise BaseClosed(f"Closed {closure.starts_on} to {closure.ends_on}: {closure.reason}",
                         errors={"starts_at": ["The base is closed."]})
    if blacked_out:
        blackout = session.scalar(select(Blackout).where(
            Blackout.equipment_id == equipment.id, Blackout.starts_at < ends_at,
            Blackout.ends_at > starts_at).limit(1))
        raise EquipmentBlackedOut(
            f"Blacked out: {blackout.reason}", errors={"starts_at": ["In a blackout."]},
            conflicting_span={"starts_at": blackout.starts_at.isoformat(),
                              "ends_at": blackout.ends_at.isoformat()})
    return tuple(quota)


def _check_quota(session: Session, holder: User, equipment: BookingTarget, starts_at: datetime,
                 ends_at: datetime, now: datetime, weekly_hours: int | None,
                 active_reservations: int | None) -> None:
    """School quotas per role (instructors are exempt). The holder's row is locked first, so
    two simultaneous bookings of one person cannot both slip under the limit."""
    if holder.role == "instructor" or (weekly_hours is None and active_reservations is None):
        return
    session.execute(select(User.id).where(User.id == holder.id).with_for_update())
    if active_reservations is not None:
        active = session.scalar(select(func.count()).select_from(Reservation).where(
            Reservation.holder_id == holder.id, Reservation.status.in_(ACTIVE),
            Reservation.ends_at > now))
        if active >= active_reservations:
            raise QuotaExceeded(f"At most {active_reservations} active reservations.",
                                quota="active_reservations", limit=active_reservations)
    if weekly_hours is not None:
        week_start, week_end = rules.iso_week(starts_at, equipment.timezone)
        booked = session.scalar(select(func.coalesce(func.sum(
            func.extract("epoch", Reservation.ends_at - Reservation.starts_at)), 0)).where(
            Reservation.holder_id == holder.id,
            Reservation.status.in_((*ACTIVE, "completed")),
            Reservation.starts_at >= week_start, Reservation.starts_at < week_end))
        wanted = (ends_at - starts_at).total_seconds()
        if float(booked) + wanted > weekly_hours * 3600:
            raise QuotaExceeded(
                f"At most {weekly_hours} hours in the ISO week starting "
                f"{rules.local(week_start, equipment.timezone):%Y-%m-%d}.",
                quota="weekly_hours", limit=weekly_hours,
                booked_hours=round(float(booked) / 3600, 2))


# ---------------------------------------------------------------- creating

def _holder(session: Session, actor: User, holder_id: int | None) -> User:
    if holder_id is None or holder_id == actor.id:
        return actor
    if actor.role not in STAFF:
        raise Forbidden("Only instructors and admins book for someone else.",
                        errors={"holder_id": ["Not allowed for your role."]})
    holder = session.get(User, holder_id)
    if holder is None or holder.organisation_id != actor.organisation_id or not holder.is_active:
        raise Invalid("No such active user in your school.",
                      errors={"holder_id": ["Not an active member of your school."]})
    return holder


def _attendees(session: Session, actor: User, holder: User, equipment: BookingTarget,
               attendee_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(attendee_ids) - {holder.id})
    if ids and actor.role not in STAFF:
        raise Forbidden("Only instructors and admins book for a class.",
                        errors={"attendees": ["Not allowed for your role."]})
    if ids:
        found = set(session.scalars(select(User.id).where(
            User.id.in_(ids), User.organisation_id == actor.organisation_id,
            User.is_active.is_(True))))
        missing = [i for i in ids if i not in found]
        if missing:
            raise Invalid("Attendees must be active members of your school.",
                          errors={"attendees": [f"Unknown user {i}." for i in missing]})
    if len(ids) + 1 > equipment.max_attendees:
        raise TooManyAttendees(f"At most {equipment.max_attendees} people, holder included.",
                               errors={"attendees": ["Too many."]})
    return ids


def _conflict(session: Session, equipment_id: int, starts_at: datetime, blocked_until: datetime,
              actor: User) -> ReservationConflict:
    other = session.scalar(select(Reservation).where(
        Reservation.equipment_id == equipment_id, Reservation.status.in_(BLOCKING),
        func.tstzrange(Reservation.starts_at, Reservation.blocked_until).op("&&")(
            func.tstzrange(starts_at, blocked_until))).order_by(Reservation.starts_at).limit(1))
    if other is None:
        return ReservationConflict("The item was booked for an overlapping span meanwhile.")
    span = {"starts_at": other.starts_at.isoformat(), "ends_at": other.ends_at.isoformat(),
            "blocked_until": other.blocked_until.isoformat()}
    if sees_holder(actor, other.holder_id, other.holder.organisation_id,
                   other.equipment.owner_organisation_id):
        span["reservation_id"] = other.id
    return ReservationConflict(
        "The item is booked from {starts_at} to {ends_at} (free again at {blocked_until}).".format(
            **span), conflicting_span=span)


# The booking, its first event and its notice in one statement: one round trip, one check by
# the exclusion constraint, nothing written if it refuses.
_INSERT_RESERVATION = text("""
WITH booked AS (
    INSERT INTO reservations (equipment_id, holder_id, created_by_id, series_id, status,
                              starts_at, ends_at, blocked_until, purpose, hold_expires_at, version)
    VALUES (:equipment_id, :holder_id, :created_by_id, :series_id, :status, :starts_at,
            :ends_at, :blocked_until, :purpose, :hold_expires_at, 1)
    RETURNING id, version, created_at
), event AS (
    INSERT INTO reservation_events (reservation_id, actor_id, from_status, to_status, reason)
    SELECT id, :created_by_id, NULL, :status, :event_reason FROM booked
), notice AS (
    INSERT INTO notifications (user_id, kind, reservation_id, subject, body, data)
    SELECT :holder_id, :notice_kind, id, :notice_subject,
           :notice_body,
           CAST(:notice_data AS jsonb) || jsonb_build_object('reservation_id', id)
    FROM booked
)
SELECT id, version, created_at FROM booked
""").bindparams(bindparam("series_id", type_=BigInteger),
                bindparam("hold_expires_at", type_=DateTime(timezone=True)))


def _insert(session: Session, values: dict, actor: User, *, nested: bool):
    """Insert the row in one statement; the exclusion constraint has the last word. Inside a
    larger transaction (series, waitlist) a savepoint keeps the rest of it usable; a single
    booking simply rolls back before looking up what it collided with."""
    statement = _INSERT_RESERVATION
    try:
        if nested:
            with session.begin_nested():
                return session.connection().execute(statement, values).one()
        return session.connection().execute(statement, values).one()
    except IntegrityError as exc:
        if not isinstance(exc.orig, psycopg.errors.ExclusionViolation):
            raise
        if not nested:
            session.rollback()
    raise _conflict(session, values["equipment_id"], values["starts_at"],
                    values["blocked_until"], actor)


def record(session: Session, reservation: Reservation, to_status: str, actor: User | None,
           reason: str = "") -> None:
    """Move the reservation to a status and write the event that says who, when and why."""
    session.add(ReservationEvent(
        reservation_id=reservation.id, actor_id=actor.id if actor else None,
        from_status=reservation.status, to_status=to_status, reason=reason))
    reservation.status = to_status


def book(session: Session, actor: User, *, equipment_id: int, starts_at: datetime,
         ends_at: datetime, purpose: str = "", attendees: Iterable[int] = (),
         holder_id: int | None = None, series_id: int | None = None,
         hold_expires_at: datetime | None = None, now: datetime | None = None,
         nested: bool = True) -> Booked:
    """Validate and insert one reservation without committing (shared by reserve, series and
    waitlist offers). It is the hot path: a handful of statements and no ORM unit of work."""
    now = now or utcnow()
    # Answer in UTC like every other read, whatever offset the client wrote.
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    require_role(actor, *BOOKING_ROLES)
    holder = _holder(session, actor, holder_id)
    equipment = booking_target(session, equipment_id, lock=True)
    attendee_ids = _attendees(session, actor, holder, equipment, attendees)
    weekly_hours, active_limit = check_span(session, equipment, starts_at, ends_at, now=now,
                                            holder=holder)
    if equipment.requires_qualification and holder.role != "admin" and not \
            holds_valid_qualification(session, user_id=holder.id,
                                      category_id=equipment.category_id, at=ends_at):
        raise QualificationRequired(
            f"{holder.full_name} needs a valid '{equipment.category_name}' qualification "
            "lasting until the end of the reservation.", category_id=equipment.category_id)
    _check_quota(session, holder, equipment, starts_at, ends_at, now, weekly_hours, active_limit)
    if hold_expires_at is not None or equipment.requires_approval:
        status = "pending"
    else:
        status = "confirmed"
    values = {
        "equipment_id": equipment.id, "holder_id": holder.id, "created_by_id": actor.id,
        "series_id": series_id, "status": status, "starts_at": starts_at, "ends_at": ends_at,
        "blocked_until": ends_at + timedelta(minutes=equipment.setup_buffer_minutes),
        "purpose": purpose, "hold_expires_at": hold_expires_at,
    }
    kind = ("waitlist_offer" if hold_expires_at is not None
            else "pending_approval" if status == "pending" else "confirmed")
    draft = Booked(id=0, version=1, created_at=now, equipment=equipment, holder=holder,
                   attendee_ids=attendee_ids, **values)
    message = notice(draft, kind)
    written = _insert(session, {
        **values, "event_reason": "waitlist offer" if hold_expires_at else "",
        "notice_kind": kind, "notice_subject": message["subject"], "notice_body": message["body"],
        "notice_data": json.dumps(message["data"])}, actor, nested=nested)
    reservation = dataclasses.replace(draft, id=written.id, version=written.version,
                                      created_at=written.created_at)
    if attendee_ids:
        session.execute(insert(ReservationAttendee.__table__), [
            {"reservation_id": reservation.id, "user_id": i} for i in attendee_ids])
    return reservation


def reserve(session: Session, actor: User, **request) -> Booked:
    """Book an item for a span: confirmed at once, or pending when the item needs approval."""
    reservation = book(session, actor, nested=False, **request)
    session.commit()
    return reservation


# ---------------------------------------------------------------- lifecycle

def _require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise ReasonRequired(errors={"reason": ["Required."]})
    return reason.strip()


def _transition_error(reservation: Reservation, action: str) -> InvalidTransition:
    return InvalidTransition(f"A {reservation.status} reservation cannot be {action}.",
                             current_status=reservation.status)


def _still_qualified(session: Session, reservation: Reservation) -> None:
    """A qualification revoked or expired since booking stops the session going ahead."""
    equipment, holder = reservation.equipment, reservation.holder
    if equipment.requires_qualification and holder.role != "admin" and not \
            holds_valid_qualification(session, user_id=holder.id,
                                      category_id=equipment.category_id,
                                      at=reservation.ends_at):
        raise QualificationRequired(
            f"{holder.full_name} no longer holds a valid '{equipment.category.name}' "
            "qualification for this session.", category_id=equipment.category_id)


def _not_own(actor: User, reservation: Reservation) -> None:
    """Nobody decides on their own booking, either way."""
    if reservation.holder_id == actor.id or reservation.created_by_id == actor.id:
        raise Forbidden("Nobody approves or rejects their own reservation.",
                        code="own_reservation")


def approve(session: Session, actor: User, reservation_id: int, *, reason: str = "",
            now: datetime | None = None, expected_versions: list[int] | None = None
            ) -> Reservation:
    """The item's owner lets a pending booking go ahead (never their own, never too late)."""
    now = now or utcnow()
    reservation = get_visible_reservation(session, actor, reservation_id, lock=True,
                                          expected_versions=expected_versions)
    if not may_approve(actor, reservation):
        raise Forbidden("Only the item's owner approves its reservations.")
    _not_own(actor, reservation)
    if reservation.status != "pending" or reservation.hold_expires_at is not None \
            or reservation.starts_at <= now:
        raise _transition_error(reservation, "approved")
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
        raise Forbidden("Only the item's owner rejects its reservations.")
    _not_own(actor, reservation)
    reason = _require_reason(reason)
    if reservation.status != "pending" or reservation.hold_expires_at is not None:
        raise _transition_error(reservation, "rejected")
    record(session, reservation, "rejected", actor, reason)
    notify_about(session, reservation, "rejected", reason=reason)
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
    if reservation.holder_id == actor.id and reservation.status in ("pending", "confirmed") \
            and now < reservation.starts_at:
        reason = (reason or "").strip() or "cancelled by the holder"
    elif is_staff_for(actor, reservation):
        reason = _require_reason(reason)
        if reservation.status not in ACTIVE:
            raise _transition_error(reservation, "cancelled")
    elif reservation.holder_id == actor.id:
        raise _transition_error(reservation, "cancelled by its holder after it started")
    else:
        raise Forbidden("Only the holder or staff cancel a reservation.")
    freed_from = max(now, reservation.starts_at)
    record(session, reservation, "cancelled", actor, reason)
    if reservation.holder_id != actor.id:
        notify_about(session, reservation, "cancelled", reason=reason)
    _close_waitlist_entry(session, reservation, "cancelled")
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
        raise Forbidden("Only the holder takes up a waitlist offer.")
    if reservation.status != "pending" or reservation.hold_expires_at is None:
        raise _transition_error(reservation, "confirmed as a waitlist offer")
    if reservation.hold_expires_at <= now:
        raise HoldExpired()
    reservation.hold_expires_at = None
    if reservation.equipment.requires_approval:
        session.add(ReservationEvent(reservation_id=reservation.id, actor_id=actor.id,
                                     from_status="pending", to_status="pending",
                                     reason="waitlist offer taken up; awaiting approval"))
    else:
        record(session, reservation, "confirmed", actor, "waitlist offer taken up")
    _close_waitlist_entry(session, reservation, "fulfilled")
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
        raise _transition_error(reservation, action)
    return reservation


def check_in(session: Session, actor: User, reservation_id: int, *, policy: BookingPolicy,
             now: datetime | None = None, expected_versions: list[int] | None = None
             ) -> Reservation:
    now = now or utcnow()
    reservation = _holder_or_staff_moves(session, actor, reservation_id, expected_versions,
                                         from_status="confirmed", action="checked in")
    opens = reservation.starts_at - timedelta(minutes=policy.checkin_early_minutes)
    closes = reservation.starts_at + timedelta(minutes=policy.checkin_grace_minutes)
    if not opens <= now <= closes:
        raise OutsideCheckInWindow(
            f"Check-in is open from {opens.isoformat()} to {closes.isoformat()}.",
            opens_at=opens.isoformat(), closes_at=closes.isoformat())
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


# ---------------------------------------------------------------- waitlist offers

def _close_waitlist_entry(session: Session, reservation: Reservation, status: str) -> None:
    entry = session.scalar(select(WaitlistEntry).where(
        WaitlistEntry.reservation_id == reservation.id, WaitlistEntry.status == "offered"))
    if entry is not None:
        entry.status = status


def offer_freed_span(session: Session, equipment_id: int, start: datetime, end: datetime, *,
                     policy: BookingPolicy, now: datetime) -> list[Reservation]:
    """Offer a freed span to waiting users, oldest wish first, as pending holds that expire.

    An entry that no longer fits (rules, qualification, overlap) keeps waiting.
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
                    hold_expires_at=now + timedelta(minutes=policy.hold_minutes))
        except DomainError:
            continue
        entry.status = "offered"
        entry.reservation_id = reservation.id
        offers.append(reservation)
    return offers


# ---------------------------------------------------------------- scheduled work

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
    """Waitlist offers not taken up in time lapse; the slot goes to the next in line. Pending
    approvals still undecided at their start lapse too."""
    now = now or utcnow()
    lapsed = session.scalars(_active_where(
        Reservation.status == "pending",
        ((Reservation.hold_expires_at.is_not(None)) & (Reservation.hold_expires_at <= now))
        | (Reservation.starts_at <= now))).all()
    for reservation in lapsed:
        offer = reservation.hold_expires_at is not None
        reason = "waitlist offer expired" if offer else "not approved before the start"
        record(session, reservation, "cancelled", None, reason)
        notify_about(session, reservation, "cancelled", reason=reason)
        _close_waitlist_entry(session, reservation, "expired")
        offer_freed_span(session, reservation.equipment_id, max(now, reservation.starts_at),
                         reservation.blocked_until, policy=policy, now=now)
    session.commit()
    return len(lapsed)


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


# ---------------------------------------------------------------- blackouts

def _require_equipment_manager(session: Session, actor: User, equipment_id: int,
                               lock: bool = False) -> Equipment:
    """Blackouts are the owner's business: its admins (school) or staff (enterprise). They may
    cancel bookings of people from elsewhere, so admins of other schools may not."""
    stmt = select(Equipment).where(Equipment.id == equipment_id)
    if lock:
        stmt = stmt.with_for_update(of=Equipment)
    equipment = session.scalar(stmt)
    if equipment is None:
        raise NotFound(f"No equipment {equipment_id}.")
    require_role(actor, "admin", "enterprise_staff")
    if equipment.owner_organisation_id != actor.organisation_id:
        raise Forbidden("Only the item's owner places or lifts its blackouts.",
                        code="not_your_equipment")
    return equipment


def list_blackouts(session: Session, equipment_id: int, *, start: datetime | None = None,
                   end: datetime | None = None) -> list[Blackout]:
    if session.get(Equipment, equipment_id) is None:
        raise NotFound(f"No equipment {equipment_id}.")
    stmt = select(Blackout).where(Blackout.equipment_id == equipment_id)
    if start is not None:
        stmt = stmt.where(Blackout.ends_at > start)
    if end is not None:
        stmt = stmt.where(Blackout.starts_at < end)
    return list(session.scalars(stmt.order_by(Blackout.starts_at).limit(500)))


def add_blackout(session: Session, actor: User, equipment_id: int, *, starts_at: datetime,
                 ends_at: datetime, reason: str, cancel_conflicting: bool = False,
                 policy: BookingPolicy, now: datetime | None = None) -> Blackout:
    """Block an item; reservations inside it are listed (409) or, when asked, cancelled."""
    now = now or utcnow()
    if ends_at <= starts_at:
        raise InvalidSpan(errors={"ends_at": ["Must be after starts_at."]})
    # FOR UPDATE waits for bookings in flight on this item and holds off new ones.
    _require_equipment_manager(session, actor, equipment_id, lock=True)
    conflicting = session.scalars(select(Reservation).where(
        Reservation.equipment_id == equipment_id, Reservation.status.in_(ACTIVE),
        Reservation.starts_at < ends_at, Reservation.ends_at > starts_at)
        .order_by(Reservation.starts_at).with_for_update(of=Reservation)).all()
    if conflicting and not cancel_conflicting:
        raise BlackoutConflict(
            f"{len(conflicting)} reservation(s) fall inside; repeat with "
            "cancel_conflicting=true to cancel them.",
            conflicting_reservations=[
                {"reservation_id": r.id, "starts_at": r.starts_at.isoformat(),
                 "ends_at": r.ends_at.isoformat(), "status": r.status} for r in conflicting])
    blackout = Blackout(equipment_id=equipment_id, starts_at=starts_at, ends_at=ends_at,
                        reason=reason, created_by_id=actor.id)
    session.add(blackout)
    why = f"blackout: {reason}"[:500]
    for reservation in conflicting:
        record(session, reservation, "cancelled", actor, why)
        notify_about(session, reservation, "cancelled", reason=why)
        _close_waitlist_entry(session, reservation, "cancelled")
    session.commit()
    return blackout


def remove_blackout(session: Session, actor: User, equipment_id: int, blackout_id: int, *,
                    policy: BookingPolicy, now: datetime | None = None) -> None:
    """Lift a blackout; waiting users are offered what it freed."""
    _require_equipment_manager(session, actor, equipment_id, lock=True)
    blackout = session.get(Blackout, blackout_id)
    if blackout is None or blackout.equipment_id != equipment_id:
        raise NotFound(f"No blackout {blackout_id} on equipment {equipment_id}.")
    session.delete(blackout)
    session.flush()
    offer_freed_span(session, equipment_id, blackout.starts_at, blackout.ends_at,
                     policy=policy, now=now or utcnow())
    session.commit()


# ---------------------------------------------------------------- series

def book_series(session: Session, actor: User, *, equipment_id: int, weekdays: list[int],
                start_time, duration_minutes: int, starts_on, until=None, count=None,
                purpose: str = "", attendees: Iterable[int] = (), holder_id: int | None = None,
                skip_conflicts: bool = False, policy: BookingPolicy,
                now: datetime | None = None) -> tuple[Series, list[Reservation], list[dict]]:
    """Book weekly sessions: all or nothing, or (skip_conflicts) every date that fits."""
    now = now or utcnow()
    require_role(actor, *STAFF)
    _holder(session, actor, holder_id)
    if (until is None) == (count is None):
        raise Invalid("Give either until or count.", code="series_end_required",
                      errors={"until": ["Give until or count, not both."]})
    equipment = booking_target(session, equipment_id)
    dates = rules.series_dates(weekdays, starts_on, until, count,
                               limit=policy.series_max_occurrences + 1)
    if len(dates) > policy.series_max_occurrences:
        raise Invalid(f"At most {policy.series_max_occurrences} sessions in one series.",
                      code="series_too_long", errors={"until": ["Too many sessions."]})
    if not dates:
        raise Invalid("No session falls on those weekdays in that period.",
                      code="series_empty", errors={"weekdays": ["No matching day."]})
    tz = equipment.timezone
    series = Series(equipment_id=equipment_id, holder_id=holder_id or actor.id,
                    created_by_id=actor.id, weekdays=sorted(set(weekdays)),
                    local_start=start_time, duration_minutes=duration_minutes,
                    starts_on=dates[0], until_on=dates[-1], purpose=purpose)
    session.add(series)
    session.flush()
    booked, skipped = [], []
    for day in dates:
        starts_at = rules.at_local(day, start_time, tz)
        try:
            with session.begin_nested():
                booked.append(book(
                    session, actor, equipment_id=equipment_id, starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=duration_minutes), purpose=purpose,
                    attendees=attendees, holder_id=holder_id, series_id=series.id, now=now))
        except DomainError as exc:
            skipped.append({"date": day.isoformat(), "code": exc.code, "detail": exc.detail})
    if skipped and (not skip_conflicts or not booked):
        session.rollback()
        raise SeriesConflict(
            f"{len(skipped)} of {len(dates)} sessions cannot be booked"
            + ("" if skip_conflicts else "; nothing was booked (use skip_conflicts=true)."),
            skipped=skipped)
    session.commit()
    return series, booked, skipped


def get_visible_series(session: Session, actor: User, series_id: int) -> Series:
    series = session.get(Series, series_id)
    if series is None:
        raise NotFound(f"No series {series_id}.")
    visible = session.scalar(select(func.count()).select_from(Reservation).where(
        Reservation.series_id == series_id, visible_reservations(actor)))
    if not visible and series.created_by_id != actor.id:
        raise NotFound(f"No series {series_id}.")
    return series


def series_reservations(session: Session, series_id: int) -> list[Reservation]:
    return list(session.scalars(select(Reservation).where(Reservation.series_id == series_id)
                                .order_by(Reservation.starts_at)))


def cancel_series(session: Session, actor: User, series_id: int, *, scope: str,
                  reservation_id: int | None, reason: str | None, policy: BookingPolicy,
                  now: datetime | None = None) -> list[Reservation]:
    """Cancel one session, this one and the following, or all future ones."""
    now = now or utcnow()
    series = get_visible_series(session, actor, series_id)
    if series.created_by_id != actor.id and actor.role != "admin":
        raise Forbidden("Only whoever booked the series (or an admin) cancels it.")
    reason = _require_reason(reason)
    stmt = select(Reservation).where(Reservation.series_id == series_id,
                                     Reservation.status.in_(("pending", "confirmed")),
                                     Reservation.starts_at > now)
    if scope in ("one", "following"):
        if reservation_id is None:
            raise Invalid("Name the session.", errors={"reservation_id": ["Required."]})
        anchor = session.get(Reservation, reservation_id)
        if anchor is None or anchor.series_id != series_id:
            raise Invalid("Not a session of this series.",
                          errors={"reservation_id": ["Not in this series."]})
        stmt = stmt.where(Reservation.id == anchor.id) if scope == "one" else stmt.where(
            Reservation.starts_at >= anchor.starts_at)
    cancelled = list(session.scalars(stmt.order_by(Reservation.starts_at)
                                     .with_for_update(of=Reservation)))
    for reservation in cancelled:
        record(session, reservation, "cancelled", actor, reason)
        notify_about(session, reservation, "cancelled", reason=reason)
        offer_freed_span(session, reservation.equipment_id, reservation.starts_at,
                         reservation.blocked_until, policy=policy, now=now)
    session.commit()
    return cancelled


# ---------------------------------------------------------------- waitlist

def join_waitlist(session: Session, actor: User, *, equipment_id: int, starts_at: datetime,
                  ends_at: datetime, purpose: str = "", now: datetime | None = None
                  ) -> WaitlistEntry:
    """Wait for a span that is taken now; it must be one the user could otherwise book."""
    now = now or utcnow()
    require_role(actor, *BOOKING_ROLES)
    equipment = booking_target(session, equipment_id)
    check_span(session, equipment, starts_at, ends_at, now=now)
    blocked_until = ends_at + timedelta(minutes=equipment.setup_buffer_minutes)
    taken = session.scalar(select(Reservation.id).where(
        Reservation.equipment_id == equipment_id, Reservation.status.in_(BLOCKING),
        func.tstzrange(Reservation.starts_at, Reservation.blocked_until).op("&&")(
            func.tstzrange(starts_at, blocked_until))).limit(1))
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


# ---------------------------------------------------------------- quotas

def set_quota(session: Session, actor: User, organisation_id: int, role: str, *,
              weekly_hours: int | None, active_reservations: int | None) -> BookingQuota:
    """An admin sets their school's limits for a role (null means no limit)."""
    require_role(actor, "admin")
    if organisation_id != actor.organisation_id:
        raise Forbidden("You set quotas of your own school only.", code="not_your_organisation")
    quota = session.get(BookingQuota, (organisation_id, role))
    if quota is None:
        quota = BookingQuota(organisation_id=organisation_id, role=role)
        session.add(quota)
    quota.weekly_hours = weekly_hours
    quota.active_reservations = active_reservations
    session.commit()
    return quota


def list_quotas(session: Session, actor: User, organisation_id: int) -> list[BookingQuota]:
    if organisation_id != actor.organisation_id:
        raise NotFound(f"No quotas visible for organisation {organisation_id}.")
    return list(session.scalars(select(BookingQuota).where(
        BookingQuota.organisation_id == organisation_id).order_by(BookingQuota.role)))
