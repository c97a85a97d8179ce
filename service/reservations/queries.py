"""Read side of the booking engine: lists, availability, items free for a span."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    String,
    bindparam,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from ..accounts.models import Organisation, User
from ..accounts.permissions import BOOKING_ROLES
from ..calendar import grid, spans, wallclock
from ..calendar.sql import WallClock
from ..catalogue.models import Closure, Equipment, Qualification, TrainingBase
from ..catalogue.permissions import sees_equipment
from ..db import HotStatement, utcnow
from ..errors import Invalid, NotFound
from ..pagination import paginate
from ..versioning import check_version
from . import offered
from .models import Blackout, Reservation, ReservationEvent, Series, WaitlistEntry
from .permissions import decidable_reservations, sees_holder, visible_reservations
from .policy import BookingPolicy
from .targets import BookingTarget, find_booking_target


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


def list_reservations(session: Session, actor: User, *, page: int, page_size: int, sort: str,
                      equipment_id: int | None = None, holder_id: int | None = None,
                      status: list[str] | None = None, series_id: int | None = None,
                      from_: datetime | None = None, to: datetime | None = None,
                      decidable: bool | None = None, now: datetime | None = None) -> dict:
    stmt = select(Reservation).where(visible_reservations(actor))
    if decidable is not None:
        mine_to_decide = decidable_reservations(actor, now or utcnow())
        stmt = stmt.where(mine_to_decide if decidable else not_(mine_to_decide))
    if equipment_id is not None:
        stmt = stmt.where(Reservation.equipment_id == equipment_id)
    if holder_id is not None:
        stmt = stmt.where(Reservation.holder_id == holder_id)
    if status:
        stmt = stmt.where(Reservation.status.in_(status))
    if series_id is not None:
        stmt = stmt.where(Reservation.series_id == series_id)
    if from_ is not None:
        stmt = stmt.where(Reservation.ends_at > from_)
    if to is not None:
        stmt = stmt.where(Reservation.starts_at < to)
    columns = {"id": Reservation.id, "starts_at": Reservation.starts_at,
               "created_at": Reservation.created_at}
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort, columns=columns,
                    tiebreak=Reservation.id)


def _window(equipment: BookingTarget, start: datetime, end: datetime, policy: BookingPolicy,
            now: datetime) -> None:
    if end <= start:
        raise Invalid("`to` must be after `from`.", code="invalid_span",
                      errors={"to": ["Must be after from."]})
    if end - start > timedelta(days=policy.availability_max_days):
        raise Invalid(f"Ask for at most {policy.availability_max_days} days at a time.",
                      code="window_too_large", errors={"to": ["Window too large."]})
    if end > now + timedelta(days=equipment.booking_horizon_days + 1):
        raise Invalid(f"This item is booked at most {equipment.booking_horizon_days} days ahead.",
                      code="beyond_booking_horizon", errors={"to": ["Beyond the horizon."]})


def availability(session: Session, actor: User, equipment_id: int, *, start: datetime,
                 end: datetime, policy: BookingPolicy, now: datetime | None = None) -> dict:
    """Free and busy spans of one item, honouring opening hours, closures, blackouts and the
    setup buffers on both sides of a booking. Three statements, no ORM rows on the hot path."""
    now = now or utcnow()
    equipment = find_booking_target(session, equipment_id)
    if equipment is None or not sees_equipment(session, actor, equipment.id,
                                               equipment.owner_organisation_id, now):
        raise NotFound(f"No equipment {equipment_id}.")
    _window(equipment, start, end, policy, now)
    tz = equipment.timezone
    buffer = timedelta(minutes=equipment.setup_buffer_minutes)
    days = wallclock.local_days(start, end, tz)
    rows = _BUSY_AND_CLOSED.rows(session, {
        "equipment_id": equipment.id, "base_id": equipment.base_id, "first_day": days[0],
        "last_day": days[-1], "start": start, "end": end, "window_end": end + buffer})

    closed, blocking, busy = [], [], []
    seen: dict[tuple[int, int], bool] = {}  # whether the actor sees who holds, per holder
    for kind, starts_at, ends_at, blocked_until, status, row_id, holder_id, holder_org, note \
            in rows:
        if kind == "closure":  # its first and last local day (see _busy_and_closed)
            closed += wallclock.closed_spans([(starts_at.date(), ends_at.date())], tz)
            continue
        span = {"kind": kind, "starts_at": _iso(starts_at), "ends_at": _iso(ends_at),
                "blocked_until": _iso(blocked_until)}
        if kind == "blackout":
            blocking.append((starts_at, ends_at))
            span["reason"] = note
        else:
            # A new booking needs its own buffer free before the next one starts.
            blocking.append((starts_at - buffer, blocked_until))
            span["status"] = status
            if (sees := seen.get((holder_id, holder_org))) is None:
                sees = seen[holder_id, holder_org] = sees_holder(
                    actor, holder_id, holder_org, equipment.owner_organisation_id)
            if sees:
                span.update(reservation_id=row_id, holder_id=holder_id, holder_name=note)
        busy.append(span)
    free: list[tuple[datetime, datetime]] = []
    open_spans = wallclock.opening_windows(equipment.opening_hours, tz, start, end)
    terms = None
    if equipment.under_offer_for(actor.organisation_id):  # the owner's staff: opening hours
        offer_spans, terms = offered.bookable_spans(session, actor, equipment, start, end)
        open_spans = spans.intersect(open_spans, offer_spans)
    if equipment.status == "active":
        cuts = [*closed, *blocking, (start, max(start, now))]
        free = grid.bookable(spans.subtract(open_spans, cuts), equipment.slot_minutes,
                              equipment.min_duration_minutes, tz)
    # Instants leave as ISO 8601 text: this read is hot and carries hundreds of spans.
    answer = {"equipment_id": equipment_id, "timezone": tz, "from": _iso(start),
              "to": _iso(end), "busy": busy,
              "free": [{"starts_at": _iso(s), "ends_at": _iso(e)} for s, e in free]}
    if terms is not None:
        answer["offer"] = _offer_view(session, terms, tz, start, end)
    return answer


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAYS: dict[int, str] = {}  # days since 1970-01-01 -> "2026-03-29T"
_TIMES: dict[int, str] = {}  # seconds into a UTC day -> "01:00:00+00:00"


def _iso(instant: datetime) -> str:
    """instant.isoformat(), from its own two halves kept for instants in UTC to the second
    (a day's prefix, a second's suffix): formatting hundreds cost more than the rest of the
    answer's Python."""
    if instant.tzinfo is not UTC or instant.microsecond:
        return instant.isoformat()
    since = instant - _EPOCH  # both in UTC: plain arithmetic
    try:
        return _DAYS[since.days] + _TIMES[since.seconds]
    except KeyError:
        if len(_DAYS) > 100_000:  # at most 86,400 seconds, but days go on
            _DAYS.clear()
        text = instant.isoformat()
        _DAYS[since.days], _TIMES[since.seconds] = text[:11], text[11:]
        return text


def _offer_view(session: Session, terms: offered.OfferTerms, tz: str, start: datetime,
                end: datetime) -> dict:
    """The terms a school's member books an enterprise's item under, and what is left of
    each week's budget."""
    return {"offer_id": terms.offer_id, "weekly_hours_budget": terms.weekly_hours_budget,
            "requires_approval": terms.requires_approval,
            "approval_hours": terms.approval_hours,
            "supervisor_on_site": terms.supervisor_on_site,
            "supervisor_contact": terms.supervisor_contact,
            "allowed_uses": terms.allowed_uses, "asks_back": terms.asks_back,
            "weeks": offered.week_usage(session, terms, tz, start, end)}


@functools.cache
def _busy_and_closed():
    """Reservations, blackouts and closed days in one query, built once (constructing it cost
    more than running it)."""
    start, end = bindparam("start", type_=DateTime(timezone=True)), bindparam(
        "end", type_=DateTime(timezone=True))
    reservations = select(
        literal("reservation").label("kind"), Reservation.starts_at, Reservation.ends_at,
        Reservation.blocked_until, Reservation.status, Reservation.id, Reservation.holder_id,
        User.organisation_id.label("holder_organisation_id"), User.full_name.label("note"),
    ).join(User, User.id == Reservation.holder_id).where(
        Reservation.equipment_id == bindparam("equipment_id", type_=BigInteger),
        # A booking starting up to one buffer after `end` still shortens what is free.
        Reservation.blocks(start, bindparam("window_end", type_=DateTime(timezone=True))))
    blackouts = select(
        literal("blackout"), Blackout.starts_at, Blackout.ends_at, Blackout.ends_at,
        literal(None, String), Blackout.id, literal(None, BigInteger), literal(None, BigInteger),
        Blackout.reason,
    ).where(Blackout.equipment_id == bindparam("equipment_id", type_=BigInteger),
            Blackout.starts_at < end, Blackout.ends_at > start)
    # A closure's local days, not instants: the rows carry its first and last day as
    # midnights of UTC, and availability turns them into the base's local midnights with the
    # calendar's at_local (one zone conversion in Python per closure, none in SQL).
    first_day = bindparam("first_day", type_=Date)
    last_day = bindparam("last_day", type_=Date)
    closures = select(
        literal("closure"), cast(Closure.starts_on, DateTime(timezone=True)),
        cast(Closure.ends_on, DateTime(timezone=True)),
        cast(Closure.ends_on, DateTime(timezone=True)), literal(None, String), Closure.id,
        literal(None, BigInteger), literal(None, BigInteger), Closure.reason,
    ).where(Closure.base_id == bindparam("base_id", type_=BigInteger),
            Closure.starts_on <= last_day, Closure.ends_on >= first_day)
    union = union_all(reservations, blackouts, closures).subquery()
    return select(union).order_by(union.c.starts_at)


_BUSY_AND_CLOSED = HotStatement(_busy_and_closed)


def open_base_ids(session: Session, start: datetime, end: datetime) -> list[int]:
    """Bases open, and not closed, for all of [start, end): two queries whatever their number."""
    # One day of slack either side covers every time zone; each base then checks its own days.
    first, last = (start - timedelta(days=1)).date(), (end + timedelta(days=1)).date()
    closures: dict[int, list[tuple]] = {}
    for base_id, starts_on, ends_on in session.execute(
            select(Closure.base_id, Closure.starts_on, Closure.ends_on)
            .where(Closure.starts_on <= last, Closure.ends_on >= first)):
        closures.setdefault(base_id, []).append((starts_on, ends_on))
    ids = []
    for base in session.scalars(select(TrainingBase)):
        windows = wallclock.opening_windows(base.weekly_hours, base.timezone, start, end)
        if not spans.covers(windows, start, end):
            continue
        days = wallclock.local_days(start, end, base.timezone)
        if not any(s <= days[-1] and e >= days[0] for s, e in closures.get(base.id, ())):
            ids.append(base.id)
    return ids


def _on_grid(instant: datetime):
    """SQL: whether the instant sits on the item's slot grid in its base's wall-clock time."""
    zone = select(TrainingBase.timezone).where(
        TrainingBase.id == Equipment.base_id).scalar_subquery()
    wall = WallClock(instant, zone)
    minutes = cast(func.extract("hour", wall) * 60 + func.extract("minute", wall), BigInteger)
    return (func.extract("second", wall) == 0) & (minutes % Equipment.slot_minutes == 0)


def _bookable_span(actor: User, start: datetime, end: datetime, now: datetime):
    """SQL: the item's own rules a booking of exactly [start, end) must meet now: its slot
    grid, its shortest and longest booking, its horizon, and (for those it binds) a
    qualification lasting until the end. Quotas are left to the booking itself."""
    minutes = (end - start).total_seconds() / 60
    rules_met = _on_grid(start) & _on_grid(end) & (
        Equipment.min_duration_minutes <= minutes) & (
        Equipment.max_duration_minutes >= minutes) & (
        literal(start, DateTime(timezone=True)) <= literal(now, DateTime(timezone=True))
        + func.make_interval(0, 0, 0, Equipment.booking_horizon_days))
    if start < now:
        return literal(False)
    if actor.role in BOOKING_ROLES and actor.role != "admin":  # admins are exempt
        qualified = select(Qualification.id).where(
            Qualification.user_id == actor.id,
            Qualification.category_id == Equipment.category_id, Qualification.valid_at(end))
        rules_met &= ~Equipment.requires_qualification | qualified.exists()
    return rules_met


def free_for(session: Session, actor: User, start: datetime, end: datetime, *,
             policy: BookingPolicy, now: datetime | None = None):
    """A filter on Equipment: items the actor could book for exactly [start, end) now —
    active, on its grid, of a length it takes, within its horizon, qualified for, open, not
    blacked out, no booking within its buffer; an enterprise's item only when an approved
    offer to the actor's school (or the enterprise's own) opens all of the span."""
    if end - start > timedelta(days=policy.availability_max_days):
        raise Invalid(f"Ask for at most {policy.availability_max_days} days at a time.",
                      code="window_too_large", errors={"free_to": [
                          f"At most {policy.availability_max_days} days after free_from."]})
    now = now or utcnow()
    booked = select(Reservation.id).where(
        Reservation.equipment_id == Equipment.id,
        Reservation.blocks(start, end + func.make_interval(
            0, 0, 0, 0, 0, Equipment.setup_buffer_minutes)))
    blacked_out = select(Blackout.id).where(Blackout.equipment_id == Equipment.id,
                                            Blackout.starts_at < end, Blackout.ends_at > start)
    enterprise_owned = Equipment.owner_organisation_id.in_(
        select(Organisation.id).where(Organisation.kind == "enterprise"))
    # An enterprise's own staff find their items free in opening hours (internal reservations).
    return (Equipment.status == "active") & _bookable_span(actor, start, end, now) & \
        Equipment.base_id.in_(open_base_ids(session, start, end)) & ~booked.exists() & \
        ~blacked_out.exists() & (
            ~enterprise_owned | (Equipment.owner_organisation_id == actor.organisation_id)
            | Equipment.id.in_(offered.offered_for_span(session, actor, start, end)))


def list_waitlist(session: Session, actor: User, *, page: int, page_size: int, sort: str,
                  equipment_id: int | None = None, status: str | None = None) -> dict:
    stmt = select(WaitlistEntry)
    if actor.role == "admin":
        stmt = stmt.where(WaitlistEntry.user_id.in_(
            select(User.id).where(User.organisation_id == actor.organisation_id)))
    else:
        stmt = stmt.where(WaitlistEntry.user_id == actor.id)
    if equipment_id is not None:
        stmt = stmt.where(WaitlistEntry.equipment_id == equipment_id)
    if status:
        stmt = stmt.where(WaitlistEntry.status == status)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    columns={"id": WaitlistEntry.id, "created_at": WaitlistEntry.created_at,
                             "starts_at": WaitlistEntry.starts_at}, tiebreak=WaitlistEntry.id)


def list_series(session: Session, actor: User, *, page: int, page_size: int, sort: str) -> dict:
    visible = select(Reservation.series_id).where(visible_reservations(actor),
                                                   Reservation.series_id.is_not(None))
    stmt = select(Series).where(or_(Series.id.in_(visible), Series.created_by_id == actor.id))
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    columns={"id": Series.id, "starts_on": Series.starts_on},
                    tiebreak=Series.id)
