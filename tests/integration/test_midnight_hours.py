"""Opening hours and offer spans that close at 24:00: stored as PostgreSQL's '24:00:00', read
back as the end of the day, and counted to the next local midnight by availability, booking,
free search, offers and the reports (issue 10, finding 2)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from service.calendar.spans import covers, merge
from service.calendar.wallclock import END_OF_DAY, at_local
from service.catalogue.models import OpeningHours
from service.db import db
from service.errors import DomainError
from service.offers.models import OfferWindowSpan
from service.offers.rules import offer_spans, windows_of
from service.reports.live import compute_figures
from service.reservations import booking as booking_cases
from service.reservations import queries
from service.reservations.policy import BookingPolicy

BERLIN = "Europe/Berlin"
NOW = datetime(2027, 3, 1, tzinfo=ZoneInfo(BERLIN))
ORDINARY_DAY = date(2027, 3, 10)  # a Wednesday
SPRING_DAY = date(2027, 3, 28)  # clocks go forward: 23 hours
AUTUMN_DAY = date(2027, 10, 31)  # clocks go back: 25 hours
ROUND_THE_CLOCK = [{"weekday": d, "opens": time(0), "closes": END_OF_DAY} for d in range(1, 8)]


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return at_local(day, time(hour, minute), BERLIN)


def _hours(spans) -> Decimal:
    return Decimal(sum(int((end - start).total_seconds()) for start, end in spans)) / 3600


@pytest.fixture
def all_day(make, world, session):
    """A Berlin base open 00:00-24:00 every day, with an item bookable a year ahead in
    30-minute slots, 30 minutes to 6 hours, no buffer."""
    base = make.base(world.school, timezone=BERLIN, opening_hours=ROUND_THE_CLOCK)
    item = make.equipment(base, world.category, world.school, slot_minutes=30,
                          min_duration_minutes=30, max_duration_minutes=360,
                          setup_buffer_minutes=0, booking_horizon_days=400)
    session.commit()
    return base, item


def _free(session, world, item, start, end):
    answer = queries.availability(session, world.users["student"], item.id, start=start,
                                  end=end, policy=BookingPolicy(), now=NOW)
    return [(datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
            for s in answer["free"]]


def _reserve(world, item, start, end):
    return booking_cases.reserve(db.session, world.users["student"], equipment_id=item.id,
                                 starts_at=start, ends_at=end, now=NOW)


def test_a_close_at_24_is_stored_as_24_00_and_read_back_as_the_end_of_the_day(session,
                                                                               all_day):
    base, _ = all_day
    stored = session.execute(text(
        "SELECT opens::text, closes::text FROM opening_hours WHERE base_id = :id"),
        {"id": base.id}).all()
    assert set(stored) == {("00:00:00", "24:00:00")}
    session.expire_all()
    read = session.execute(select(OpeningHours.opens, OpeningHours.closes)
                           .where(OpeningHours.base_id == base.id)).all()
    assert set(read) == {(time(0), END_OF_DAY)}


@pytest.mark.parametrize("day, hours", [(ORDINARY_DAY, 24), (SPRING_DAY, 23), (AUTUMN_DAY, 25)])
def test_a_base_open_round_the_clock_is_free_all_day(session, world, all_day, day, hours):
    _, item = all_day
    start, end = at_local(day, time(0), BERLIN), at_local(day + timedelta(days=1), time(0), BERLIN)
    assert _free(session, world, item, start, end) == [(start, end)]
    assert _hours(_free(session, world, item, start, end)) == hours


def test_a_week_round_the_clock_is_one_free_span_across_every_midnight(session, world,
                                                                      all_day):
    _, item = all_day
    start, end = berlin(ORDINARY_DAY, 0), berlin(ORDINARY_DAY + timedelta(days=7), 0)
    assert _free(session, world, item, start, end) == [(start, end)]


def test_bookings_up_to_midnight_and_across_it_are_confirmed(session, world, all_day):
    _, item = all_day
    next_day = ORDINARY_DAY + timedelta(days=1)
    late = _reserve(world, item, berlin(ORDINARY_DAY, 22), berlin(next_day, 0))
    across = _reserve(world, item, berlin(next_day, 23), berlin(next_day + timedelta(days=1), 1))
    assert (late.status, across.status) == ("confirmed", "confirmed")
    free = _free(session, world, item, berlin(ORDINARY_DAY, 0), berlin(next_day, 0))
    assert free == [(berlin(ORDINARY_DAY, 0), berlin(ORDINARY_DAY, 22))]


def test_a_late_span_and_the_next_mornings_make_one_span_a_booking_may_cross(session, make,
                                                                           world):
    base = make.base(world.school, timezone=BERLIN, opening_hours=[
        {"weekday": 3, "opens": time(18), "closes": END_OF_DAY},
        {"weekday": 4, "opens": time(0), "closes": time(6)}])
    item = make.equipment(base, world.category, world.school, slot_minutes=30,
                          setup_buffer_minutes=0, booking_horizon_days=400)
    session.commit()
    thursday = ORDINARY_DAY + timedelta(days=1)
    assert _free(session, world, item, berlin(ORDINARY_DAY, 0), berlin(thursday, 12)) == [
        (berlin(ORDINARY_DAY, 18), berlin(thursday, 6))]
    assert _reserve(world, item, berlin(ORDINARY_DAY, 23), berlin(thursday, 1)).id


def test_a_base_closing_at_23_still_refuses_the_last_hour(session, make, world):
    base = make.base(world.school, timezone=BERLIN, opening_hours=[
        {"weekday": d, "opens": time(0), "closes": time(23)} for d in range(1, 8)])
    item = make.equipment(base, world.category, world.school, setup_buffer_minutes=0,
                          booking_horizon_days=400)
    session.commit()
    with pytest.raises(DomainError) as caught:
        _reserve(world, item, berlin(ORDINARY_DAY, 22), berlin(ORDINARY_DAY + timedelta(days=1), 0))
    assert caught.value.code == "outside_opening_hours"


def test_free_search_finds_the_item_across_midnight(session, world, all_day):
    base, _ = all_day
    start = berlin(ORDINARY_DAY, 23)
    assert base.id in queries.open_base_ids(session, start, start + timedelta(hours=2))


def test_the_report_counts_the_hours_up_to_midnight(session, make, world):
    base = make.base(world.school, timezone=BERLIN, opening_hours=[
        {"weekday": d, "opens": time(18), "closes": END_OF_DAY} for d in range(1, 8)])
    item = make.equipment(base, world.category, world.school)
    make.reservation(item, world.users["student"], berlin(ORDINARY_DAY, 22),
                     berlin(ORDINARY_DAY + timedelta(days=1), 1), status="confirmed")
    session.commit()
    [day] = compute_figures(session, "day", ORDINARY_DAY, [item.id])
    assert (day["available_hours"], day["booked_hours"]) == (Decimal(6), Decimal(2))
    [spring] = compute_figures(session, "day", SPRING_DAY, [item.id])
    assert spring["available_hours"] == Decimal(6)


def test_the_report_counts_a_round_the_clock_week_with_the_spring_change(session, all_day):
    _, item = all_day
    monday = SPRING_DAY - timedelta(days=6)
    [week] = compute_figures(session, "week", monday, [item.id])
    assert week["available_hours"] == Decimal(7 * 24 - 1)


def test_an_offer_span_may_close_at_24(session, make, world):
    base = make.base(world.enterprise, kind="enterprise", timezone=BERLIN,
                     opening_hours=ROUND_THE_CLOCK)
    item = make.equipment(base, world.category, world.enterprise)
    offer = make.offer(world.enterprise, world.school, [item],
                       created_by=world.users["enterprise_staff"], windows=[
                           {"starts_on": ORDINARY_DAY,
                            "ends_on": ORDINARY_DAY + timedelta(days=1),
                            "spans": [(3, time(20), END_OF_DAY), (4, time(0), time(2))]}])
    session.commit()
    assert session.scalars(text(
        "SELECT closes::text FROM offer_window_spans s JOIN offer_windows w "
        "ON w.id = s.window_id WHERE w.offer_id = :id ORDER BY s.weekday"),
        {"id": offer.id}).all() == ["24:00:00", "02:00:00"]
    session.expire_all()
    assert END_OF_DAY in session.scalars(select(OfferWindowSpan.closes)).all()
    thursday = ORDINARY_DAY + timedelta(days=1)
    spans = offer_spans(windows_of(offer), BERLIN, berlin(ORDINARY_DAY, 0),
                        berlin(thursday + timedelta(days=1), 0))
    assert merge(spans) == [(berlin(ORDINARY_DAY, 20), berlin(thursday, 2))]
    assert covers(spans, berlin(ORDINARY_DAY, 23), berlin(thursday, 1))
    [row] = compute_figures(session, "day", ORDINARY_DAY, [item.id])
    # The enterprise's item is available round the clock; the offer gives its 20:00-24:00.
    assert (row["available_hours"], row["offered_hours"]) == (Decimal(24), Decimal(4))


def test_a_span_inside_havanas_skipped_first_hour_counts_nothing_anywhere(session, make,
                                                                          world):
    # Havana's clocks go from 00:00 to 01:00 on Sunday 2027-03-14: 00:45 does not exist and,
    # read with the offset before the change, comes out after the 01:00 that closes the span.
    havana, day = "America/Havana", date(2027, 3, 14)
    base = make.base(world.school, timezone=havana, opening_hours=[
        {"weekday": 7, "opens": time(0, 45), "closes": time(1)},
        {"weekday": 7, "opens": time(8), "closes": time(9)},
        {"weekday": 6, "opens": time(18), "closes": END_OF_DAY}])
    item = make.equipment(base, world.category, world.school, setup_buffer_minutes=0,
                          booking_horizon_days=400)
    session.commit()
    [row] = compute_figures(session, "day", day, [item.id])
    assert row["available_hours"] == Decimal(1)
    start = at_local(day - timedelta(days=1), time(0), havana)
    end = at_local(day + timedelta(days=1), time(0), havana)
    free = _free(session, world, item, start, end)
    # Saturday 18:00 to the (skipped) midnight, then Sunday 08:00-09:00.
    assert free == [(at_local(day - timedelta(days=1), time(18), havana),
                     at_local(day, time(0), havana)),
                    (at_local(day, time(8), havana), at_local(day, time(9), havana))]
    assert _hours(free) == 7


@pytest.mark.parametrize("start, end, closed", [
    # Closed on ORDINARY_DAY + 1 (Berlin). A span ending at its local midnight, or starting at
    # the next one, touches no closed day; one local hour into it does, though in UTC (+01:00)
    # that hour is still the day before.
    (berlin(ORDINARY_DAY, 23), berlin(ORDINARY_DAY + timedelta(days=1), 0), False),
    (berlin(ORDINARY_DAY + timedelta(days=2), 0), berlin(ORDINARY_DAY + timedelta(days=2), 1),
     False),
    (berlin(ORDINARY_DAY + timedelta(days=1), 0), berlin(ORDINARY_DAY + timedelta(days=1), 1),
     True),
    (berlin(ORDINARY_DAY, 23), berlin(ORDINARY_DAY + timedelta(days=1), 1), True),
    (berlin(ORDINARY_DAY + timedelta(days=1), 23), berlin(ORDINARY_DAY + timedelta(days=2), 1),
     True),
])
def test_a_closed_day_is_the_bases_local_day_at_both_midnights(session, world, all_day, start,
                                                                 end, closed):
    base, item = all_day
    day = ORDINARY_DAY + timedelta(days=1)
    session.execute(text("INSERT INTO closures (base_id, starts_on, ends_on, reason) "
                         "VALUES (:base, :day, :day, 'Inventory')"), {"base": base.id, "day": day})
    session.commit()
    if closed:
        with pytest.raises(DomainError) as caught:
            _reserve(world, item, start, end)
        assert caught.value.code == "base_closed"
    else:
        assert _reserve(world, item, start, end).status == "confirmed"
