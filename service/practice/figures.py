"""Practice hours per student or per school, category and local period, in one SQL statement.

A student practises as a reservation's holder for the time it used (docs/reports.md#used:
check-in to check-out, or to its end when never checked out, cut to the booked span), and as
a checked-in attendee from the later of their own and the class's check-in to the class's
check-out (or its end), cut the same way; only reservations checked in or completed count.
Each span is cut to its item's available hours in each local period of its base's zone (the
utilisation report's `available_ctes`; multirange `*`), and a student's pieces in one category
and period are joined (range_agg), so time spent as holder and attendee at once counts once.
No Python loop walks the reservations.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import text

from ..calendar import sql, statuses
from ..reports.figures import available_ctes

_STATUSES = sql.listed(statuses.USED)

_BODY = f"""
WITH students AS (
    SELECT u.id, u.full_name, u.organisation_id FROM users u
    WHERE u.role = 'student'
      AND (CAST(:organisation_id AS bigint) IS NULL
           OR u.organisation_id = CAST(:organisation_id AS bigint))
      AND (CAST(:student_id AS bigint) IS NULL OR u.id = CAST(:student_id AS bigint))
      AND (CAST(:class_id AS bigint) IS NULL OR u.id IN (
           SELECT m.user_id FROM class_members m WHERE m.class_id = CAST(:class_id AS bigint)))
),
practised AS (
    SELECT r.id AS reservation_id, r.holder_id AS student_id, r.equipment_id,
           {sql.used_span("r")} AS span
    FROM reservations r JOIN students s ON s.id = r.holder_id
    WHERE r.status IN ({_STATUSES}) AND r.checked_in_at IS NOT NULL
      AND r.starts_at < CAST(:until AS timestamptz) AND r.ends_at > CAST(:since AS timestamptz)
    UNION ALL
    SELECT r.id, a.user_id, r.equipment_id,
           tstzrange(greatest(a.checked_in_at, r.checked_in_at),
                     greatest(a.checked_in_at, r.checked_in_at,
                              coalesce(r.checked_out_at, r.ends_at)))
           * tstzrange(r.starts_at, r.ends_at)
    FROM reservation_attendees a
    JOIN students s ON s.id = a.user_id
    JOIN reservations r ON r.id = a.reservation_id
    WHERE r.status IN ({_STATUSES}) AND r.checked_in_at IS NOT NULL
      AND a.checked_in_at IS NOT NULL
      AND r.starts_at < CAST(:until AS timestamptz) AND r.ends_at > CAST(:since AS timestamptz)
),
-- The practised items' available spans per period, as the utilisation report has them (an
-- item retired since keeps the hours practised on it).
{available_ctes(items_where="e.id IN (SELECT equipment_id FROM practised)")},
pieces AS (
    SELECT x.student_id, c.code AS category, a.period_start, x.reservation_id,
           tstzmultirange(x.span) * a.spans AS piece
    FROM practised x
    JOIN available a ON a.equipment_id = x.equipment_id AND x.span && a.period
    JOIN equipment_categories c ON c.id = a.category_id
    WHERE CAST(:category AS text) IS NULL OR c.code = CAST(:category AS text)
),
joined AS (
    SELECT student_id, category, period_start, range_agg(piece) AS spans,
           count(DISTINCT reservation_id) FILTER (WHERE NOT isempty(piece)) AS sessions
    FROM pieces
    GROUP BY student_id, category, period_start
)
"""

PRACTICE_SQL = _BODY + f"""
SELECT j.student_id, s.full_name AS student_name, j.category, j.period_start,
       round({sql.hours_of("j.spans")}, 4) AS hours,
       j.sessions
FROM joined j JOIN students s ON s.id = j.student_id
WHERE j.sessions > 0
ORDER BY s.full_name, j.student_id, j.category, j.period_start
"""

# The same figures per school, with no person in them: how many students practised, their
# hours summed (each student's hours as above, so a school's row is the sum of its students'
# rows) and the distinct reservations practised (a class counts once, however many attended).
PRACTICE_BY_SCHOOL_SQL = _BODY + f""",
school_sessions AS (
    SELECT s.organisation_id, p.category, p.period_start,
           count(DISTINCT p.reservation_id) AS sessions
    FROM pieces p JOIN students s ON s.id = p.student_id
    WHERE NOT isempty(p.piece)
    GROUP BY s.organisation_id, p.category, p.period_start
)
SELECT o.id AS school_id, o.name AS school_name, j.category, j.period_start,
       count(*) AS students, sum(round({sql.hours_of("j.spans")}, 4)) AS hours,
       min(x.sessions) AS sessions
FROM joined j JOIN students s ON s.id = j.student_id
JOIN organisations o ON o.id = s.organisation_id
JOIN school_sessions x ON x.organisation_id = o.id AND x.category = j.category
     AND x.period_start = j.period_start
WHERE j.sessions > 0
GROUP BY o.id, o.name, j.category, j.period_start
ORDER BY o.name, o.id, j.category, j.period_start
"""

PRACTICE = text(PRACTICE_SQL)
PRACTICE_BY_SCHOOL = text(PRACTICE_BY_SCHOOL_SQL)


# How far around the asked days a reservation that counts may lie: the widest zone offsets,
# an early check-in and a late check-out all fit well inside it.
MARGIN = timedelta(days=2)


def practice_params(starts: list[date], ends: list[date], *, organisation_id: int | None,
                    student_id: int | None, category: str | None,
                    class_id: int | None = None) -> dict:
    """The statement's parameters; `since`/`until` bound the reservations read (the index
    on their start narrows the scan) without cutting any that count."""
    return {"firsts": starts, "ends": ends, "organisation_id": organisation_id,
            "student_id": student_id, "category": category, "class_id": class_id,
            "since": datetime.combine(min(starts), time(0), UTC) - MARGIN,
            "until": datetime.combine(max(ends), time(0), UTC) + MARGIN}
