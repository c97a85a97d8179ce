"""The set-based computation of periods' figures for every item, in one SQL statement.

Everything is built from ranges in PostgreSQL: per item, the local days of the period are
turned into the base's open spans (`generate_series` joined with `opening_hours`), closures
and blackouts are taken away (multirange `-`), and reservations are cut to what remains; of an
enterprise's item, the part its approved offers' windows open (`*`) is also counted as offered.
No Python loop walks the reservations.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, text

from ..calendar import sql, statuses
from ..calendar.sql import local_instant


def _span(opens: str, closes: str) -> str:
    # A weekly span that opens in a spring gap (read with the offset before the change) may
    # come out closing before it opens: nothing of it exists that day, as the rules say.
    return f"tstzrange(least({opens}, {closes}), {closes})"


_DAY = "(d.day::timestamp)"
_OPEN = local_instant(f"{_DAY} + h.opens", "x.tz")
_CLOSE = local_instant(f"{_DAY} + h.closes", "x.tz")
_WINDOW_OPEN = local_instant(f"{_DAY} + s.opens", "x.tz")
_WINDOW_CLOSE = local_instant(f"{_DAY} + s.closes", "x.tz")
_CLOSURE_FROM = local_instant("c.starts_on::timestamp", "x.tz")
_CLOSURE_TO = local_instant("(c.ends_on + 1)::timestamp", "x.tz")
_PERIOD_FROM = local_instant("p.period_start::timestamp", "b.timezone")
_PERIOD_TO = local_instant("p.period_end::timestamp", "b.timezone")
_AVAILABLE_HOURS = sql.hours_of("a.spans")
# Offered: of what is available, what approved offers open (a school's item: 0, offered to
# nobody).
_OFFERED_HOURS = sql.hours_of("a.offered_spans * a.spans")
_BOOKED_HOURS = sql.hours_of("(CASE WHEN c.booked IS NULL THEN coalesce(m.booked, '{}')"
                            " ELSE coalesce(m.booked, '{}') + c.booked END) * a.spans")
_USED_HOURS = sql.hours_of("(CASE WHEN c.used IS NULL THEN coalesce(m.used, '{}')"
                          " ELSE coalesce(m.used, '{}') + c.used END) * a.spans")
# The local period (of granularity :unit, in the item's zone) of an instant.
_ENDS_IN = sql.local_period("CAST(:unit AS text)", "q.ends_at - interval '1 microsecond'", "h.tz")
_USE_ENDS_IN = sql.local_period("CAST(:unit AS text)",
                                "upper(q.used_span) - interval '1 microsecond'", "h.tz")
# A reservation that may end past the period it starts in: its local start plus its length
# reaches within three hours (more than any change of the clocks) of the next period; only
# those are looked at in their zone again.
_MAY_LEAVE = ("q.local_start + (q.ends_at - q.starts_at) + interval '3 hours'"
              " > q.first + h.step")

# The items a report speaks of: every item, or those asked for. A retired item is reported
# for the periods it was in service (up to its retirement, see `available`).
_REPORTED_ITEMS = ("(CAST(:equipment_ids AS bigint[]) IS NULL"
                   " OR e.id = ANY(CAST(:equipment_ids AS bigint[])))")

# The available spans of every item over several periods (keyed by equipment_id and
# period_start, in `available`), also what the heat map clips its booked hours to. What depends
# only on the base (its periods' bounds, opening hours less closures) is worked out once per
# base and period; each item adds its blackouts and offer windows.
def available_ctes(items_where: str = _REPORTED_ITEMS) -> str:
    """The CTEs below (no leading WITH), for the items `items_where` (SQL on `e`, an
    equipment row) keeps."""
    return f"""periods AS (
    SELECT p.period_start, p.period_end
    FROM unnest(CAST(:firsts AS date[]), CAST(:ends AS date[])) AS p(period_start, period_end)
),
days AS (
    SELECT p.period_start, day::date AS day
    FROM periods p,
         generate_series(p.period_start, p.period_end - 1, interval '1 day') AS day
),
items AS (
    SELECT e.id AS equipment_id, e.base_id, e.category_id, e.owner_organisation_id,
           o.kind = 'enterprise' AS is_enterprise,
           -- In service from its listing, or its first reservation if that came earlier (a
           -- history loaded later): nothing was available before.
           least(e.created_at, (SELECT min(r.starts_at) FROM reservations r
                                WHERE r.equipment_id = e.id)) AS in_service,
           -- Out of service from its retirement on (NULL: still in service).
           e.retired_at
    FROM equipment e
    JOIN organisations o ON o.id = e.owner_organisation_id
    WHERE {items_where}
),
bounds AS (
    SELECT b.id AS base_id, b.timezone AS tz, p.period_start, p.period_end,
           {_PERIOD_FROM} AS lower_at, {_PERIOD_TO} AS upper_at
    FROM training_bases b CROSS JOIN periods p
    WHERE b.id IN (SELECT base_id FROM items)
),
bases AS (
    SELECT u.*, tstzmultirange(tstzrange(u.lower_at, u.upper_at)) AS period FROM bounds u
),
opening AS (
    SELECT x.base_id, x.period_start, range_agg({_span(_OPEN, _CLOSE)}) AS spans
    FROM bases x JOIN days d ON d.period_start = x.period_start
    -- Each day reads the week in force that day (opening_hours.in_force).
    JOIN opening_hours h ON h.base_id = x.base_id AND h.weekday = extract(isodow FROM d.day)
                        AND h.in_force @> d.day
    GROUP BY x.base_id, x.period_start
),
closed AS (
    SELECT x.base_id, x.period_start,
           range_agg(tstzrange({_CLOSURE_FROM}, {_CLOSURE_TO})) AS spans
    FROM bases x JOIN closures c ON c.base_id = x.base_id
    WHERE c.starts_on < x.period_end AND c.ends_on >= x.period_start
    GROUP BY x.base_id, x.period_start
),
calendar AS (
    SELECT c.*, {sql.hours_of("c.open_spans")} AS open_hours
    FROM (SELECT x.*, (coalesce(op.spans, '{{}}') - coalesce(cl.spans, '{{}}')) * x.period
                      AS open_spans
          FROM bases x
          LEFT JOIN opening op USING (base_id, period_start)
          LEFT JOIN closed cl USING (base_id, period_start)) AS c
),
blacked AS (
    SELECT i.equipment_id, x.period_start, range_agg(tstzrange(k.starts_at, k.ends_at)) AS spans
    FROM items i JOIN calendar x ON x.base_id = i.base_id
    JOIN blackouts k ON k.equipment_id = i.equipment_id
    WHERE tstzrange(k.starts_at, k.ends_at) && x.period
    GROUP BY i.equipment_id, x.period_start
),
offered AS (
    SELECT i.equipment_id, x.period_start,
           range_agg({_span(_WINDOW_OPEN, _WINDOW_CLOSE)} * f.open) AS spans
    FROM items i JOIN calendar x ON x.base_id = i.base_id
    JOIN offer_items oi ON oi.equipment_id = i.equipment_id
    JOIN offers o ON o.id = oi.offer_id
    CROSS JOIN LATERAL unnest({sql.offered_while("o", "x.tz")}) AS f(open)
    JOIN offer_windows w ON w.offer_id = o.id AND w.starts_on < x.period_end
                        AND w.ends_on >= x.period_start
    -- the windows' days on which the item was in the offer's terms
    JOIN days d ON d.period_start = x.period_start AND d.day BETWEEN w.starts_on AND w.ends_on
               AND oi.in_force @> d.day
    JOIN offer_window_spans s ON s.window_id = w.id
                             AND s.weekday = extract(isodow FROM d.day)
    WHERE i.is_enterprise
    GROUP BY i.equipment_id, x.period_start
),
available AS (
    -- Every item, a school's or an enterprise's, is available in its base's open spans less
    -- its blackouts (docs/reports.md#available); an enterprise item's approved offers say
    -- which part of that is offered (`offered_spans`, docs/reports.md#offered). An item with
    -- no blackout, in service all the period, has its base's open spans, whose hours are
    -- counted once per base and period. A retired item is in the periods that began before
    -- its retirement, available up to it.
    SELECT i.*, x.tz, x.period_start, x.period, x.lower_at, x.upper_at,
           CASE WHEN bl.spans IS NULL AND i.in_service <= x.lower_at AND i.retired_at IS NULL
                THEN x.open_spans
                ELSE (x.open_spans - coalesce(bl.spans, '{{}}'))
                     * tstzmultirange(tstzrange(i.in_service, CASE WHEN i.retired_at IS NOT NULL
                           THEN greatest(i.in_service, i.retired_at) END)) END AS spans,
           bl.spans IS NULL AND i.in_service <= x.lower_at AND i.retired_at IS NULL
               AS has_open_spans, x.open_hours,
           ofr.spans AS offered_spans
    FROM items i
    JOIN calendar x ON x.base_id = i.base_id
    LEFT JOIN blacked bl ON bl.equipment_id = i.equipment_id
                        AND bl.period_start = x.period_start
    LEFT JOIN offered ofr ON ofr.equipment_id = i.equipment_id
                         AND ofr.period_start = x.period_start
    WHERE i.retired_at IS NULL OR i.retired_at > x.lower_at
)
"""


AVAILABLE_CTES = "WITH " + available_ctes()

# Several periods of one granularity at once: each item's figures per period.
FIGURES_SQL = AVAILABLE_CTES + f""",
hulls AS (
    SELECT i.equipment_id, min(x.tz) AS tz, tstzrange(min(x.lower_at), max(x.upper_at)) AS span,
           CAST('1 ' || :unit AS interval) AS step
    FROM items i JOIN calendar x ON x.base_id = i.base_id
    GROUP BY i.equipment_id
),
measured AS MATERIALIZED (
    -- Item by item: one search of the GiST index on the span over the hull of the item's
    -- periods, and the item's reservations summed up right there by the period holding their
    -- start (a few hundred rows: no join and no sort of the whole month's reservations). The
    -- local period of an instant, read in the base's zone, is the one whose bounds above hold
    -- it, also when a change of the clocks skips or repeats a midnight. What a reservation
    -- books or uses beyond the period it starts in is carried (`*_out`) to the item's other
    -- periods below.
    SELECT h.equipment_id, m.*
    FROM hulls h
    CROSS JOIN LATERAL (
        SELECT q.first::date AS period_start,
               range_agg(tstzrange(q.starts_at, q.ends_at)) FILTER (WHERE q.booked) AS booked,
               range_agg(q.used_span) FILTER (WHERE q.used) AS used,
               range_agg(tstzrange(q.starts_at, q.ends_at)) FILTER (WHERE q.booked AND CASE
                   WHEN {_MAY_LEAVE} THEN {_ENDS_IN} > q.first ELSE false END) AS booked_out,
               range_agg(q.used_span) FILTER (WHERE q.used AND CASE
                   WHEN {_MAY_LEAVE} THEN {_USE_ENDS_IN} > q.first ELSE false END) AS used_out,
               count(*) FILTER (WHERE q.status = 'no_show') AS no_shows,
               count(*) FILTER (WHERE q.status = 'cancelled') AS cancellations,
               count(*) FILTER (WHERE q.status = 'cancelled' AND EXISTS (
                   SELECT 1 FROM reservation_events ev
                   WHERE ev.reservation_id = q.id AND ev.to_status = 'cancelled'
                     AND ev.at > q.starts_at - interval '24 hours')) AS late_cancellations,
               -- the words part's status (an owner's request never decided); counted by name
               -- so the figure exists before the status does
               count(*) FILTER (WHERE q.status = 'lapsed') AS lapses
        FROM (
            SELECT l.*, date_trunc(CAST(:unit AS text), l.local_start) AS first,
                   NOT coalesce(isempty(l.used_span), true) AS used
            FROM (
                SELECT r.id, r.status, r.starts_at, r.ends_at,
                       r.status IN ({sql.listed(statuses.BOOKED)}) AS booked,
                       {sql.used_span("r")} AS used_span,
                       {sql.wall_clock("r.starts_at", "h.tz")} AS local_start
                FROM reservations r
                WHERE r.equipment_id = h.equipment_id
                  -- what a reservation uses lies inside what it booked (sql.used_span)
                  AND tstzrange(r.starts_at, r.ends_at) && h.span
                OFFSET 0  -- one zone conversion per reservation
            ) AS l
        ) AS q
        GROUP BY q.first
    ) AS m
),
carried AS (
    -- Per item, what its reservations book or use outside the period they start in (most
    -- items: nothing): counted in every period of the item, where its open spans cut it to
    -- the part inside. Periods outside the batch (before its first, or between periods not
    -- asked for) fall away at the join with `available`.
    SELECT equipment_id, range_agg(booked_out) FILTER (WHERE booked_out IS NOT NULL) AS booked,
           range_agg(used_out) FILTER (WHERE used_out IS NOT NULL) AS used
    FROM measured
    WHERE booked_out IS NOT NULL OR used_out IS NOT NULL
    GROUP BY equipment_id
)
SELECT a.period_start, a.equipment_id, a.base_id, a.category_id, a.owner_organisation_id,
       a.is_enterprise,
       round(CASE WHEN a.has_open_spans THEN a.open_hours ELSE {_AVAILABLE_HOURS} END, 4)
           AS available_hours,
       round({_BOOKED_HOURS}, 4) AS booked_hours,
       round({_USED_HOURS}, 4) AS used_hours,
       round(CASE WHEN a.offered_spans IS NULL THEN 0 ELSE {_OFFERED_HOURS} END, 4)
           AS offered_hours,
       coalesce(m.no_shows, 0) AS no_shows,
       coalesce(m.cancellations, 0) AS cancellations,
       coalesce(m.late_cancellations, 0) AS late_cancellations,
       coalesce(m.lapses, 0) AS lapses
FROM available a
LEFT JOIN measured m USING (equipment_id, period_start)
LEFT JOIN carried c USING (equipment_id)
"""

FIGURES = text(FIGURES_SQL).bindparams(bindparam("equipment_ids", value=None))


def figures_params(granularity: str, periods: list[tuple[date, date]],
                   equipment_ids: list[int] | None = None) -> dict:
    """Parameters of FIGURES for periods (first day, day after the last) of one granularity
    (day, week or month: date_trunc's names), each starting a period of it."""
    if granularity not in ("day", "week", "month"):
        raise ValueError(f"unknown granularity {granularity!r}")
    return {"firsts": [first for first, _ in periods], "ends": [end for _, end in periods],
            "unit": granularity, "equipment_ids": equipment_ids}
