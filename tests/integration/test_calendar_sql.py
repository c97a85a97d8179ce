"""The SQL rendering of the calendar (service.calendar.sql) answers as the Python one
(service.calendar.wallclock) on random wall times and instants in zones whose clocks change at
midnight (Havana, Santiago), at 02:00 (Berlin), by 30 minutes (Lord Howe) or never (Shanghai),
around their changes and across 24:00 closes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, bindparam, cast, literal, select, text
from sqlalchemy.dialects.postgresql import TIMESTAMP

from service.calendar import sql, wallclock
from service.db import db

# Each zone's changes of the clocks in 2027 (local dates), where the rules are tested hardest.
CHANGES = {
    "America/Havana": (date(2027, 3, 14), date(2027, 11, 7)),
    "America/Santiago": (date(2027, 4, 4), date(2027, 9, 5)),
    "Europe/Berlin": (date(2027, 3, 28), date(2027, 10, 31)),
    "Australia/Lord_Howe": (date(2027, 4, 4), date(2027, 10, 3)),
    "Asia/Shanghai": (date(2027, 3, 28), date(2027, 10, 31)),
}
ZONES = sorted(CHANGES)
MINUTES = st.integers(0, 24 * 60 - 1)


@pytest.fixture(scope="module")
def session(app):
    """One read-only connection for the module (these tests write nothing)."""
    with app.app_context(), db.engine.connect() as connection:
        yield connection


@st.composite
def walls(draw):
    """A zone and wall times near (and far from) its changes, to the minute."""
    zone = draw(st.sampled_from(ZONES))
    days = []
    for _ in range(draw(st.integers(1, 40))):
        change = draw(st.sampled_from(CHANGES[zone]))
        day = change + timedelta(days=draw(st.sampled_from([-1, 0, 0, 0, 1, 40])))
        minute = draw(st.one_of(MINUTES, st.integers(0, 180), st.integers(1380, 1439)))
        days.append(datetime.combine(day, time(0)) + timedelta(minutes=minute))
    return zone, days


def _sql_instants(session, zone: str, naive: list[datetime]) -> list[datetime]:
    rendered = sql.local_instant("w", ":tz")
    rows = session.execute(text(
        f"SELECT {rendered} FROM unnest(CAST(:walls AS timestamp[])) WITH ORDINALITY AS u(w, n)"
        " ORDER BY n"), {"walls": naive, "tz": zone}).scalars().all()
    return [row.astimezone(UTC) for row in rows]


@pytest.mark.slow
@settings(max_examples=120, deadline=None, database=None, derandomize=True)
@given(case=walls())
def test_a_wall_time_is_the_same_instant_in_sql_and_in_python(session, case):
    zone, naive = case
    expected = [wallclock.at_local(w.date(), w.time(), zone) for w in naive]
    assert _sql_instants(session, zone, naive) == expected


@pytest.mark.slow
@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(case=walls())
def test_an_instant_reads_the_same_wall_clock_and_period_in_sql_and_in_python(session, case):
    zone, naive = case
    instants = [wallclock.at_local(w.date(), w.time(), zone) + timedelta(minutes=17 * i)
                for i, w in enumerate(naive)]
    rows = session.execute(text(
        f"SELECT {sql.wall_clock('i', ':tz')}, "
        f"{sql.local_period(repr('week'), 'i', ':tz')}, "
        f"{sql.local_period(repr('month'), 'i', ':tz')} "
        "FROM unnest(CAST(:instants AS timestamptz[])) WITH ORDINALITY AS u(i, n) ORDER BY n"),
        {"instants": instants, "tz": zone}).all()
    for instant, (wall, week, month) in zip(instants, rows, strict=True):
        local = wallclock.local(instant, zone)
        assert wall == local.replace(tzinfo=None)
        assert week.date() == wallclock.period_start(local.date(), "week")
        assert month.date() == wallclock.period_start(local.date(), "month")


@pytest.mark.slow
@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(zone=st.sampled_from(ZONES), first=st.dates(date(2027, 1, 1), date(2027, 12, 31)),
       granularity=st.sampled_from(wallclock.GRANULARITIES))
def test_period_bounds_and_24_00_closes_are_the_same_in_sql_and_in_python(session, zone, first,
                                                                         granularity):
    start = wallclock.period_start(first, granularity)
    end = wallclock.period_end(start, granularity)
    span = session.scalar(select(sql.DaySpan(
        cast(literal(start), Date), cast(literal(end), Date), literal(zone))))
    assert (span.lower, span.upper) == wallclock.period_bounds(start, granularity, zone)
    # A span closing at 24:00 on a local day closes at the next day's first instant.
    close = session.scalar(select(sql.LocalInstant(
        cast(literal(first + timedelta(days=1)), TIMESTAMP), literal(zone))))
    assert close == wallclock.closing_at(first, wallclock.END_OF_DAY, zone)


def test_the_repeated_and_the_skipped_wall_times_follow_the_documented_choice(session):
    # Havana's midnight of 2027-11-07 happens twice: the first is 04:00 UTC.
    havana = _sql_instants(session, "America/Havana", [datetime(2027, 11, 7)])
    assert havana == [datetime(2027, 11, 7, 4, tzinfo=UTC)]
    # Lord Howe repeats 01:30-02:00 on 2027-04-04 (a 30-minute change): first pass, +11:00.
    howe = _sql_instants(session, "Australia/Lord_Howe", [datetime(2027, 4, 4, 1, 45)])
    assert howe == [datetime(2027, 4, 3, 14, 45, tzinfo=UTC)]
    # Berlin skips 02:00-03:00 on 2027-03-28: 02:30 is read with the offset before (+01:00).
    berlin = _sql_instants(session, "Europe/Berlin", [datetime(2027, 3, 28, 2, 30)])
    assert berlin == [datetime(2027, 3, 28, 1, 30, tzinfo=UTC)]


def test_the_constructs_bind_their_arguments_once_per_use(session):
    statement = select(sql.LocalInstant(bindparam("wall", type_=TIMESTAMP), bindparam("tz")))
    assert session.scalar(statement, {"wall": datetime(2027, 11, 7), "tz": "America/Havana"}) \
        == datetime(2027, 11, 7, 4, tzinfo=UTC)
