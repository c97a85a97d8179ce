"""The heat map: booked hours by local weekday x local hour, in one SQL statement.

Each booked reservation (clipped to the asked days, read in its item's base zone) is cut at
the local hour boundaries of its base zone; a repeated autumn hour counts under its wall hour
(both passes), a skipped spring hour is empty.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, text

from .figures import BOOKED, local_instant

_FROM = local_instant("CAST(:first AS timestamp)", "b.timezone")
_TO = local_instant("CAST(:end AS timestamp)", "b.timezone")
_HOUR_FROM = local_instant("h.wall", "c.tz")
_HOUR_TO = local_instant("h.wall + interval '1 hour'", "c.tz")

HEATMAP = text(f"""
WITH items AS (
    SELECT e.id, b.timezone AS tz, tstzrange({_FROM}, {_TO}) AS period
    FROM equipment e
    JOIN training_bases b ON b.id = e.base_id
    WHERE e.status <> 'retired'  -- as the utilisation report: retired items are not reported
      AND (CAST(:owner_id AS bigint) IS NULL OR e.owner_organisation_id = :owner_id)
      AND (CAST(:base_id AS bigint) IS NULL OR e.base_id = :base_id)
      AND (CAST(:category_id AS bigint) IS NULL OR e.category_id = :category_id)
),
clipped AS (
    SELECT i.tz, tstzrange(r.starts_at, r.ends_at) * i.period AS span
    FROM items i JOIN reservations r ON r.equipment_id = i.id
    WHERE r.status IN ({", ".join(repr(s) for s in BOOKED)})
      AND r.starts_at < upper(i.period) AND tstzrange(r.starts_at, r.ends_at) && i.period
),
hours AS (
    SELECT c.span, h.wall, tstzrange({_HOUR_FROM}, {_HOUR_TO}) AS bucket
    FROM clipped c,
         generate_series(date_trunc('hour', lower(c.span) AT TIME ZONE c.tz),
                         upper(c.span) AT TIME ZONE c.tz, interval '1 hour') AS h(wall)
)
SELECT extract(isodow FROM wall)::int AS weekday, extract(hour FROM wall)::int AS hour,
       round(sum(extract(epoch FROM upper(span * bucket) - lower(span * bucket))) / 3600, 4)
           AS booked_hours
FROM hours
WHERE span && bucket
GROUP BY 1, 2
""").bindparams(bindparam("owner_id", value=None), bindparam("base_id", value=None),
                bindparam("category_id", value=None))


def heatmap_cells(session, first: date, end: date, *, owner_id: int | None = None,
                  base_id: int | None = None, category_id: int | None = None) -> list[dict]:
    """All 168 cells (ISO weekday 1-7 x hour 0-23, in that order) of booked hours of the
    items in scope over the local days first..end (exclusive)."""
    return cells_of({(row.weekday, row.hour): float(row.booked_hours) for row in session.execute(
        HEATMAP, {"first": first, "end": end, "owner_id": owner_id, "base_id": base_id,
                  "category_id": category_id})})


def cells_of(found: dict[tuple[int, int], float]) -> list[dict]:
    """Every cell of the week, zero where nothing was booked."""
    return [{"weekday": weekday, "hour": hour, "booked_hours": found.get((weekday, hour), 0.0)}
            for weekday in range(1, 8) for hour in range(24)]
