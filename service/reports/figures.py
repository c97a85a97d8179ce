"""The set-based computation of one period's figures for every item, in one SQL statement.

Everything is built from ranges in PostgreSQL: per item, the local days of the period are
turned into the base's open spans (`generate_series` joined with `opening_hours`), closures
and blackouts are taken away (multirange `-`), enterprise items keep only what their approved
offers' windows open (`*`), and reservations are cut to what remains. No Python loop walks
the reservations.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, text

# Offers whose windows counted as open: approved ones, and those that expired after being
# approved (their windows ran to their end). A withdrawn offer counts no more.
OFFERED = ("approved", "expired")
BOOKED = ("confirmed", "checked_in", "completed", "no_show")


def local_instant(wall: str, tz: str) -> str:
    """SQL for the instant of a local `timestamp` expression in zone `tz`, read as the rules'
    `at_local` reads it: an ambiguous autumn wall time is its first (summer) occurrence, a
    missing spring one is taken with the offset before the change. PostgreSQL alone would
    take the second occurrence of an ambiguous time, hence the one-hour look back."""
    plain = f"(({wall}) AT TIME ZONE {tz})"
    earlier = f"({plain} - interval '1 hour')"
    return (f"(CASE WHEN ({earlier} AT TIME ZONE {tz}) = ({wall}) THEN {earlier} "
            f"ELSE {plain} END)")


def _hours(multirange: str) -> str:
    return (f"(SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0) / 3600 "
            f"FROM unnest({multirange}) AS r)")


def _statuses(values: tuple[str, ...]) -> str:
    return ", ".join(repr(v) for v in values)


_DAY = "(d.day::timestamp)"
_OPEN = local_instant(f"{_DAY} + h.opens", "i.tz")
_CLOSE = local_instant(f"{_DAY} + h.closes", "i.tz")
_WINDOW_OPEN = local_instant(f"{_DAY} + s.opens", "i.tz")
_WINDOW_CLOSE = local_instant(f"{_DAY} + s.closes", "i.tz")
_CLOSURE_FROM = local_instant("c.starts_on::timestamp", "i.tz")
_CLOSURE_TO = local_instant("(c.ends_on + 1)::timestamp", "i.tz")
_PERIOD_FROM = local_instant("CAST(:first AS timestamp)", "b.timezone")
_PERIOD_TO = local_instant("CAST(:end AS timestamp)", "b.timezone")
_AVAILABLE_HOURS = _hours("a.spans")
_BOOKED_HOURS = _hours("coalesce(m.booked, '{}') * a.spans")
_USED_HOURS = _hours("coalesce(m.used, '{}') * a.spans")

FIGURES_SQL = f"""
WITH items AS (
    SELECT e.id AS equipment_id, e.base_id, e.category_id, e.owner_organisation_id,
           o.kind = 'enterprise' AS is_enterprise, b.timezone AS tz,
           tstzmultirange(tstzrange({_PERIOD_FROM}, {_PERIOD_TO})) AS period
    FROM equipment e
    JOIN training_bases b ON b.id = e.base_id
    JOIN organisations o ON o.id = e.owner_organisation_id
    WHERE e.status <> 'retired'
      AND (CAST(:equipment_ids AS bigint[]) IS NULL OR e.id = ANY(CAST(:equipment_ids AS bigint[])))
),
days AS (
    SELECT day::date AS day
    FROM generate_series(CAST(:first AS date), CAST(:end AS date) - 1, interval '1 day') AS day
),
opening AS (
    SELECT i.equipment_id, range_agg(tstzrange({_OPEN}, {_CLOSE})) AS spans
    FROM items i CROSS JOIN days d
    JOIN opening_hours h ON h.base_id = i.base_id AND h.weekday = extract(isodow FROM d.day)
    GROUP BY i.equipment_id
),
closed AS (
    SELECT i.equipment_id, range_agg(tstzrange({_CLOSURE_FROM}, {_CLOSURE_TO})) AS spans
    FROM items i JOIN closures c ON c.base_id = i.base_id
    WHERE c.starts_on < CAST(:end AS date) AND c.ends_on >= CAST(:first AS date)
    GROUP BY i.equipment_id
),
blacked AS (
    SELECT i.equipment_id, range_agg(tstzrange(k.starts_at, k.ends_at)) AS spans
    FROM items i JOIN blackouts k ON k.equipment_id = i.equipment_id
    WHERE tstzrange(k.starts_at, k.ends_at) && i.period
    GROUP BY i.equipment_id
),
offered AS (
    SELECT i.equipment_id, range_agg(tstzrange({_WINDOW_OPEN}, {_WINDOW_CLOSE})) AS spans
    FROM items i
    JOIN offer_items oi ON oi.equipment_id = i.equipment_id
    JOIN offers f ON f.id = oi.offer_id AND f.status IN ({_statuses(OFFERED)})
    JOIN offer_windows w ON w.offer_id = f.id AND w.starts_on < CAST(:end AS date)
                        AND w.ends_on >= CAST(:first AS date)
    JOIN days d ON d.day BETWEEN w.starts_on AND w.ends_on
    JOIN offer_window_spans s ON s.window_id = w.id
                             AND s.weekday = extract(isodow FROM d.day)
    WHERE i.is_enterprise
    GROUP BY i.equipment_id
),
available AS (
    SELECT i.*,
           (coalesce(op.spans, '{{}}') - coalesce(cl.spans, '{{}}')
            - coalesce(bl.spans, '{{}}'))
           * CASE WHEN i.is_enterprise THEN coalesce(ofr.spans, '{{}}')
                  ELSE '{{(,)}}'::tstzmultirange END
           * i.period AS spans
    FROM items i
    LEFT JOIN opening op USING (equipment_id)
    LEFT JOIN closed cl USING (equipment_id)
    LEFT JOIN blacked bl USING (equipment_id)
    LEFT JOIN offered ofr USING (equipment_id)
),
touching AS (
    SELECT a.equipment_id, r.id, r.status, r.starts_at, r.ends_at, r.checked_in_at,
           r.checked_out_at, r.starts_at <@ a.period AS starts_inside
    FROM available a JOIN reservations r ON r.equipment_id = a.equipment_id
    -- The bound on starts_at lets the (equipment_id, starts_at) index narrow the scan.
    WHERE r.starts_at < upper(a.period) AND tstzrange(r.starts_at, r.ends_at) && a.period
),
measured AS (
    SELECT t.equipment_id,
           range_agg(tstzrange(t.starts_at, t.ends_at))
               FILTER (WHERE t.status IN ({_statuses(BOOKED)})) AS booked,
           range_agg(tstzrange(t.checked_in_at,
                               greatest(t.checked_in_at, coalesce(t.checked_out_at, t.ends_at))))
               FILTER (WHERE t.checked_in_at IS NOT NULL
                         AND t.status IN ('checked_in', 'completed')) AS used,
           count(*) FILTER (WHERE t.starts_inside AND t.status = 'no_show') AS no_shows,
           count(*) FILTER (WHERE t.starts_inside AND t.status = 'cancelled') AS cancellations,
           count(*) FILTER (WHERE t.starts_inside AND t.status = 'cancelled' AND EXISTS (
               SELECT 1 FROM reservation_events ev
               WHERE ev.reservation_id = t.id AND ev.to_status = 'cancelled'
                 AND ev.at > t.starts_at - interval '24 hours')) AS late_cancellations
    FROM touching t
    GROUP BY t.equipment_id
)
SELECT a.equipment_id, a.base_id, a.category_id, a.owner_organisation_id, a.is_enterprise,
       round({_AVAILABLE_HOURS}, 4) AS available_hours,
       round({_BOOKED_HOURS}, 4) AS booked_hours,
       round({_USED_HOURS}, 4) AS used_hours,
       coalesce(m.no_shows, 0) AS no_shows,
       coalesce(m.cancellations, 0) AS cancellations,
       coalesce(m.late_cancellations, 0) AS late_cancellations
FROM available a LEFT JOIN measured m USING (equipment_id)
"""

FIGURES = text(FIGURES_SQL).bindparams(bindparam("equipment_ids", value=None))


def figures_params(first: date, end: date, equipment_ids: list[int] | None = None) -> dict:
    return {"first": first, "end": end, "equipment_ids": equipment_ids}
