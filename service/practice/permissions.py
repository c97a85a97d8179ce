"""Whose practice hours a caller sees (PRODUCT.md section 1; issue 9).

A school's instructors and admins see their own school's students, a student only themselves,
operators every student; enterprise staff none (they see their equipment's usage, not
students' learning records).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..accounts.models import User
from ..accounts.permissions import STAFF_ROLES
from ..errors import Forbidden


@dataclass(frozen=True)
class Scope:
    organisation_id: int | None  # only this school's students (None: every school)
    student_id: int | None  # only this student (None: all in the organisation)


def practice_scope(actor: User, student_id: int | None) -> Scope:
    """The students the caller sees, narrowed to `student_id` when given (staff asking for
    a student of another school, or an unknown id, get no rows: the answer does not tell
    which), or 403 for a student asking about someone else and for the other roles."""
    if actor.role == "operator":
        return Scope(None, student_id)
    if actor.role in STAFF_ROLES:
        return Scope(actor.organisation_id, student_id)
    if actor.role == "student":
        if student_id is not None and student_id != actor.id:
            raise Forbidden("A student sees only their own practice hours.",
                            code="own_practice_only")
        return Scope(actor.organisation_id, actor.id)
    raise Forbidden("Practice hours are for schools' instructors and admins, students and "
                    "operators.", code="not_reporting")
