"""Weekly series of reservations, booked and cancelled together."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import STAFF_ROLES, require_role
from ..calendar import statuses, wallclock
from ..classes.rules import class_for_booking
from ..db import utcnow
from ..errors import DomainError, Forbidden, Invalid, NotFound, domain_problem_body
from . import rules
from .booking import Booked, book
from .errors import SeriesConflict
from .holders import resolve_holder
from .models import Reservation, Series
from .permissions import is_staff_for, visible_reservations
from .policy import BookingPolicy
from .targets import BookingTarget, booking_target, require_seen_by
from .transitions import notify_about, record, require_reason
from .waitlist import offer_freed_span


def _plan(session: Session, actor: User, *, equipment_id: int, weekdays: list[int],
          starts_on, until, count, holder_id: int | None, policy: BookingPolicy
          ) -> tuple[BookingTarget, list]:
    """What a series refuses as a whole (role, holder, end, item, length), else its item and
    its days."""
    require_role(actor, *STAFF_ROLES)
    holder = resolve_holder(session, actor, holder_id)
    if (until is None) == (count is None):
        raise Invalid("Give either until or count.", code="series_end_required",
                      errors={"until": ["Give until or count, not both."]})
    equipment = booking_target(session, equipment_id)
    require_seen_by(equipment, holder.organisation_id)
    dates = rules.series_dates(weekdays, starts_on, until, count,
                               limit=policy.series_max_occurrences + 1)
    if len(dates) > policy.series_max_occurrences:
        raise Invalid(f"At most {policy.series_max_occurrences} sessions in one series.",
                      code="series_too_long",
                      errors={"count" if count is not None else "until": [
                          f"At most {policy.series_max_occurrences} sessions."]})
    if not dates:
        raise Invalid("No session falls on those weekdays in that period.",
                      code="series_empty", errors={"weekdays": ["No matching day."]})
    return equipment, dates


def _book_sessions(session: Session, actor: User, *, equipment_id: int, weekdays: list[int],
                   start_time, duration_minutes: int, starts_on, until, count, purpose: str,
                   attendees: Iterable[int], holder_id: int | None, policy: BookingPolicy,
                   now: datetime, class_name: str | None = None
                   ) -> tuple[Series, str, list[tuple]]:
    """The series, its item's zone and each session as (day, start, what booking it gave:
    Booked or the refusal), each booked in a savepoint, so a later session sees the earlier
    ones as quotas and budgets must; nothing committed."""
    equipment, dates = _plan(session, actor, equipment_id=equipment_id, weekdays=weekdays,
                             starts_on=starts_on, until=until, count=count,
                             holder_id=holder_id, policy=policy)
    # The class's members as they are now attend every session.
    school_class = (class_for_booking(session, actor, class_name)
                    if class_name is not None else None)
    tz = equipment.timezone
    series = Series(equipment_id=equipment_id, holder_id=holder_id or actor.id,
                    created_by_id=actor.id, weekdays=sorted(set(weekdays)),
                    local_start=start_time, duration_minutes=duration_minutes,
                    starts_on=dates[0], until_on=dates[-1], purpose=purpose,
                    class_id=school_class[0].id if school_class else None)
    session.add(series)
    session.flush()
    outcomes = []
    for day in dates:
        starts_at = wallclock.at_local(day, start_time, tz)
        try:
            with session.begin_nested():
                outcomes.append((day, starts_at, book(
                    session, actor, equipment_id=equipment_id, starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=duration_minutes), purpose=purpose,
                    attendees=attendees, holder_id=holder_id, series_id=series.id, now=now,
                    school_class=school_class)))
        except DomainError as exc:
            outcomes.append((day, starts_at, exc))
    return series, tz, outcomes


def book_series(session: Session, actor: User, *, skip_conflicts: bool = False,
                policy: BookingPolicy, now: datetime | None = None, purpose: str = "",
                attendees: Iterable[int] = (), holder_id: int | None = None, until=None,
                count=None, **request) -> tuple[Series, list[Booked], list[dict]]:
    """Book weekly sessions: all or nothing, or (skip_conflicts) every date that fits."""
    series, _, outcomes = _book_sessions(
        session, actor, policy=policy, now=now or utcnow(), purpose=purpose,
        attendees=attendees, holder_id=holder_id, until=until, count=count, **request)
    booked = [o for _, _, o in outcomes if isinstance(o, Booked)]
    skipped = [{"date": day.isoformat(), "code": o.code, "detail": o.detail}
               for day, _, o in outcomes if isinstance(o, DomainError)]
    if skipped and (not skip_conflicts or not booked):
        session.rollback()
        raise SeriesConflict(
            f"{len(skipped)} of {len(outcomes)} sessions cannot be booked"
            + ("" if skip_conflicts else "; nothing was booked (use skip_conflicts=true)."),
            skipped=skipped)
    session.commit()
    return series, booked, skipped


def preview_series(session: Session, actor: User, *, policy: BookingPolicy,
                   now: datetime | None = None, skip_conflicts: bool = False, purpose: str = "",
                   attendees: Iterable[int] = (), holder_id: int | None = None, until=None,
                   count=None, **request) -> dict:
    """What booking the series would do to each session, booked as POST /series books it
    (each session seeing the ones before it) and then rolled back: nothing is kept. A body
    the series refuses as a whole is refused the same way."""
    try:
        _, tz, outcomes = _book_sessions(
            session, actor, policy=policy, now=now or utcnow(), purpose=purpose,
            attendees=attendees, holder_id=holder_id, until=until, count=count, **request)
        length = timedelta(minutes=request["duration_minutes"])
        occurrences = [{
            "date": day, "starts_at": starts_at.astimezone(UTC),
            "ends_at": (starts_at + length).astimezone(UTC),
            "bookable": isinstance(o, Booked),
            "status": o.status if isinstance(o, Booked) else None,
            "refusal": None if isinstance(o, Booked) else domain_problem_body(o)}
            for day, starts_at, o in outcomes]
    finally:
        session.rollback()
    bookable = sum(o["bookable"] for o in occurrences)
    return {"equipment_id": request["equipment_id"], "timezone": tz,
            "occurrences": occurrences, "bookable": bookable,
            "refused": len(occurrences) - bookable}


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
    # The rule of a single session, applied to them all: whoever booked the series, or staff
    # who may cancel each of its sessions (the holder's school staff, the item's owner).
    if series.created_by_id != actor.id and not all(
            is_staff_for(actor, r) for r in series_reservations(session, series_id)):
        raise Forbidden("Only whoever booked the series, or staff who may cancel each of its "
                        "sessions, cancels it.")
    reason = require_reason(reason)
    stmt = select(Reservation).where(Reservation.series_id == series_id,
                                     Reservation.status.in_(statuses.NOT_UNDER_WAY),
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
        notify_about(session, reservation, "cancelled", reason=reason, actor=actor)
        offer_freed_span(session, reservation.equipment_id, reservation.starts_at,
                         reservation.blocked_until, policy=policy, now=now)
    session.commit()
    return cancelled
