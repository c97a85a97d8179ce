"""Read side of practice hours: the caller's scope, the periods asked for, one statement."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import wallclock
from ..classes.queries import get_visible_class, members_of
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


def class_practice(session: Session, actor: User, class_id: int, *, from_: date, to: date,
                   category: str | None = None, max_days: int) -> dict:
    """Hours each member of a class practised over [from_, to) (local days of each item's
    zone), per member and in total, by practice hours' own rules (service/practice)."""
    school_class = get_visible_class(session, actor, class_id)
    members = members_of(session, actor, school_class)
    document = practice_hours(session, actor, from_=from_, to=to, granularity="day",
                              category=category, max_days=max_days,
                              student_id=actor.id if actor.role == "student" else None,
                              class_id=school_class.id)
    hours: dict[int, float] = {}
    for row in document["rows"]:
        hours[row["student_id"]] = hours.get(row["student_id"], 0.0) + row["hours"]
    rows = [{"student_id": m["id"], "full_name": m["full_name"],
             "student_number": m["student_number"], "hours": round(hours.get(m["id"], 0.0), 2)}
            for m in members]
    return {"class_id": school_class.id, "class_name": school_class.name, "from_": from_,
            "to": to, "category": category, "members": rows,
            "total_hours": round(sum(r["hours"] for r in rows), 2)}
