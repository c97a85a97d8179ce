"""grid_floor and grid_ceil against a brute-force oracle: every whole minute of a window is
tried for being on the grid, in zones with 1-hour, 30-minute and whole-day changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from service.calendar import grid as slot_grid

# (zone, an instant near one of its changes)
CHANGES = [
    ("Europe/Berlin", datetime(2027, 10, 31, 1, tzinfo=UTC)),
    ("Europe/Berlin", datetime(2027, 3, 28, 1, tzinfo=UTC)),
    ("America/New_York", datetime(2027, 11, 7, 6, tzinfo=UTC)),
    ("America/New_York", datetime(2027, 3, 14, 7, tzinfo=UTC)),
    ("Australia/Lord_Howe", datetime(2027, 4, 3, 15, tzinfo=UTC)),  # 30-minute change
    ("Asia/Kathmandu", datetime(2027, 4, 3, 15, tzinfo=UTC)),  # +05:45, no change
    ("Pacific/Apia", datetime(2011, 12, 30, 10, tzinfo=UTC)),  # 30 Dec 2011 never happened
]
SLOTS = st.sampled_from([5, 15, 30, 45, 50, 60, 90, 240, 1440])


def _grid_around(at: datetime, slot: int, tz: str) -> list[datetime]:
    first = (at - timedelta(hours=50)).replace(second=0)
    return [t for t in (first + timedelta(minutes=m) for m in range(100 * 60))
            if slot_grid.on_slot_grid(t, slot, tz)]


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(change=st.sampled_from(CHANGES), slot=SLOTS,
       minutes=st.integers(-6 * 60, 6 * 60), seconds=st.sampled_from([0, 1, 59]))
# The second pass of Berlin's repeated 02:30 (00:30 UTC) is on a 30-minute grid.
@example(change=CHANGES[0], slot=30, minutes=-30, seconds=1)
def test_floor_and_ceil_are_the_nearest_grid_instants(change, slot, minutes, seconds):
    tz, near = change
    instant = near + timedelta(minutes=minutes, seconds=seconds)
    grid = _grid_around(instant, slot, tz)
    assert slot_grid.grid_floor(instant, slot, tz) == max(t for t in grid if t <= instant)
    assert slot_grid.grid_ceil(instant, slot, tz) == min(t for t in grid if t >= instant)


def test_the_second_pass_of_a_repeated_hour_has_its_own_grid_points():
    # Berlin 2027-10-31: 02:00-03:00 CEST (00:00-01:00 UTC), then 02:00-03:00 CET again.
    second_pass_0215 = datetime(2027, 10, 31, 1, 15, tzinfo=UTC)
    assert slot_grid.grid_ceil(second_pass_0215, 60, "Europe/Berlin") \
        == datetime(2027, 10, 31, 2, tzinfo=UTC)  # 03:00 CET
    assert slot_grid.grid_floor(second_pass_0215, 60, "Europe/Berlin") \
        == datetime(2027, 10, 31, 1, tzinfo=UTC)  # 02:00 CET, not 02:00 CEST
    first_pass_0245 = datetime(2027, 10, 31, 0, 45, tzinfo=UTC)
    assert slot_grid.grid_ceil(first_pass_0245, 60, "Europe/Berlin") \
        == datetime(2027, 10, 31, 1, tzinfo=UTC)  # 02:00 CET, the repeated hour's start


def test_grid_instants_are_answered_in_utc_whatever_offset_came_in():
    from zoneinfo import ZoneInfo
    nine = datetime(2027, 1, 4, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    for point in (slot_grid.grid_floor(nine, 30, "Asia/Shanghai"),
                  slot_grid.grid_ceil(nine, 30, "Asia/Shanghai"),
                  slot_grid.grid_ceil(nine.replace(minute=10), 30, "Asia/Shanghai")):
        assert point.tzinfo is UTC
