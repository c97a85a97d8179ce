"""Use cases of a school's classes: create, rename, delete, set the members (its admins)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import require_role
from ..db import utcnow
from ..i18n import gettext
from ..versioning import check_version
from .errors import ClassNameTaken, NotStudentsOfYourSchool
from .models import ClassMember, SchoolClass
from .queries import get_visible_class
from .rules import class_named, normalised, unknown_students


def _require_admin_of(actor: User, school_class: SchoolClass | None = None) -> None:
    require_role(actor, "admin")


def _name_taken(name: str) -> ClassNameTaken:
    return ClassNameTaken(gettext("Your school already has a class named %(name)s.", name=name),
                          errors={"name": [gettext("Taken.")]})


def _check_name_free(session: Session, organisation_id: int, name: str,
                     school_class: SchoolClass | None = None) -> None:
    other = class_named(session, organisation_id, name, create=False)
    if other is not None and other is not school_class:
        raise _name_taken(normalised(name))


def _set_members(session: Session, school_class: SchoolClass, user_ids: list[int],
                 field: str = "user_ids") -> None:
    ids = list(dict.fromkeys(user_ids))
    strangers = unknown_students(session, school_class.organisation_id, ids)
    if strangers:
        raise NotStudentsOfYourSchool(
            gettext("Members must be students of your school."),
            errors={field: [gettext("Not a student of your school.")]}, user_ids=strangers)
    session.execute(delete(ClassMember).where(ClassMember.class_id == school_class.id))
    if ids:
        session.execute(insert(ClassMember), [{"class_id": school_class.id, "user_id": i}
                                              for i in ids])
    session.expire(school_class, ["members"])


def _commit(session: Session, name: str) -> None:
    try:
        session.commit()
    except IntegrityError:
        # Another admin took the name between the check and the commit.
        session.rollback()
        raise _name_taken(name) from None


def create_class(session: Session, actor: User, *, name: str,
                 student_ids: list[int] | None = None) -> SchoolClass:
    """An admin adds a class to their school, with its students when given."""
    _require_admin_of(actor)
    name = normalised(name)
    _check_name_free(session, actor.organisation_id, name)
    school_class = SchoolClass(organisation_id=actor.organisation_id, name=name)
    session.add(school_class)
    session.flush()
    if student_ids:
        _set_members(session, school_class, student_ids, "student_ids")
    _commit(session, name)
    return school_class


def update_class(session: Session, actor: User, class_id: int, *, changes: dict,
                 expected_versions: list[int] | None, field: str = "student_ids"
                 ) -> SchoolClass:
    """An admin renames a class or replaces its students (honours If-Match)."""
    school_class = get_visible_class(session, actor, class_id, lock=True)
    _require_admin_of(actor, school_class)
    check_version(school_class, expected_versions)
    if "name" in changes:
        name = normalised(changes["name"])
        _check_name_free(session, school_class.organisation_id, name, school_class)
        school_class.name = name
    if "student_ids" in changes:
        _set_members(session, school_class, changes["student_ids"], field)
    if changes:
        # A change of members is a change of the class too: a new version, a new ETag.
        school_class.updated_at = utcnow()
    _commit(session, school_class.name)
    return school_class


def set_members(session: Session, actor: User, class_id: int, *, user_ids: list[int],
                expected_versions: list[int] | None) -> SchoolClass:
    """An admin replaces a class's students (honours If-Match)."""
    return update_class(session, actor, class_id, changes={"student_ids": user_ids},
                        expected_versions=expected_versions, field="user_ids")


def delete_class(session: Session, actor: User, class_id: int, *,
                 expected_versions: list[int] | None) -> None:
    """An admin deletes a class; its bookings stay, no longer naming it."""
    school_class = get_visible_class(session, actor, class_id, lock=True)
    _require_admin_of(actor, school_class)
    check_version(school_class, expected_versions)
    session.delete(school_class)
    session.commit()


def class_ids_of(session: Session, user_id: int) -> list[int]:
    return list(session.scalars(select(ClassMember.class_id).where(
        ClassMember.user_id == user_id)))
