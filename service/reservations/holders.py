"""Who a booking is for: its holder (the booker, or a member of their school an instructor or
admin books for) and its attendees (a class), each an active member of the booker's school."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import STAFF_ROLES
from ..catalogue.qualifications import unqualified_among
from ..errors import Forbidden, Invalid
from ..i18n import gettext
from .errors import QualificationRequired, TooManyAttendees
from .targets import BookingTarget


def resolve_holder(session: Session, actor: User, holder_id: int | None) -> User:
    if holder_id is None or holder_id == actor.id:
        return actor
    if actor.role not in STAFF_ROLES:
        raise Forbidden(gettext("Only instructors and admins book for someone else."),
                        errors={"holder_id": ["Not allowed for your role."]})
    holder = session.get(User, holder_id)
    if holder is None or holder.organisation_id != actor.organisation_id or not holder.is_active:
        raise Invalid(gettext("No such active user in your school."),
                      errors={"holder_id": ["Not an active member of your school."]})
    return holder


def attendees_of(session: Session, actor: User, holder: User, equipment: BookingTarget,
               attendee_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(attendee_ids) - {holder.id})
    if ids and actor.role not in STAFF_ROLES:
        raise Forbidden(gettext("Only instructors and admins book for a class."),
                        errors={"attendees": ["Not allowed for your role."]})
    if ids:
        found = set(session.scalars(select(User.id).where(
            User.id.in_(ids), User.organisation_id == actor.organisation_id,
            User.is_active.is_(True))))
        missing = [i for i in ids if i not in found]
        if missing:
            raise Invalid(gettext("Attendees must be active members of your school."),
                          errors={"attendees": [f"Unknown user {i}." for i in missing]})
    if len(ids) + 1 > equipment.max_attendees:
        raise TooManyAttendees(gettext("At most %(most)s people, holder included.",
                                       most=equipment.max_attendees),
                               errors={"attendees": ["Too many."]})
    return ids


def require_attendees_qualified(session: Session, equipment: BookingTarget,
                                attendee_ids: list[int], ends_at: datetime, school_id: int
                                ) -> None:
    """On a qualification-only item every attendee needs the qualification too; the refusal
    names those who lack it."""
    lacking = unqualified_among(session, attendee_ids, category_id=equipment.category_id,
                                until=ends_at)
    if lacking:
        raise qualification_required(
            session, gettext("Every attendee needs a valid '%(category)s' qualification "
                             "lasting until the end of the reservation.",
                             category=equipment.category_name), school_id=school_id,
            category_id=equipment.category_id, category_code=equipment.category_code,
            category_name=equipment.category_name, unqualified=lacking,
            errors={"attendees": [f"User {i} lacks the qualification." for i in lacking]})


# Who may grant a missing qualification, named in the refusal so the holder knows whom to ask.
GRANTERS_NAMED = 10


def qualification_required(session: Session, detail: str, *, school_id: int, category_id: int,
                           category_code: str, category_name: str,
                           unqualified: list[int] = (), errors: dict | None = None
                           ) -> QualificationRequired:
    """The 403 of a missing qualification, with what a client needs to say so and whom to ask:
    the category, the school's active instructors (then admins) who grant it, at most
    GRANTERS_NAMED, and for a class the attendees who lack it, by id and name."""
    granters = session.execute(
        select(User.id, User.full_name, User.role)
        .where(User.organisation_id == school_id, User.is_active.is_(True),
               User.role.in_(STAFF_ROLES))
        .order_by(User.role != "instructor", User.full_name, User.id)
        .limit(GRANTERS_NAMED)).all()
    extra = {}
    if unqualified:
        names = dict(session.execute(select(User.id, User.full_name).where(
            User.id.in_(list(unqualified)))).all())
        extra = {"unqualified_attendees": list(unqualified),
                 "unqualified": [{"id": i, "full_name": names.get(i, "")} for i in unqualified]}
    return QualificationRequired(
        detail, errors=errors, category_id=category_id, category_code=category_code,
        category_name=category_name,
        granted_by=[{"id": g.id, "full_name": g.full_name, "role": g.role} for g in granters],
        **extra)
