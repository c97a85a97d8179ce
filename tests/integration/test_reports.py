"""Building a period's utilisation rows: the definitions on hand-picked cases, reruns, runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.reports.errors import InvalidPeriod, PeriodOpen
from service.reports.live import compute_figures
from service.reports.models import ReportRun, UtilisationRow
from service.reports.services import build_utilisation_report
from service.reservations.models import Blackout, ReservationEvent

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def lab(make, world, session):
    """A Berlin base open on weekdays 08:00-18:00 with one school item."""
    base = make.base(world.school, timezone="Europe/Berlin")
    item = make.equipment(base, world.category, world.school)
    session.commit()
    return base, item


def figures_of(session, item, granularity, start):
    [row] = compute_figures(session, granularity, start, [item.id])
    return row


MONDAY = date(2027, 3, 22)  # the week of Berlin's spring change (Sunday 2027-03-28)
LATER = datetime(2027, 6, 1, tzinfo=BERLIN)  # "now" for builds: those weeks are over


def test_available_hours_are_the_opening_hours_of_the_period(session, lab):
    _, item = lab
    assert figures_of(session, item, "day", MONDAY)["available_hours"] == Decimal(10)
    assert figures_of(session, item, "week", MONDAY)["available_hours"] == Decimal(50)
    assert figures_of(session, item, "day", MONDAY + timedelta(days=5))["available_hours"] == 0


def test_booked_hours_are_clipped_to_the_opening_hours_and_the_period(session, make, world,
                                                                       lab):
    _, item = lab
    student = world.users["student"]
    make.reservation(item, student, berlin(MONDAY, 7), berlin(MONDAY, 9), status="confirmed")
    make.reservation(item, student, berlin(MONDAY, 17), berlin(MONDAY + timedelta(days=1), 9),
                     status="completed", checked_in_at=berlin(MONDAY, 17, 30),
                     checked_out_at=berlin(MONDAY + timedelta(days=1), 8, 30))
    make.reservation(item, student, berlin(MONDAY, 12), berlin(MONDAY, 13), status="cancelled")
    day = figures_of(session, item, "day", MONDAY)
    assert (day["booked_hours"], day["used_hours"]) == (Decimal(2), Decimal("0.5"))
    assert (day["cancellations"], day["late_cancellations"]) == (1, 0)
    next_day = figures_of(session, item, "day", MONDAY + timedelta(days=1))
    assert (next_day["booked_hours"], next_day["used_hours"]) == (Decimal(1), Decimal("0.5"))
    assert next_day["cancellations"] == 0


def test_closures_and_blackouts_are_not_available(session, make, world, lab):
    base, item = lab
    from service.catalogue.models import Closure

    session.add(Closure(base_id=base.id, starts_on=MONDAY, ends_on=MONDAY, reason="Holiday"))
    session.add(Blackout(equipment_id=item.id, starts_at=berlin(MONDAY, 17),
                         ends_at=berlin(MONDAY + timedelta(days=1), 10), reason="Calibration",
                         created_by_id=world.users["admin"].id))
    session.commit()
    assert figures_of(session, item, "week", MONDAY)["available_hours"] == Decimal(38)


def test_a_cancellation_less_than_a_day_ahead_is_late(session, make, world, lab):
    _, item = lab
    for hour, cancelled_at in ((10, berlin(MONDAY, 10) - timedelta(hours=24)),
                               (14, berlin(MONDAY, 14) - timedelta(hours=23, minutes=59))):
        reservation = make.reservation(item, world.users["student"], berlin(MONDAY, hour),
                                       berlin(MONDAY, hour + 1), status="cancelled")
        session.execute(ReservationEvent.__table__.update().where(
            ReservationEvent.reservation_id == reservation.id).values(at=cancelled_at))
    row = figures_of(session, item, "day", MONDAY)
    assert (row["cancellations"], row["late_cancellations"]) == (2, 1)


def test_enterprise_equipment_is_available_in_opening_hours_and_offered_inside_approved_windows(
        session, make, world):
    base = make.base(world.enterprise, kind="enterprise", timezone="Europe/Berlin")
    item = make.equipment(base, world.category, world.enterprise)
    staff = world.users["enterprise_staff"]
    make.offer(world.enterprise, world.school, [item], created_by=staff, windows=[
        {"starts_on": MONDAY, "ends_on": MONDAY + timedelta(days=1),
         "spans": [(1, time(9), time(12)), (2, time(14), time(20))]}])
    make.offer(world.enterprise, world.other_school, [item], created_by=staff,
               status="submitted", windows=[
                   {"starts_on": MONDAY, "ends_on": MONDAY + timedelta(days=6),
                    "spans": [(d, time(0), time(23)) for d in range(1, 8)]}])
    session.commit()
    figures = figures_of(session, item, "week", MONDAY)
    # Open 08-18 on weekdays, like a school's base: 50 hours available.
    assert figures["available_hours"] == Decimal(50)
    # Offered: Monday 09-12 inside 08-18; Tuesday 14-18 (the window runs to 20, the base
    # closes at 18); the submitted offer offers nothing.
    assert figures["offered_hours"] == Decimal(7)


def test_building_twice_gives_the_same_rows_and_records_both_runs(session, make, world, lab):
    _, item = lab
    make.reservation(item, world.users["student"], berlin(MONDAY, 9), berlin(MONDAY, 11),
                     status="no_show")
    session.commit()
    first = build_utilisation_report(session, "day", MONDAY, trigger="backfill", now=LATER)
    rows = session.scalars(select(UtilisationRow).where(
        UtilisationRow.period_start == MONDAY, UtilisationRow.granularity == "day")).all()
    again = build_utilisation_report(session, "day", MONDAY, trigger="rebuild", now=LATER)
    assert first.status == again.status == "succeeded"
    assert first.rows == again.rows == len(rows)
    stored = session.scalars(select(UtilisationRow).where(
        UtilisationRow.equipment_id == item.id)).all()
    assert [(r.booked_hours, r.no_shows) for r in stored] == [(Decimal(2), 1)]
    assert session.scalar(select(func.count()).select_from(ReportRun).where(
        ReportRun.period_start == MONDAY)) == 2


def test_a_scheduled_build_of_a_built_period_does_nothing(session, lab):
    assert build_utilisation_report(session, "day", MONDAY, now=LATER) is not None
    assert build_utilisation_report(session, "day", MONDAY, only_if_unbuilt=True,
                                    now=LATER) is None


def test_a_period_must_start_where_its_granularity_starts(session):
    with pytest.raises(InvalidPeriod):
        build_utilisation_report(session, "week", MONDAY + timedelta(days=1))
    with pytest.raises(InvalidPeriod):
        build_utilisation_report(session, "year", MONDAY)


def test_a_period_not_yet_over_everywhere_is_not_built(session, lab):
    with pytest.raises(PeriodOpen):
        build_utilisation_report(session, "week", MONDAY, now=berlin(MONDAY, 12))
    assert session.scalar(select(func.count()).select_from(ReportRun).where(
        ReportRun.period_start == MONDAY)) == 0


def test_an_item_in_two_approved_offers_counts_the_union_of_their_windows(session, make,
                                                                          world):
    base = make.base(world.enterprise, kind="enterprise", timezone="Europe/Berlin")
    item = make.equipment(base, world.category, world.enterprise)
    staff = world.users["enterprise_staff"]
    for school, spans in ((world.school, [(1, time(9), time(12))]),
                          (world.other_school, [(1, time(11), time(14))])):
        make.offer(world.enterprise, school, [item], created_by=staff, windows=[
            {"starts_on": MONDAY, "ends_on": MONDAY, "spans": spans}])
    session.commit()
    assert figures_of(session, item, "day", MONDAY)["offered_hours"] == Decimal(5)


def test_the_day_under_way_in_shanghai_is_reported_before_it_begins_in_utc(session, make,
                                                                           world):
    """At 17:00 UTC on 2 Dec it is already 01:00 on 3 Dec in Shanghai: that day is under way
    and answered (computed now), not left out as a day ahead."""
    from service.reports.queries import utilisation

    evening = datetime(2026, 12, 2, 17, tzinfo=UTC)
    document = utilisation(session, world.users["admin"], granularity="day",
                           from_=date(2026, 12, 3), to=date(2026, 12, 4), group_by="school",
                           max_days=366, now=evening)
    assert [(r["period_start"], r["stored"]) for r in document["rows"]] \
        == [(date(2026, 12, 3), False)]
    before = utilisation(session, world.users["admin"], granularity="day",
                         from_=date(2026, 12, 4), to=date(2026, 12, 5), group_by="school",
                         max_days=366, now=evening)
    assert before["rows"] == []
