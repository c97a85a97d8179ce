"""The one SQL rendering of the calendar's rules, for every statement that needs them.

Local instants, wall clocks, local periods, the used span, the hours of a multirange, the
time an offer was open and the status lists are written here once, as SQL text for the
set-based statements (reports, heat map, practice) and as SQLAlchemy constructs built from the
very same text for the others (impact, availability, booking). No other module writes
`AT TIME ZONE` or `timezone(`; tests/unit/test_calendar_floor.py holds them to that, and
tests/integration/test_calendar_sql.py holds this rendering against `wallclock`.
"""

from __future__ import annotations

from sqlalchemy import DateTime, Float
from sqlalchemy.dialects.postgresql import TSTZRANGE
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TIMESTAMP

from . import statuses

# No zone is more than 14 hours from UTC, and no two changes of a zone's clocks lie within a
# day of each other (the closest since 1900 were four days apart): a day before an instant,
# its zone kept the offset that held before any change near it.
_BEFORE_ANY_CHANGE = "interval '1 day'"


def listed(values: tuple[str, ...]) -> str:
    """A status set as an SQL list of constants: `'a', 'b'` (constants, not parameters, so a
    generic plan can use a partial index written with them)."""
    return ", ".join(f"'{value}'" for value in values)


def wall_clock(instant: str, tz: str) -> str:
    """SQL: the `timestamp` a `timestamptz` expression shows on the wall clocks of zone `tz`."""
    return f"(({instant}) AT TIME ZONE {tz})"


def local_instant(wall: str, tz: str) -> str:
    """SQL: the instant of a local `timestamp` expression in zone `tz`, as `wallclock.at_local`
    reads it: a wall time the autumn change repeats is its FIRST occurrence, one the spring
    change skips is read with the offset before the change.

    PostgreSQL alone reads a skipped time the same way, but a repeated one as its second
    occurrence. So the wall time is read again with the offset its zone had a day earlier
    (before any change near it): when that reading exists on the wall clock, it is the first
    occurrence (or the only one)."""
    plain = f"(({wall}) AT TIME ZONE {tz})"
    day_before = f"({plain} - {_BEFORE_ANY_CHANGE})"
    offset_before = f"(({day_before} AT TIME ZONE {tz}) - ({day_before} AT TIME ZONE 'UTC'))"
    earlier = f"((({wall}) - {offset_before}) AT TIME ZONE 'UTC')"
    return (f"(CASE WHEN ({earlier} AT TIME ZONE {tz}) = ({wall}) THEN least({earlier}, {plain})"
            f" ELSE {plain} END)")


def local_period(unit: str, instant: str, tz: str) -> str:
    """SQL: the local `timestamp` starting the period (`unit`: day, week, month) of zone `tz`
    that holds the instant."""
    return f"date_trunc({unit}, {wall_clock(instant, tz)})"


def day_span(first_day: str, end_day: str, tz: str) -> str:
    """SQL: local days first_day..end_day (exclusive; `date` expressions) as a `tstzrange`."""
    return (f"tstzrange({local_instant(f'CAST({first_day} AS timestamp)', tz)}, "
            f"{local_instant(f'CAST({end_day} AS timestamp)', tz)})")


def used_span(r: str) -> str:
    """SQL: what reservation `r` used, a `tstzrange` (empty when nothing): from its check-in to
    its check-out (or its booked end while it is under way), cut to its booked span, so used
    time never exceeds booked time. NULL when it never started a use."""
    return (f"CASE WHEN {r}.checked_in_at IS NOT NULL"
            f" AND {r}.status IN ({listed(statuses.USED)}) THEN"
            f" tstzrange({r}.checked_in_at, greatest({r}.checked_in_at,"
            f" coalesce({r}.checked_out_at, {r}.ends_at)))"
            f" * tstzrange({r}.starts_at, {r}.ends_at) END")


def hours_of(multirange: str) -> str:
    """SQL: the hours a `tstzmultirange` lasts, 0 when NULL or empty (summed as intervals,
    one conversion to seconds: each difference of two instants is an absolute duration)."""
    return (f"(SELECT coalesce(extract(epoch FROM sum(upper(r) - lower(r))), 0) / 3600 "
            f"FROM unnest({multirange}) AS r)")


def range_hours(span: str) -> str:
    """SQL: the hours a `tstzrange` lasts (0 when empty, NULL when NULL)."""
    return (f"(CASE WHEN isempty({span}) THEN 0 "
            f"ELSE extract(epoch FROM upper({span}) - lower({span})) / 3600 END)")


def offered_while(f: str, tz: str) -> str:
    """SQL: when offer `f` (a row of `offers`) was open to its school, read for an item in
    zone `tz`: a `tstzmultirange`, NULL when never (docs/reports.md#offered).

    Each approval by the school opens it (the first since ever: its windows say on which days
    and hours) until, whichever comes first:
    - a change of its terms sends it back for approval: until local midnight (in `tz`) of the
      day the change takes effect from (the days before it keep the terms it approved; a change
      recorded without that day ends it when made). Approved again, it is open from then on,
      never again for the days in between, when nobody could book under it;
    - it is withdrawn, or its new terms rejected: until the end of the notice period that
      followed (the bookings in it stand).
    An offer approved without a recorded approval is open since ever; one never approved
    (a draft or submitted offer withdrawn or expired) never was."""
    notice = f"make_interval(days => {f}.withdrawal_notice_days)"
    # Events in order of time, then of id (one transaction's events share their time).
    before_next = "(a.next_at IS NULL OR (e.at, e.id) < (a.next_at, a.next_id))"
    in_epoch = f"(e.at, e.id) > (a.at, a.id) AND {before_next}"
    edited = (f"(SELECT min(coalesce({local_instant('CAST(e.effective_from AS timestamp)', tz)},"
              f" e.at)) FROM offer_events e WHERE e.offer_id = {f}.id"
              f" AND e.to_status = 'submitted' AND {in_epoch})")
    # Withdrawals recorded before the first approval end it too (histories loaded later).
    stopped = (f"(SELECT min(e.at) + {notice} FROM offer_events e WHERE e.offer_id = {f}.id"
               f" AND e.to_status IN ('withdrawn', 'rejected')"
               f" AND (a.n = 1 OR (e.at, e.id) > (a.at, a.id)) AND {before_next})")
    return (f"(SELECT range_agg(tstzrange(CASE WHEN a.n = 1 THEN NULL ELSE a.at END,"
            f" CASE WHEN a.n = 1 OR u.until IS NULL THEN u.until"
            f" ELSE greatest(a.at, u.until) END))"
            f" FROM (SELECT ap.at, ap.id, row_number() OVER w AS n, lead(ap.at) OVER w AS next_at,"
            f" lead(ap.id) OVER w AS next_id"
            f" FROM (SELECT ev.at, ev.id FROM offer_events ev"
            f" WHERE ev.offer_id = {f}.id AND ev.to_status = 'approved'"
            f" UNION ALL SELECT CAST('-infinity' AS timestamptz), 0"
            f" WHERE {f}.status = 'approved' AND NOT EXISTS (SELECT 1 FROM offer_events ev"
            f" WHERE ev.offer_id = {f}.id AND ev.to_status = 'approved')) AS ap"
            f" WINDOW w AS (ORDER BY ap.at, ap.id)) AS a"
            f" CROSS JOIN LATERAL (SELECT least({edited}, {stopped}) AS until) AS u)")


# SQLAlchemy constructs, compiled through the text above ----------------------------------

class _Rendered(FunctionElement):
    inherit_cache = True
    _render = None

    def __init__(self, *args):
        super().__init__(*args)


class LocalInstant(_Rendered):
    """`local_instant(wall, tz)` as an expression: wall (`timestamp`), tz (zone name)."""

    type = DateTime(timezone=True)
    name = "local_instant"
    inherit_cache = True


class WallClock(_Rendered):
    """`wall_clock(instant, tz)` as an expression: instant (`timestamptz`), tz."""

    type = TIMESTAMP(timezone=False)
    name = "wall_clock"
    inherit_cache = True


class DaySpan(_Rendered):
    """`day_span(first_day, end_day, tz)` as an expression (`date`, `date`, zone name)."""

    type = TSTZRANGE()
    name = "day_span"
    inherit_cache = True


class RangeHours(_Rendered):
    """`range_hours(span)` as an expression."""

    type = Float()
    name = "range_hours"
    inherit_cache = True


_TEMPLATES = {LocalInstant: local_instant, WallClock: wall_clock, DaySpan: day_span,
              RangeHours: range_hours}


def _compile(element, compiler, **kw):
    args = [compiler.process(arg, **kw) for arg in element.clauses]
    return _TEMPLATES[type(element)](*args)


for _construct in _TEMPLATES:
    compiles(_construct)(_compile)
