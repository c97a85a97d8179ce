"""The availability answer's instants as text (issue 11): exactly what isoformat gives, from
the kept halves or not, whatever the instant's zone and precision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from service.reservations.queries import _iso

ZONES = st.sampled_from([UTC, UTC, UTC, ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"),
                         timezone(timedelta(hours=-3, minutes=-30)), timezone(timedelta(0))])


@settings(max_examples=500, deadline=None)
@given(instant=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                            timezones=ZONES), whole=st.booleans())
@example(instant=datetime(2026, 3, 29, 1, tzinfo=UTC), whole=True)
@example(instant=datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC), whole=True)
@example(instant=datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC), whole=True)
def test_an_instant_reads_as_its_isoformat_the_first_time_and_the_next(instant, whole):
    if whole:
        instant = instant.replace(microsecond=0)
    assert _iso(instant) == instant.isoformat()
    assert _iso(instant) == instant.isoformat()  # now from the kept halves
    # Another second of the same day and the same second of another day share halves.
    for other in (instant + timedelta(seconds=1), instant + timedelta(days=1)):
        assert _iso(other) == other.isoformat()


def test_the_issue_example():
    assert _iso(datetime(2026, 3, 29, 1, tzinfo=UTC)) == "2026-03-29T01:00:00+00:00"
