"""The heat map: booked hours by local weekday x local hour, in one SQL statement.

Booked hours as the utilisation report counts them: per item, its booked reservations (their
union) within its available spans over the asked days (opening hours less closures and
blackouts, offer windows for enterprise items), so the map's total is the report's booked
total. Each piece is cut at the local hour boundaries of its base zone; a repeated autumn hour
counts under its wall hour (both passes), a skipped spring hour is empty.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, text

from ..calendar import sql, statuses
from ..calendar.sql import local_instant
from .figures import AVAILABLE_CTES

_HOUR_FROM = local_instant("h.wall", "c.tz")
_HOUR_TO = local_instant("h.wall + interval '1 hour'", "c.tz")

HEATMAP = text(AVAILABLE_CTES + f""",
clipped AS (
    SELECT a.tz, unnest(b.booked * a.spans) AS span
    FROM available a
    CROSS JOIN LATERAL (
        SELECT range_agg(tstzrange(r.starts_at, r.ends_at)) AS booked
        FROM reservations r
        WHERE r.equipment_id = a.equipment_id
          AND r.status IN ({sql.listed(statuses.BOOKED)})
          AND tstzrange(r.starts_at, r.ends_at) && tstzrange(a.lower_at, a.upper_at)
    ) AS b
    WHERE b.booked IS NOT NULL
      AND (CAST(:owner_id AS bigint) IS NULL OR a.owner_organisation_id = :owner_id)
      AND (CAST(:base_id AS bigint) IS NULL OR a.base_id = :base_id)
      AND (CAST(:category_id AS bigint) IS NULL OR a.category_id = :category_id)
),
pieces AS (
    SELECT c.tz, c.span, {sql.wall_clock("lower(c.span)", "c.tz")} AS local_from,
           {sql.wall_clock("upper(c.span)", "c.tz")} AS local_to
    FROM clipped c
),
-- Most pieces sit inside one wall hour with no change of the clocks: their hours go to it.
whole AS (
    SELECT extract(isodow FROM p.local_from)::int AS weekday,
           extract(hour FROM p.local_from)::int AS hour,
           upper(p.span) - lower(p.span) AS length
    FROM pieces p
    WHERE date_trunc('hour', p.local_from)
              = date_trunc('hour', p.local_to - interval '1 microsecond')
      AND p.local_to - p.local_from = upper(p.span) - lower(p.span)
),
-- The others are cut at each wall hour they touch.
hours AS (
    SELECT c.span, h.wall, tstzrange({_HOUR_FROM}, {_HOUR_TO}) AS bucket
    FROM (SELECT * FROM pieces p
          WHERE date_trunc('hour', p.local_from)
                    <> date_trunc('hour', p.local_to - interval '1 microsecond')
             OR p.local_to - p.local_from <> upper(p.span) - lower(p.span)) AS c,
         generate_series(date_trunc('hour', c.local_from), c.local_to, interval '1 hour')
             AS h(wall)
),
cut AS (
    SELECT extract(isodow FROM wall)::int AS weekday, extract(hour FROM wall)::int AS hour,
           upper(span * bucket) - lower(span * bucket) AS length
    FROM hours
    WHERE span && bucket
    UNION ALL
    SELECT weekday, hour, length FROM whole
)
SELECT weekday, hour, round(extract(epoch FROM sum(length)) / 3600, 4) AS booked_hours
FROM cut
GROUP BY 1, 2
""").bindparams(bindparam("owner_id", value=None), bindparam("base_id", value=None),
                bindparam("category_id", value=None), bindparam("equipment_ids", value=None))


def heatmap_cells(session, first: date, end: date, *, owner_id: int | None = None,
                  base_id: int | None = None, category_id: int | None = None) -> list[dict]:
    """All 168 cells (ISO weekday 1-7 x hour 0-23, in that order) of booked hours of the
    items in scope over the local days first..end (exclusive)."""
    return cells_of({(row.weekday, row.hour): float(row.booked_hours) for row in session.execute(
        HEATMAP, {"firsts": [first], "ends": [end], "owner_id": owner_id, "base_id": base_id,
                  "category_id": category_id})})


def cells_of(found: dict[tuple[int, int], float]) -> list[dict]:
    """Every cell of the week, zero where nothing was booked."""
    return [{"weekday": weekday, "hour": hour, "booked_hours": found.get((weekday, hour), 0.0)}
            for weekday in range(1, 8) for hour in range(24)]
