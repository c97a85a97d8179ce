"""The reservations behind a figure: one heat-map cell's booked hours, or an item's booked, used
hours, no-shows, cancellations, late cancellations or lapses over some local days.

Each reservation's `hours` is its share of the figure, so the shares sum to the figure itself:
the figure is a union of spans within the available hours (docs/reports.md#booked), and where
two reservations of one item overlap (a no-show's slot booked again) the time counts for the
one that started first (then the lower id). A heat-map cell is asked day by day: only the
local days of its weekday are computed, and each day's wall hour of the cell (in the base's
zone: the repeated autumn hour holds both passes, the skipped spring hour nothing) is looked up
in the GiST index on the reservations' spans, so ten weeks cost ten small searches per item.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import sql, statuses
from ..calendar.sql import local_instant
from .figures import available_ctes
from .hours import kept_days
from .queries import _filters, check_span

FIGURES = ("booked", "used", "no_show", "cancelled", "late_cancellation", "lapsed")
# Sort keys -> SQL on the matched rows (ties broken by the reservation's id).
SORTS = {"id": "m.id", "starts_at": "r.starts_at", "hours": "m.hours",
         "equipment_name": "e.name"}

_ITEMS_WHERE = """(CAST(:owner_id AS bigint) IS NULL OR e.owner_organisation_id = :owner_id)
      AND (CAST(:base_id AS bigint) IS NULL OR e.base_id = :base_id)
      AND (CAST(:category_id AS bigint) IS NULL OR e.category_id = :category_id)
      AND (CAST(:equipment_id AS bigint) IS NULL OR e.id = :equipment_id)"""

# Per span of a reservation: the part no earlier-starting reservation of the item (in the same
# cell) already holds, within the item's available spans.
_PRIOR = ("range_agg(f.span) OVER (PARTITION BY f.equipment_id, f.period_start"
          " ORDER BY f.starts_at, f.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)")
_SHARE = sql.hours_of("(tstzmultirange(p.span) - coalesce(p.prior, '{}')) * p.spans")

_CELL_FROM = local_instant("x.period_start::timestamp + make_interval(hours => :hour)", "x.tz")
_CELL_TO = local_instant("x.period_start::timestamp + make_interval(hours => :hour + 1)",
                         "x.tz")

# One heat-map cell: each local day of its weekday is a period; its wall hour is the bucket.
_CELL = f""",
hours AS (
    -- the cell's wall hour on each day, once per base
    SELECT x.base_id, x.period_start, tstzrange({_CELL_FROM}, {_CELL_TO}) AS bucket
    FROM calendar x
),
buckets AS (
    -- only the items available in it that day: a closed hour looks nothing up
    SELECT a.equipment_id, a.period_start, a.spans, w.bucket
    FROM available a JOIN hours w USING (base_id, period_start)
    WHERE a.spans && w.bucket
),
longest AS MATERIALIZED (
    -- Each item's longest booked reservation (an index's last entry): what starts earlier
    -- than that before a wall hour cannot reach into it.
    SELECT i.equipment_id, (SELECT max(r.ends_at - r.starts_at) FROM reservations r
                            WHERE r.equipment_id = i.equipment_id
                              AND r.status IN ({sql.listed(statuses.BOOKED)})) AS length
    FROM items i
),
found AS (
    SELECT r.id, r.starts_at, c.equipment_id, c.period_start, c.spans,
           tstzrange(r.starts_at, r.ends_at) * c.bucket AS span
    FROM buckets c
    JOIN longest l ON l.equipment_id = c.equipment_id
    JOIN reservations r ON r.equipment_id = c.equipment_id
                       AND r.starts_at < upper(c.bucket)
                       AND r.starts_at > lower(c.bucket) - l.length
                       AND r.ends_at > lower(c.bucket)
    WHERE r.status IN ({sql.listed(statuses.BOOKED)})
),
shares AS (
    SELECT p.id, {_SHARE} AS hours FROM (SELECT f.*, {_PRIOR} AS prior FROM found f) AS p
),
matched AS (
    SELECT s.id, sum(s.hours) AS hours FROM shares s GROUP BY s.id HAVING sum(s.hours) > 0
)"""

# Booked or used hours over the days: one period; a reservation's span (booked) or what it used.
_HOURS = """,
found AS (
    SELECT r.id, r.starts_at, a.equipment_id, a.period_start, a.spans, {span} AS span
    FROM available a
    JOIN reservations r ON r.equipment_id = a.equipment_id
                       AND tstzrange(r.starts_at, r.ends_at) && tstzrange(a.lower_at, a.upper_at)
    WHERE r.status IN ({listed})
),
matched AS (
    SELECT s.id, s.hours
    FROM (SELECT p.id, {share} AS hours
          FROM (SELECT f.*, {prior} AS prior FROM found f WHERE NOT isempty(f.span)) AS p) AS s
    WHERE s.hours > 0
)"""

# Counted figures: reservations of the status starting in the days; `hours` their length.
_COUNTED = f""",
matched AS (
    SELECT r.id, {sql.range_hours("tstzrange(r.starts_at, r.ends_at)")} AS hours
    FROM available a
    JOIN reservations r ON r.equipment_id = a.equipment_id
                       AND r.starts_at >= a.lower_at AND r.starts_at < a.upper_at
    WHERE r.status = :status AND (NOT :late OR EXISTS (
        SELECT 1 FROM reservation_events ev
        WHERE ev.reservation_id = r.id AND ev.to_status = 'cancelled'
          AND ev.at > r.starts_at - interval '24 hours'))
)"""

_PAGE = """
SELECT m.id, r.equipment_id, e.name AS equipment_name, e.base_id, b.name AS base_name,
       b.timezone, r.starts_at, r.ends_at, r.status, u.full_name AS holder_name,
       o.name AS holder_organisation_name, round(m.hours, 4)::float AS hours,
       count(*) OVER () AS total, round(sum(m.hours) OVER (), 4)::float AS all_hours
FROM matched m
JOIN reservations r ON r.id = m.id
JOIN equipment e ON e.id = r.equipment_id
JOIN training_bases b ON b.id = e.base_id
JOIN users u ON u.id = r.holder_id
JOIN organisations o ON o.id = u.organisation_id
ORDER BY {order}, m.id
LIMIT :limit OFFSET :offset
"""

_TOTALS = "SELECT count(*) AS total, round(sum(hours), 4)::float AS all_hours FROM matched"

ITEM_FIELDS = ("id", "equipment_id", "equipment_name", "base_id", "base_name", "timezone",
               "starts_at", "ends_at", "status", "holder_name", "holder_organisation_name",
               "hours")


def _statement(figure: str, cell: bool) -> str:
    if cell:
        return _CELL
    if figure in ("booked", "used"):
        booked = figure == "booked"
        return _HOURS.format(
            span="tstzrange(r.starts_at, r.ends_at)" if booked else sql.used_span("r"),
            listed=sql.listed(statuses.BOOKED if booked else statuses.USED), share=_SHARE,
            prior=_PRIOR)
    return _COUNTED


def cell_days(from_: date, to: date, weekday: int) -> list[date]:
    """The local days in [from_, to) falling on an ISO weekday."""
    first = from_ + timedelta(days=(weekday - from_.isoweekday()) % 7)
    return [first + timedelta(weeks=n) for n in range(max(0, (to - first).days + 6) // 7)]


def reservations_behind(session: Session, actor: User, *, from_: date, to: date,
                        figure: str | None = None, weekday: int | None = None,
                        hour: int | None = None, base_id: int | None = None,
                        category: str | None = None, owner_id: int | None = None,
                        equipment_id: int | None = None, page: int = 1, page_size: int = 20,
                        sort: str = "starts_at", max_days: int) -> dict:
    """The page of reservations behind one figure over the local days [from_, to) within the
    actor's reporting scope, with their count (`total`) and the figure (`hours`)."""
    check_span(from_, to, max_days)
    cell = weekday is not None
    figure = figure or "booked"
    answer = {"items": [], "total": 0, "page": page, "page_size": page_size, "hours": 0.0,
              "figure": figure}
    filters = _filters(session, actor, owner_id, base_id, category)
    if filters is None:
        return answer
    days = cell_days(from_, to, weekday) if cell else [from_]
    if not days:
        return answer
    if cell and _kept_cell_is_empty(session, days, hour, filters):
        return answer  # a closed or idle cell: nothing to look up
    ctes = "WITH " + available_ctes(_ITEMS_WHERE) + _statement(figure, cell)
    order = SORTS[sort.removeprefix("-")] + (" DESC" if sort.startswith("-") else "")
    params = {"firsts": days, "ends": [d + timedelta(days=1) for d in days] if cell else [to],
              "owner_id": filters.get("owner_organisation_id"),
              "base_id": filters.get("base_id"), "category_id": filters.get("category_id"),
              "equipment_id": equipment_id, "hour": hour,
              "status": "cancelled" if figure == "late_cancellation" else figure,
              "late": figure == "late_cancellation",
              "limit": page_size, "offset": (page - 1) * page_size}
    rows = session.execute(text(ctes + _PAGE.format(order=order)), params).mappings().all()
    if rows:
        total, hours = rows[0]["total"], rows[0]["all_hours"]
    else:  # past the last page: the figure still counts every match
        totals = session.execute(text(ctes + _TOTALS), params).one()
        total, hours = totals.total, totals.all_hours or 0.0
    items = [{name: row[name] for name in ITEM_FIELDS} for row in rows]
    if actor.role == "operator":
        # The platform reads no one inside a school or an enterprise by name (as practice
        # hours and the directory): the holder's organisation only (docs/tenancy.md).
        for item in items:
            item["holder_name"] = None
    return {**answer, "items": items, "total": total, "hours": float(hours or 0.0)}


_KEPT_CELL_SQL = text("""
SELECT coalesce(sum(u.booked_seconds), 0) AS booked_seconds
FROM utilisation_hours u
WHERE u.day = ANY(CAST(:days AS date[])) AND u.hour = :hour
  AND (CAST(:owner_id AS bigint) IS NULL OR u.owner_organisation_id = :owner_id)
  AND (CAST(:base_id AS bigint) IS NULL OR u.base_id = :base_id)
  AND (CAST(:category_id AS bigint) IS NULL OR u.category_id = :category_id)
""")


def _kept_cell_is_empty(session: Session, days: list[date], hour: int, filters: dict) -> bool:
    """Whether every day of the cell has its hours kept (heat map, docs/reports.md) and they
    hold no booked second in it: then no reservation is behind it."""
    kept = kept_days(session, days[0], days[-1] + timedelta(days=1))
    if any(day not in kept for day in days):
        return False
    return not session.execute(_KEPT_CELL_SQL, {
        "days": days, "hour": hour, "owner_id": filters.get("owner_organisation_id"),
        "base_id": filters.get("base_id"),
        "category_id": filters.get("category_id")}).scalar()


def cell_answer_key(session: Session, actor: User, *, from_: date, to: date,
                    weekday: int | None = None, hour: int | None = None,
                    max_days: int, **question) -> tuple | None:
    """What a heat-map cell's drill-down over kept days depends on: the question, the actor's
    scope and the runs that kept those days (as the heat map's own answer); None when a day
    of it is computed now, or for any other figure."""
    if weekday is None or hour is None:
        return None
    check_span(from_, to, max_days)
    filters = _filters(session, actor, question.get("owner_id"), question.get("base_id"),
                       question.get("category"))
    days = cell_days(from_, to, weekday)
    if filters is None or not days:
        return None
    kept = kept_days(session, days[0], days[-1] + timedelta(days=1))
    if any(day not in kept for day in days):
        return None
    # An operator's answer names no one: it is never given to anyone else, nor theirs to it.
    return ("drilldown", actor.role == "operator", from_, to, weekday, hour,
            tuple(sorted(question.items())),
            tuple(sorted(filters.items())), tuple(kept[day] for day in days))
