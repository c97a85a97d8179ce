"""Finding a school's class by its name, and who a class holds: plain functions shared by the
classes API, booking for a class and the roster import."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import STAFF_ROLES
from ..i18n import gettext
from .errors import ClassBookingNotAllowed, ClassEmpty, UnknownClass
from .models import ClassMember, SchoolClass

NAME_MAX = 100


def normalised(name: str) -> str:
    """A class name as kept: inner runs of white space made one space, ends trimmed (a
    spreadsheet's "CNC  2026 A " names the class "CNC 2026 A")."""
    return " ".join(name.split())


def class_named(session: Session, organisation_id: int, name: str, *, create: bool = True
                ) -> SchoolClass | None:
    """The school's class of that name, whatever its case; created (flushed, not committed)
    when missing and `create`, else None. Race-safe: two importers creating one class meet at
    the unique index, and the loser reads the winner's row."""
    name = normalised(name)
    if not name:
        return None

    def find() -> SchoolClass | None:
        return session.scalar(select(SchoolClass).where(
            SchoolClass.organisation_id == organisation_id,
            func.lower(SchoolClass.name) == name.lower()))

    found = find()
    if found is not None or not create:
        return found
    table = SchoolClass.__table__
    session.execute(postgresql.insert(table).values(
        organisation_id=organisation_id, name=name[:NAME_MAX], version=1)
        .on_conflict_do_nothing())
    return find()


def active_member_ids(session: Session, class_id: int) -> list[int]:
    """The class's members who may be booked for now (active accounts), by id."""
    return list(session.scalars(
        select(ClassMember.user_id).join(User, User.id == ClassMember.user_id)
        .where(ClassMember.class_id == class_id, User.is_active.is_(True))
        .order_by(ClassMember.user_id)))


def unknown_students(session: Session, organisation_id: int, user_ids: list[int]) -> list[int]:
    """Those of `user_ids` who are not students of the school (in the order given)."""
    found = set(session.scalars(select(User.id).where(
        User.id.in_(user_ids), User.organisation_id == organisation_id,
        User.role == "student")))
    return [i for i in user_ids if i not in found]


def class_for_booking(session: Session, actor: User, name: str
                      ) -> tuple[SchoolClass, list[int]]:
    """The actor's school's class a booking names, and its active members (its attendees,
    as the class is at booking time): instructors and admins only; an unknown name or a
    class with nobody to book for is 422 naming `class`."""
    if actor.role not in STAFF_ROLES:
        raise ClassBookingNotAllowed(
            gettext("Only instructors and admins book for a class."),
            errors={"class": [gettext("Not allowed for your role.")]})
    school_class = class_named(session, actor.organisation_id, name, create=False)
    if school_class is None:
        raise UnknownClass(gettext("Your school has no class named %(name)s.",
                                   name=normalised(name)),
                           errors={"class": [gettext("No such class.")]})
    members = active_member_ids(session, school_class.id)
    if not members:
        raise ClassEmpty(gettext("The class %(name)s has no active members.",
                                 name=school_class.name),
                         errors={"class": [gettext("Nobody to book for.")]})
    return school_class, members
