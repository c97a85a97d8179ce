"""Read side of practice hours: the caller's scope, the periods asked for, one statement."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import wallclock
from ..errors import Invalid
from .figures import PRACTICE, PRACTICE_BY_SCHOOL, practice_params
from .permissions import practice_scope


def period_starts(from_: date, to: date, granularity: str) -> list[date]:
    """The periods a report over [from_, to) covers: those starting in it, each whole (as
    /reports/utilisation reads from and to)."""
    return [s for s in wallclock.periods(from_, to, granularity) if from_ <= s < to]


def practice_hours(session: Session, actor: User, *, from_: date, to: date,
                   granularity: str = "day", category: str | None = None,
                   student_id: int | None = None, group_by: str | None = None,
                   max_days: int, class_id: int | None = None) -> dict:
    """Hours each student practised per equipment category and local period, or each
    school's students together (group_by="school", what operators read); `class_id` keeps a
    class's members only (the caller has checked it sees the class)."""
    scope = practice_scope(actor, student_id, group_by)
    if (to - from_).days > max_days:
        raise Invalid(f"A report covers at most {max_days} days.",
                      errors={"to": [f"At most {max_days} days after from."]})
    starts = period_starts(from_, to, granularity)
    rows = []
    if starts:
        params = practice_params(
            starts, [wallclock.period_end(s, granularity) for s in starts],
            organisation_id=scope.organisation_id, student_id=scope.student_id,
            category=category, class_id=class_id)
        statement = PRACTICE if scope.group_by == "student" else PRACTICE_BY_SCHOOL
        rows = [{**row._mapping, "hours": float(row.hours)}
                for row in session.execute(statement, params)]
    return {"granularity": granularity, "from_": from_, "to": to, "group_by": scope.group_by,
            "rows": rows}
