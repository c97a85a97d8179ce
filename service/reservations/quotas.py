"""A school's booking quotas: setting them, and checking one booking against them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import QUOTA_ROLES, require_role
from ..calendar import statuses, wallclock
from ..errors import Forbidden, Invalid, NotFound
from .errors import QuotaExceeded
from .models import BookingQuota, Reservation
from .targets import BookingTarget


def check_quota(session: Session, holder: User, equipment: BookingTarget, starts_at: datetime,
                ends_at: datetime, now: datetime, weekly_hours: int | None,
                active_reservations: int | None, *, lock: bool = True) -> None:
    """School quotas per role (instructors are exempt). Booking (`lock`), the holder's row is
    locked first, so two simultaneous bookings of one person cannot both slip under the
    limit; a span judged without booking takes no lock. The refusal says when the quota
    frees (`frees_at`): the earliest end of the holder's active reservations, or the start of
    the next ISO week in the item's zone."""
    if holder.role == "instructor" or (weekly_hours is None and active_reservations is None):
        return
    if lock:
        session.execute(select(User.id).where(User.id == holder.id).with_for_update())
    tz = equipment.timezone
    if active_reservations is not None:
        active, frees_at = session.execute(
            select(func.count(), func.min(Reservation.ends_at)).select_from(Reservation).where(
                Reservation.holder_id == holder.id, Reservation.status.in_(statuses.ACTIVE),
                Reservation.ends_at > now)).one()
        if active >= active_reservations:
            raise QuotaExceeded(f"At most {active_reservations} active reservations.",
                                quota="active_reservations", limit=active_reservations,
                                frees_at=frees_at.isoformat() if frees_at else None,
                                timezone=tz)
    if weekly_hours is not None:
        week_start, week_end = wallclock.iso_week(starts_at, tz)
        booked = session.scalar(select(func.coalesce(func.sum(
            func.extract("epoch", Reservation.ends_at - Reservation.starts_at)), 0)).where(
            Reservation.holder_id == holder.id,
            Reservation.status.in_(statuses.COUNTED_AGAINST_QUOTA),
            Reservation.starts_at >= week_start, Reservation.starts_at < week_end))
        wanted = (ends_at - starts_at).total_seconds()
        if float(booked) + wanted > weekly_hours * 3600:
            raise QuotaExceeded(
                f"At most {weekly_hours} hours in the ISO week starting "
                f"{wallclock.local(week_start, tz):%Y-%m-%d}.",
                quota="weekly_hours", limit=weekly_hours,
                booked_hours=round(float(booked) / 3600, 2), frees_at=week_end.isoformat(),
                timezone=tz)


def set_quota(session: Session, actor: User, organisation_id: int, role: str, *,
              weekly_hours: int | None, active_reservations: int | None) -> BookingQuota:
    """An admin sets their school's limits for a role (null means no limit)."""
    require_role(actor, "admin")
    if organisation_id != actor.organisation_id:
        raise Forbidden("You set quotas of your own school only.", code="not_your_organisation")
    quota = put_quota(session, organisation_id=organisation_id, role=role,
                      weekly_hours=weekly_hours, active_reservations=active_reservations)
    session.commit()
    return quota


def put_quota(session: Session, *, organisation_id: int, role: str, weekly_hours: int | None,
              active_reservations: int | None) -> BookingQuota:
    """A school's quota for a role from validated values, without a permission check: for the
    use case above, the seeds and the tests (the caller commits)."""
    if role not in QUOTA_ROLES:
        raise Invalid("Quotas exist for the roles student and admin (instructors are exempt).",
                      errors={"role": [f"One of: {', '.join(QUOTA_ROLES)}."]})
    quota = session.get(BookingQuota, (organisation_id, role))
    if quota is None:
        quota = BookingQuota(organisation_id=organisation_id, role=role)
        session.add(quota)
    quota.weekly_hours = weekly_hours
    quota.active_reservations = active_reservations
    session.flush()
    return quota


def list_quotas(session: Session, actor: User, organisation_id: int) -> list[BookingQuota]:
    if organisation_id != actor.organisation_id:
        raise NotFound(f"No quotas visible for organisation {organisation_id}.")
    return list(session.scalars(select(BookingQuota).where(
        BookingQuota.organisation_id == organisation_id).order_by(BookingQuota.role)))
