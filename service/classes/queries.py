"""Read side of classes: who sees which, and a class's members."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import STAFF_ROLES
from ..errors import NotFound
from ..i18n import gettext
from .models import ClassMember, SchoolClass


def _not_found(class_id: int) -> NotFound:
    return NotFound(gettext("No class %(id)s.", id=class_id))


def sees_class(actor: User, school_class: SchoolClass, member_ids: set[int]) -> bool:
    """A school's instructors and admins see its classes, a student the classes they are in;
    nobody else sees any (another school's people, enterprises, operators: 404)."""
    if school_class.organisation_id != actor.organisation_id:
        return False
    return actor.role in STAFF_ROLES or (actor.role == "student" and actor.id in member_ids)


def get_visible_class(session: Session, actor: User, class_id: int, *, lock: bool = False
                      ) -> SchoolClass:
    stmt = select(SchoolClass).where(SchoolClass.id == class_id)
    school_class = session.scalar(stmt.with_for_update() if lock else stmt)
    if school_class is None:
        raise _not_found(class_id)
    member_ids = {m.user_id for m in school_class.members}
    if not sees_class(actor, school_class, member_ids):
        raise _not_found(class_id)
    return school_class


def members_of(session: Session, actor: User, school_class: SchoolClass) -> list[dict]:
    """The class's students by name (a student sees only themselves in it)."""
    stmt = (select(User.id, User.full_name, User.student_number, User.is_active)
            .join(ClassMember, ClassMember.user_id == User.id)
            .where(ClassMember.class_id == school_class.id)
            .order_by(User.full_name, User.id))
    if actor.role not in STAFF_ROLES:
        stmt = stmt.where(User.id == actor.id)
    return [row._asdict() for row in session.execute(stmt)]


def class_answer(session: Session, actor: User, school_class: SchoolClass) -> dict:
    members = members_of(session, actor, school_class)
    return {"id": school_class.id, "organisation_id": school_class.organisation_id,
            "name": school_class.name, "version": school_class.version,
            "member_count": len(school_class.members) if actor.role in STAFF_ROLES
            else len(members), "members": members, "created_at": school_class.created_at,
            "updated_at": school_class.updated_at}


def list_classes(session: Session, actor: User, *, q: str | None = None) -> list[dict]:
    """The classes the actor sees, by name, with their member counts."""
    count = (select(func.count()).select_from(ClassMember)
             .where(ClassMember.class_id == SchoolClass.id).scalar_subquery())
    stmt = (select(SchoolClass.id, SchoolClass.organisation_id, SchoolClass.name,
                   SchoolClass.version, count.label("member_count"))
            .where(SchoolClass.organisation_id == actor.organisation_id)
            .order_by(func.lower(SchoolClass.name), SchoolClass.id))
    if actor.role == "student":
        stmt = stmt.where(SchoolClass.id.in_(select(ClassMember.class_id).where(
            ClassMember.user_id == actor.id)))
    elif actor.role not in STAFF_ROLES:
        return []
    if q:
        stmt = stmt.where(SchoolClass.name.icontains(q, autoescape=True))
    return [row._asdict() for row in session.execute(stmt)]
