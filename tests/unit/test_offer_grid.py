"""An offer's spans on an item's slot grid: what it offers is what can be booked."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from service.calendar.grid import bookable
from service.calendar.spans import Span
from service.calendar.windows import Window, offer_spans
from service.offers.terms import off_grid


def _hours(spans: list[Span]) -> float:
    return sum((end - start).total_seconds() for start, end in spans) / 3600


def test_an_offered_span_on_the_grid_offers_exactly_the_hours_its_slots_book():
    """Berlin, the week of the spring change: 09:00-12:00 and 14:00-24:00 every day on a
    60-minute grid; the one-slot bookings it holds add up to the hours it offers."""
    window = Window(date(2027, 3, 22), date(2027, 4, 4),
                    tuple((d, o, c) for d in range(1, 8)
                          for o, c in ((time(9), time(12)), (time(14), time(0)))))
    assert off_grid([window], [(1, 60)]) == []
    first, last = datetime(2027, 3, 21, tzinfo=UTC), datetime(2027, 4, 6, tzinfo=UTC)
    offered = offer_spans([window], "Europe/Berlin", first, last)
    slots = bookable(offered, 60, 60, "Europe/Berlin")
    assert _hours(slots) == _hours(offered) == 14 * 13


def test_a_span_off_the_grid_offers_time_no_slot_books_and_is_named():
    window = Window(date(2027, 3, 1), date(2027, 3, 7), ((4, time(13, 30), time(17)),))
    offered = offer_spans([window], "Asia/Shanghai", datetime(2027, 3, 1, tzinfo=UTC),
                          datetime(2027, 3, 8, tzinfo=UTC))
    assert _hours(bookable(offered, 60, 60, "Asia/Shanghai")) == _hours(offered) - 0.5
    assert off_grid([window], [(7, 60), (8, 30)]) == [
        {"window": 0, "weekday": 4, "opens": "13:30", "closes": "17:00", "equipment_id": 7,
         "slot_minutes": 60}]
