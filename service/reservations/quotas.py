"""Booking quotas per role and per category: setting them, and checking one booking against
them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.errors import RoleNotAllowed
from ..accounts.models import User
from ..accounts.permissions import (
    ENTERPRISE_QUOTA_ROLES,
    QUOTA_ROLES,
    SCHOOL_QUOTA_ROLES,
    is_organisation_manager,
)
from ..calendar import statuses, wallclock
from ..catalogue.models import Equipment, EquipmentCategory
from ..errors import Forbidden, Invalid, NotFound
from ..i18n import gettext
from .errors import QuotaExceeded
from .models import BookingQuota, Reservation
from .spans import QuotaLimits
from .targets import BookingTarget


def check_quota(session: Session, holder: User, equipment: BookingTarget, starts_at: datetime,
                ends_at: datetime, now: datetime, limits: QuotaLimits, *,
                lock: bool = True) -> None:
    """The holder's role's quotas: on every category, then on the item's category (its
    bookings of that category's items only). Booking (`lock`), the holder's row is locked
    first, so two simultaneous bookings of one person cannot both slip under a limit; a span
    judged without booking takes no lock. The refusal says when the quota frees (`frees_at`):
    the earliest end of the holder's active reservations counted, or the start of the next
    ISO week in the item's zone; a category's refusal names the category."""
    if limits.none:
        return
    if lock:
        session.execute(select(User.id).where(User.id == holder.id).with_for_update())
    _check(session, holder, equipment, starts_at, ends_at, now, limits.weekly_hours,
           limits.active_reservations, category=False)
    _check(session, holder, equipment, starts_at, ends_at, now, limits.category_weekly_hours,
           limits.category_active_reservations, category=True)


def _check(session: Session, holder: User, equipment: BookingTarget, starts_at: datetime,
           ends_at: datetime, now: datetime, weekly_hours: int | None,
           active_reservations: int | None, *, category: bool) -> None:
    tz = equipment.timezone
    of_holder = [Reservation.holder_id == holder.id]
    named = {}
    if category:
        of_holder.append(Reservation.equipment_id.in_(select(Equipment.id).where(
            Equipment.category_id == equipment.category_id)))
        named = {"category": {"id": equipment.category_id, "code": equipment.category_code,
                              "name": equipment.category_name}}
    if active_reservations is not None:
        active, frees_at = session.execute(
            select(func.count(), func.min(Reservation.ends_at)).select_from(Reservation).where(
                *of_holder, Reservation.status.in_(statuses.ACTIVE),
                Reservation.ends_at > now)).one()
        if active >= active_reservations:
            detail = (gettext("At most %(limit)s active reservations of %(category)s.",
                              limit=active_reservations, category=equipment.category_name)
                      if category else
                      gettext("At most %(limit)s active reservations.",
                              limit=active_reservations))
            raise QuotaExceeded(detail, quota="active_reservations", limit=active_reservations,
                                frees_at=frees_at.isoformat() if frees_at else None,
                                timezone=tz, **named)
    if weekly_hours is not None:
        week_start, week_end = wallclock.iso_week(starts_at, tz)
        booked = session.scalar(select(func.coalesce(func.sum(
            func.extract("epoch", Reservation.ends_at - Reservation.starts_at)), 0)).where(
            *of_holder, Reservation.status.in_(statuses.COUNTED_AGAINST_QUOTA),
            Reservation.starts_at >= week_start, Reservation.starts_at < week_end))
        wanted = (ends_at - starts_at).total_seconds()
        if float(booked) + wanted > weekly_hours * 3600:
            day = f"{wallclock.local(week_start, tz):%Y-%m-%d}"
            detail = (gettext("At most %(hours)s hours of %(category)s in the ISO week "
                              "starting %(day)s.", hours=weekly_hours,
                              category=equipment.category_name, day=day)
                      if category else
                      gettext("At most %(hours)s hours in the ISO week starting %(day)s.",
                              hours=weekly_hours, day=day))
            raise QuotaExceeded(detail, quota="weekly_hours", limit=weekly_hours,
                                booked_hours=round(float(booked) / 3600, 2),
                                frees_at=week_end.isoformat(), timezone=tz, **named)


def category_by_code(session: Session, code: str | None) -> EquipmentCategory | None:
    """The category a quota names by its code (None: every category); 422 when unknown."""
    if code is None:
        return None
    category = session.scalar(select(EquipmentCategory).where(EquipmentCategory.code == code))
    if category is None:
        raise Invalid(gettext("No category %(code)s.", code=code), code="unknown_category",
                      errors={"category": [gettext("Unknown category.")]})
    return category


def set_quota(session: Session, actor: User, organisation_id: int, role: str, *,
              weekly_hours: int | None, active_reservations: int | None,
              category: str | None = None) -> BookingQuota:
    """An organisation's manager sets its limits for a role, on every category or on one
    (null means no limit): a school's admins for its students, instructors and admins, an
    enterprise's managers for its staff (their internal bookings of its own equipment)."""
    _require_manager_of(actor, organisation_id, role)
    quota = put_quota(session, organisation_id=organisation_id, role=role,
                      weekly_hours=weekly_hours, active_reservations=active_reservations,
                      category_id=getattr(category_by_code(session, category), "id", None))
    session.commit()
    return quota


def find_quota(session: Session, *, organisation_id: int, role: str,
               category_id: int | None = None, lock: bool = False) -> BookingQuota | None:
    stmt = select(BookingQuota).where(
        BookingQuota.organisation_id == organisation_id, BookingQuota.role == role,
        BookingQuota.category_id.is_(None) if category_id is None
        else BookingQuota.category_id == category_id)
    return session.scalar(stmt.with_for_update(of=BookingQuota) if lock else stmt)


def put_quota(session: Session, *, organisation_id: int, role: str, weekly_hours: int | None,
              active_reservations: int | None, category_id: int | None = None
              ) -> BookingQuota:
    """An organisation's quota for a role (on every category, or on `category_id`) from
    validated values, without a permission check: for the use case above, the seeds and the
    tests (the caller commits)."""
    if role not in QUOTA_ROLES:
        raise Invalid(gettext("Quotas exist for the roles %(roles)s.",
                              roles=", ".join(QUOTA_ROLES)),
                      errors={"role": [f"One of: {', '.join(QUOTA_ROLES)}."]})
    quota = find_quota(session, organisation_id=organisation_id, role=role,
                       category_id=category_id, lock=True)
    if quota is None:
        quota = BookingQuota(organisation_id=organisation_id, role=role,
                             category_id=category_id)
        session.add(quota)
    quota.weekly_hours = weekly_hours
    quota.active_reservations = active_reservations
    session.flush()
    return quota


def remove_quota(session: Session, actor: User, organisation_id: int, role: str, *,
                 category: str | None = None) -> None:
    """Its manager removes a quota (the role is then unlimited there); none there: 404."""
    _require_manager_of(actor, organisation_id, role)
    category_id = getattr(category_by_code(session, category), "id", None)
    quota = find_quota(session, organisation_id=organisation_id, role=role,
                       category_id=category_id, lock=True)
    if quota is None:
        raise NotFound(gettext("No such quota."))
    session.delete(quota)
    session.commit()


def _require_manager_of(actor: User, organisation_id: int, role: str) -> None:
    """Who sets a role's quotas: its organisation's manager, for a role of its kind."""
    if not is_organisation_manager(actor) or actor.role == "operator":
        raise RoleNotAllowed(gettext("Quotas are set by a school's admins and an "
                                     "enterprise's managers."))
    own = SCHOOL_QUOTA_ROLES if actor.role == "admin" else ENTERPRISE_QUOTA_ROLES
    if role not in own:
        raise RoleNotAllowed(gettext("You set quotas for the roles %(roles)s.",
                                     roles=", ".join(own)))
    if organisation_id != actor.organisation_id:
        raise Forbidden(gettext("You set quotas of your own organisation only."),
                        code="not_your_organisation")


def list_quotas(session: Session, actor: User, organisation_id: int) -> list[BookingQuota]:
    """An organisation's quotas, for its own people (anyone else: 404)."""
    if organisation_id != actor.organisation_id or actor.role == "operator":
        raise NotFound(gettext("No quotas visible for organisation %(id)s.",
                               id=organisation_id))
    return list(session.scalars(
        select(BookingQuota).outerjoin(EquipmentCategory,
                                       EquipmentCategory.id == BookingQuota.category_id)
        .where(BookingQuota.organisation_id == organisation_id)
        .order_by(BookingQuota.role, EquipmentCategory.code.nulls_first())))
