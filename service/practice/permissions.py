"""Whose practice hours a caller sees, and how (PRODUCT.md section 1, docs/tenancy.md).

A school's instructors and admins see their own school's students (each by name, or the
school's totals), a student only themselves; operators run the platform, not the schools:
they read every school's totals and never a person's figures; enterprise staff none (they see
their equipment's usage, not students' learning records).
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
    group_by: str  # "student": a row per student; "school": per school, no person in it


def practice_scope(actor: User, student_id: int | None, group_by: str | None = None) -> Scope:
    """The students the caller sees, narrowed to `student_id` when given (staff asking for
    a student of another school, or an unknown id, get no rows: the answer does not tell
    which), and how their rows are grouped (per student unless told; operators per school
    only); or 403: a student asking about someone else or for the school's totals, an
    operator asking for a person's figures, and the other roles."""
    if actor.role == "operator":
        if student_id is not None or group_by == "student":
            raise Forbidden("Operators read the platform's figures per school, never a "
                            "person's.", code="no_personal_figures")
        return Scope(None, None, "school")
    if actor.role in STAFF_ROLES:
        return Scope(actor.organisation_id, student_id, group_by or "student")
    if actor.role == "student":
        if (student_id is not None and student_id != actor.id) or group_by == "school":
            raise Forbidden("A student sees only their own practice hours.",
                            code="own_practice_only")
        return Scope(actor.organisation_id, actor.id, "student")
    raise Forbidden("Practice hours are for schools' instructors and admins, students and "
                    "operators.", code="not_reporting")
