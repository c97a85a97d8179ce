"""The booking hot path: validate a span, insert the reservation, its event and notice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg.errors
from sqlalchemy import (
    CompoundSelect,
    bindparam,
    cast,
    func,
    insert,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..classes.models import SchoolClass
from ..classes.rules import class_for_booking
from ..db import HotRow, HotStatement, utcnow
from ..i18n import lazy_gettext
from ..idempotency.keys import made
from ..metrics import booking_written
from ..notifications.models import Notification
from ..notifications.services import Occasion, notice
from .conflicts import blocking, conflict
from .deadlines import decision_deadline
from .errors import ReservationConflict
from .models import Reservation, ReservationAttendee, ReservationEvent
from .targets import BookingTarget
from .transitions import approver_ids, tell
from .verdicts import judge


@dataclass(frozen=True)
class Booked:
    """A reservation just written by `book`, with what its answer shows: the booking hot path
    answers from what it wrote rather than loading the row back."""

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
    offer_id: int | None
    decide_by: datetime | None
    equipment: BookingTarget
    holder: User
    attendee_ids: list[int]
    class_id: int | None = None
    school_class: SchoolClass | None = None
    checked_in_at: None = None
    checked_out_at: None = None


class Collision(Exception):
    """The exclusion constraint refused the row: the span overlaps another booking, `blocker`
    when the refusing statement saw it. `aborted` when the refusal ended the transaction (a
    deadlock), which must be rolled back first."""

    def __init__(self, equipment_id: int, starts_at: datetime, blocked_until: datetime, *,
                 aborted: bool = False, blocker: HotRow | None = None):
        super().__init__(equipment_id, starts_at, blocked_until)
        self.span = equipment_id, starts_at, blocked_until
        self.aborted = aborted
        self.blocker = blocker


_WRITTEN = ("equipment_id", "holder_id", "created_by_id", "series_id", "status", "starts_at",
            "ends_at", "blocked_until", "purpose", "hold_expires_at", "offer_id", "decide_by",
            "class_id")


def _insert_statement() -> CompoundSelect:
    """The booking, its first event and its notice in one statement: one round trip, one
    check by the exclusion constraint, nothing written if it refuses. Built from the mapped
    tables, so a renamed or retyped column fails here, at build time."""
    reservations, events = Reservation.__table__, ReservationEvent.__table__
    notices = Notification.__table__

    def param(name, column):
        return bindparam(name, type_=column.type)

    # ON CONFLICT DO NOTHING: a span the exclusion constraint refuses inserts nothing (nor,
    # through the CTEs, its event or notice) and leaves the transaction usable, so the refusal
    # is explained in the same transaction, with no ROLLBACK to throw psycopg's prepared
    # statements away. A concurrent overlapping insert is still waited for, as before.
    booked = (postgresql.insert(reservations)
              .values({**{name: param(name, reservations.c[name]) for name in _WRITTEN},
                       "version": 1})
              .on_conflict_do_nothing()
              .returning(reservations.c.id, reservations.c.version, reservations.c.created_at)
              .cte("booked"))
    event = insert(events).from_select(
        ["reservation_id", "actor_id", "from_status", "to_status", "reason"],
        select(booked.c.id, param("created_by_id", events.c.actor_id), null(),
               param("status", events.c.to_status), param("event_reason", events.c.reason))
    ).cte("event")
    notice_row = insert(notices).from_select(
        ["user_id", "kind", "reservation_id", "subject", "body", "data"],
        # The notice's data names the reservation, whose id exists only once it is written.
        select(param("holder_id", notices.c.user_id), param("notice_kind", notices.c.kind),
               booked.c.id, param("notice_subject", notices.c.subject),
               param("notice_body", notices.c.body),
               param("notice_data", notices.c.data).op("||")(
                   func.jsonb_build_object("reservation_id", booked.c.id)))
    ).cte("notice")
    # Refused, the same statement names the booking in the way (as its snapshot has it: one
    # committed after the snapshot leaves this empty, and `conflict` looks again).
    blocker = blocking(param("equipment_id", reservations.c.equipment_id),
                        param("starts_at", reservations.c.starts_at),
                        param("blocked_until", reservations.c.blocked_until)
                        ).where(~select(booked.c.id).exists())
    # One shape for both: id, version and created_at (NULL for a blocker), the blocker's rest.
    rest = list(blocker.selected_columns)[1:]
    wrote = select(booked.c.id, booked.c.version, booked.c.created_at,
                   *[cast(null(), c.type).label(c.name) for c in rest])
    blocker = blocker.with_only_columns(blocker.selected_columns.id,
                                        cast(null(), booked.c.version.type),
                                        cast(null(), booked.c.created_at.type), *rest)
    return union_all(wrote, blocker).add_cte(event, notice_row)


_INSERT = HotStatement(_insert_statement)


def _insert(session: Session, values: dict, *, nested: bool) -> HotRow:
    """Insert the row; the exclusion constraint has the last word (no row back: Collision).
    Inside a larger transaction (series, waitlist offers) a savepoint keeps the rest of it
    usable should PostgreSQL end the insert as a deadlock."""
    try:
        if nested:
            with session.begin_nested():
                written = _INSERT.first(session, values)
        else:
            written = _INSERT.first(session, values)
    except DBAPIError as exc:
        # Two inserts of overlapping spans that each reach the exclusion check before the
        # other commits wait for each other; PostgreSQL ends one of them as a deadlock and the
        # other keeps the slot. For the one it ended that is a lost race, not an outage (and
        # its transaction is aborted: `aborted` tells the owner to roll back first).
        if isinstance(exc.orig, psycopg.errors.DeadlockDetected):
            raise Collision(values["equipment_id"], values["starts_at"],
                            values["blocked_until"], aborted=not nested) from exc
        raise
    if written is None or written.version is None:  # refused; the blocker, when seen
        raise Collision(values["equipment_id"], values["starts_at"], values["blocked_until"],
                        blocker=written)
    return written


def book(session: Session, actor: User, *, equipment_id: int, starts_at: datetime,
         ends_at: datetime, purpose: str = "", attendees: Iterable[int] = (),
         holder_id: int | None = None, series_id: int | None = None,
         hold_expires_at: datetime | None = None, now: datetime | None = None,
         nested: bool = True, school_class: tuple[SchoolClass, list[int]] | None = None
         ) -> Booked:
    """Validate (verdicts.judge, every rule) and insert one reservation without committing
    (shared by reserve, series and waitlist offers). It is the hot path: a handful of
    statements and no ORM unit of work. `school_class`: the class booked for and its members
    (classes.rules.class_for_booking), who join the attendees."""
    now = now or utcnow()
    if school_class is not None:
        attendees = [*attendees, *school_class[1]]
    # Answer in UTC like every other read, whatever offset the client wrote.
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    verdict = judge(session, actor, equipment_id=equipment_id, starts_at=starts_at,
                    ends_at=ends_at, attendees=attendees, holder_id=holder_id,
                    hold_expires_at=hold_expires_at, now=now, lock=True)
    equipment, holder, attendee_ids = verdict.equipment, verdict.holder, verdict.attendee_ids
    terms, status = verdict.terms, verdict.status
    values = {
        "equipment_id": equipment.id, "holder_id": holder.id, "created_by_id": actor.id,
        "series_id": series_id, "status": status, "starts_at": starts_at, "ends_at": ends_at,
        "blocked_until": verdict.blocked_until,
        "purpose": purpose, "hold_expires_at": hold_expires_at,
        "offer_id": terms.offer_id if terms else None,
        "decide_by": (decision_deadline(terms.approval_hours, starts_at, now)
                      if verdict.offer_decides else None),
        "class_id": school_class[0].id if school_class else None,
    }
    kind = ("waitlist_offer" if hold_expires_at is not None
            else "pending_approval" if status == "pending" else "confirmed")
    occasion = Occasion(
        equipment_id=equipment.id, equipment_name=equipment.name, asset_tag=equipment.asset_tag,
        base_name=equipment.base_name, timezone=equipment.timezone, starts_at=starts_at,
        ends_at=ends_at, hold_expires_at=hold_expires_at, decide_by=values["decide_by"])
    message = notice(occasion, kind, language=holder.language)
    try:
        written = _insert(session, {
            **values, "event_reason": "waitlist offer" if hold_expires_at else "",
            "notice_kind": kind, "notice_subject": message["subject"],
            "notice_body": message["body"], "notice_data": message["data"]}, nested=nested)
    except Collision as collision:
        if collision.aborted:
            raise  # its owner rolls back, then explains
        raise conflict(session, *collision.span, actor, collision.blocker,
                       tz=equipment.timezone) from None
    booking_written(session, kind)  # metrics: counted if the transaction commits
    if attendee_ids:
        session.execute(insert(ReservationAttendee.__table__), [
            {"reservation_id": written.id, "user_id": i} for i in attendee_ids])
    _tell_others(session, actor, holder, equipment, written.id, occasion, attendee_ids,
                 request=kind == "pending_approval")
    return Booked(id=written.id, version=written.version, created_at=written.created_at,
                  equipment=equipment, holder=holder, attendee_ids=attendee_ids,
                  school_class=school_class[0] if school_class else None, **values)


def _tell_others(session: Session, actor: User, holder: User, equipment: BookingTarget,
                 reservation_id: int, occasion: Occasion, attendee_ids: list[int], *,
                 request: bool) -> None:
    """Besides the holder: the item's approvers hear of a request to decide, a class's
    attendees that it is booked (nobody of their own doing)."""
    if request:
        tell(session, approver_ids(session, owner_organisation_id=equipment.owner_organisation_id,
                                   owner_kind=equipment.owner_kind,
                                   exclude=(holder.id, actor.id)),
             kind="request_received", reservation_id=reservation_id, occasion=occasion,
             holder=holder.full_name)
    tell(session, [i for i in attendee_ids if i != actor.id], kind="class_booked",
         reservation_id=reservation_id, occasion=occasion, holder=holder.full_name,
         reason=lazy_gettext("it awaits the owner's approval") if request else "")


def reserve(session: Session, actor: User, *, class_name: str | None = None,
            **request) -> Booked:
    """Book an item for a span: confirmed at once, or pending when the item needs approval;
    for a class by its name (its members at this moment attend)."""
    if class_name is not None:
        request["school_class"] = class_for_booking(session, actor, class_name)
    try:
        reservation = book(session, actor, nested=False, **request)
    except Collision as collision:
        session.rollback()
        raise conflict(session, *collision.span, actor) from None
    except ReservationConflict:
        # Refused by ON CONFLICT: nothing was written (the booking path writes only through
        # that one statement), so COMMIT ends the transaction as a ROLLBACK would, releasing
        # its row locks, and the connection keeps its prepared statements.
        session.commit()
        raise
    made(session, reservation_id=reservation.id)  # the keyed request's claim leads to it
    session.commit()
    return reservation
