"""Open and booked seconds per local day and wall hour, in one SQL statement: what the heat map
sums, written with each day's stored report and computed live for the days not built.

Open is the utilisation report's available (opening hours less closures and blackouts, from
the item's listing until its retirement: `figures.available_ctes`), booked its booked hours
(the union of the booked reservations within what is available). Each span is cut at the
wall-clock hours of its base zone: a repeated autumn hour counts both passes under its wall
hour, a skipped spring hour is empty. Figures are kept per local day, hour, base, category and
owner (what the heat map filters by), not per item: a day of a thousand items in four bases is
a few hundred rows, so ten weeks of the platform sum in milliseconds.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import bindparam, text

from ..calendar import sql, statuses
from ..calendar.sql import local_instant
from .figures import available_ctes

# Items in scope: every item (a build), or those of one owner, base and category (live).
_SCOPED_ITEMS = ("(CAST(:owner_id AS bigint) IS NULL OR e.owner_organisation_id = :owner_id)"
                 " AND (CAST(:base_id AS bigint) IS NULL OR e.base_id = :base_id)"
                 " AND (CAST(:category_id AS bigint) IS NULL OR e.category_id = :category_id)")
_HOUR_FROM = local_instant("h.wall", "p.tz")
_HOUR_TO = local_instant("h.wall + interval '1 hour'", "p.tz")
_ONE_HOUR = ("date_trunc('hour', p.local_from)"
             " = date_trunc('hour', p.local_to - interval '1 microsecond')"
             " AND p.local_to - p.local_from = upper(p.span) - lower(p.span)")

HOURS_SQL = "WITH " + available_ctes(_SCOPED_ITEMS) + f""",
shared AS (
    -- Items with their base's open spans (most of them) are counted once per base, day,
    -- category and owner, weighed by how many they are.
    SELECT a.base_id, a.period_start, a.category_id, a.owner_organisation_id, count(*) AS n
    FROM available a WHERE a.has_open_spans
    GROUP BY a.base_id, a.period_start, a.category_id, a.owner_organisation_id
),
spans AS (
    SELECT x.tz, s.base_id, s.category_id, s.owner_organisation_id, s.n AS weight,
           false AS booked, u.span
    FROM shared s JOIN calendar x USING (base_id, period_start)
    CROSS JOIN LATERAL unnest(x.open_spans) AS u(span)
    UNION ALL
    SELECT a.tz, a.base_id, a.category_id, a.owner_organisation_id, 1, false, u.span
    FROM available a CROSS JOIN LATERAL unnest(a.spans) AS u(span)
    WHERE NOT a.has_open_spans
    UNION ALL
    SELECT a.tz, a.base_id, a.category_id, a.owner_organisation_id, 1, true, u.span
    FROM available a
    CROSS JOIN LATERAL (
        SELECT range_agg(tstzrange(r.starts_at, r.ends_at)) AS booked
        FROM reservations r
        WHERE r.equipment_id = a.equipment_id
          AND r.status IN ({sql.listed(statuses.BOOKED)})
          AND tstzrange(r.starts_at, r.ends_at) && tstzrange(a.lower_at, a.upper_at)
    ) AS b
    CROSS JOIN LATERAL unnest(b.booked * a.spans) AS u(span)
),
pieces AS (
    SELECT s.*, {sql.wall_clock("lower(s.span)", "s.tz")} AS local_from,
           {sql.wall_clock("upper(s.span)", "s.tz")} AS local_to
    FROM spans s
),
cut AS (
    -- Most booked pieces sit inside one wall hour with no change of the clocks.
    SELECT p.base_id, p.category_id, p.owner_organisation_id, p.weight, p.booked,
           date_trunc('hour', p.local_from) AS wall, upper(p.span) - lower(p.span) AS length
    FROM pieces p
    WHERE {_ONE_HOUR}
    UNION ALL
    -- The others are cut at each wall hour they touch.
    SELECT p.base_id, p.category_id, p.owner_organisation_id, p.weight, p.booked, h.wall,
           upper(p.span * tstzrange({_HOUR_FROM}, {_HOUR_TO}))
               - lower(p.span * tstzrange({_HOUR_FROM}, {_HOUR_TO}))
    FROM pieces p
    CROSS JOIN LATERAL generate_series(date_trunc('hour', p.local_from), p.local_to,
                                       interval '1 hour') AS h(wall)
    WHERE NOT ({_ONE_HOUR}) AND p.span && tstzrange({_HOUR_FROM}, {_HOUR_TO})
)
SELECT c.wall::date AS day, extract(hour FROM c.wall)::int AS hour, c.base_id, c.category_id,
       c.owner_organisation_id,
       coalesce(sum(extract(epoch FROM c.length) * c.weight) FILTER (WHERE NOT c.booked), 0)
           AS open_seconds,
       coalesce(sum(extract(epoch FROM c.length)) FILTER (WHERE c.booked), 0) AS booked_seconds
FROM cut c
GROUP BY 1, 2, 3, 4, 5
"""

_SCOPE = ("owner_id", "base_id", "category_id")
_ALL_ITEMS = dict.fromkeys(_SCOPE)

# A built day's hours replace the ones before (a rebuild, a correction).
CLEAR_SQL = text("DELETE FROM utilisation_hours WHERE day = ANY(CAST(:firsts AS date[]))")
WRITE_SQL = text(f"""
INSERT INTO utilisation_hours (day, hour, base_id, category_id, owner_organisation_id,
                               open_seconds, booked_seconds)
SELECT day, hour, base_id, category_id, owner_organisation_id, open_seconds, booked_seconds
FROM ({HOURS_SQL}) AS h
WHERE h.day = ANY(CAST(:days AS date[])) AND h.open_seconds > 0
""").bindparams(*(bindparam(name, value=None) for name in _ALL_ITEMS))

LIVE_SQL = text(f"""
SELECT extract(isodow FROM h.day)::int AS weekday, h.hour, sum(h.open_seconds) AS open_seconds,
       sum(h.booked_seconds) AS booked_seconds
FROM ({HOURS_SQL}) AS h
GROUP BY 1, 2
""").bindparams(*(bindparam(name, value=None) for name in _ALL_ITEMS))

STORED_SQL = text("""
SELECT extract(isodow FROM u.day)::int AS weekday, u.hour, sum(u.open_seconds) AS open_seconds,
       sum(u.booked_seconds) AS booked_seconds
FROM utilisation_hours u
WHERE u.day = ANY(CAST(:days AS date[]))
  AND (CAST(:owner_id AS bigint) IS NULL OR u.owner_organisation_id = :owner_id)
  AND (CAST(:base_id AS bigint) IS NULL OR u.base_id = :base_id)
  AND (CAST(:category_id AS bigint) IS NULL OR u.category_id = :category_id)
GROUP BY 1, 2
""").bindparams(*(bindparam(name, value=None) for name in _SCOPE))

# The days whose latest succeeded daily build wrote its hours (builds before the hours were
# kept did not: those days are computed live until rebuilt).
KEPT_DAYS_SQL = text("""
SELECT period_start, id FROM (
    SELECT DISTINCT ON (period_start) period_start, id, hours_kept
    FROM report_runs
    WHERE granularity = 'day' AND status = 'succeeded'
      AND period_start = ANY(CAST(:days AS date[]))
    ORDER BY period_start, id DESC) AS latest
WHERE hours_kept
""")


def write_days(session, periods: list[tuple[date, date]]) -> None:
    """Write the hours of the days (local day, day after) of a daily build, all items."""
    days = [first for first, _ in periods]
    session.execute(CLEAR_SQL, {"firsts": days})
    # Consecutive days computed as one period: each hour's day is its wall hour's, so the
    # figures are the same, and a month's items are looked up once, not once a day.
    runs = stretches(days)
    session.execute(WRITE_SQL, {"firsts": [first for first, _ in runs],
                                "ends": [end for _, end in runs], "days": days,
                                **_ALL_ITEMS})


def stretches(days: list[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days as (first, end exclusive): one period each for the live path,
    whose hours are the same cut by day or not."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] == day:
            runs[-1][1] = day + timedelta(days=1)
        else:
            runs.append([day, day + timedelta(days=1)])
    return [(first, end) for first, end in runs]


def days_of(first: date, end: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((end - first).days)]


def kept_days(session, first: date, end: date) -> dict[date, int]:
    """Each of the local days first..end (exclusive) whose hours are kept -> the run that
    wrote them (a rebuild is a new run)."""
    return dict(session.execute(KEPT_DAYS_SQL, {"days": days_of(first, end)}).all())


def hour_sums(session, first: date, end: date, kept: dict[date, int] | None = None,
              **scope) -> dict[tuple[int, int], list]:
    """(weekday, hour) -> [open seconds, booked seconds] of the items in scope (owner_id,
    base_id, category_id; None: any) over the local days first..end (exclusive): kept days
    (`kept_days`, unless given) read from utilisation_hours, the others computed now."""
    days = days_of(first, end)
    kept = kept_days(session, first, end) if kept is None else kept
    sums: dict[tuple[int, int], list] = {}

    def add(rows) -> None:
        for row in rows:
            cell = sums.setdefault((row.weekday, row.hour), [0, 0])
            cell[0] += row.open_seconds
            cell[1] += row.booked_seconds

    if kept:
        add(session.execute(STORED_SQL, {"days": sorted(kept), **scope}))
    live = stretches([day for day in days if day not in kept])
    if live:
        add(session.execute(LIVE_SQL, {"firsts": [f for f, _ in live],
                                       "ends": [e for _, e in live], **scope}))
    return sums
