"""Several periods computed or built together give the figures of each period built alone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service.calendar import wallclock
from service.catalogue.models import Closure
from service.reports.live import compute_figures, compute_periods
from service.reports.models import ReportRun, UtilisationRow
from service.reports.services import build_requested_reports, build_utilisation_report
from service.reservations.models import Blackout

BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST = date(2027, 3, 22)  # two weeks around Berlin's spring change (Sunday 2027-03-28)
DAYS = [FIRST + timedelta(days=n) for n in range(14)]
LATER = datetime(2027, 6, 1, tzinfo=BERLIN)


def at(zone, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


@pytest.fixture
def items(make, world, session):
    """A Berlin school item, a Shanghai one and a Berlin enterprise item offered on weekdays,
    with bookings across midnight, across the spring change, over several days, cancelled
    and no-shows, a closure and a blackout."""
    hours = [{"weekday": d, "opens": time(0), "closes": time(23, 45)} for d in range(1, 8)]
    berlin_base = make.base(world.school, timezone="Europe/Berlin", opening_hours=hours)
    shanghai_base = make.base(world.school, timezone="Asia/Shanghai", opening_hours=hours)
    lab = make.equipment(berlin_base, world.category, world.school)
    far = make.equipment(shanghai_base, world.category, world.school)
    firm = make.organisation("enterprise")
    firm_base = make.base(firm, kind="enterprise", timezone="Europe/Berlin",
                          opening_hours=hours)
    press = make.equipment(firm_base, world.category, firm)
    staff = make.user("enterprise_staff", firm)
    make.offer(firm, world.school, [press], created_by=staff, status="approved",
               windows=[{"starts_on": FIRST, "ends_on": FIRST + timedelta(days=9),
                         "spans": [(d, time(8), time(18)) for d in range(1, 6)]}])
    student = world.users["student"]
    sunday = date(2027, 3, 28)
    plans = [
        (lab, at(BERLIN, FIRST, 22), at(BERLIN, FIRST + timedelta(days=1), 2), "completed"),
        (lab, at(BERLIN, sunday, 1), at(BERLIN, sunday, 4), "confirmed"),  # 02:00 is skipped
        (lab, at(BERLIN, sunday, 23, 30), at(BERLIN, sunday + timedelta(days=3), 1),
         "confirmed"),
        (lab, at(BERLIN, FIRST + timedelta(days=8), 10), at(BERLIN, FIRST + timedelta(days=8),
                                                             11), "no_show"),
        (lab, at(BERLIN, FIRST + timedelta(days=9), 10), at(BERLIN, FIRST + timedelta(days=9),
                                                             11), "cancelled"),
        (lab, at(BERLIN, FIRST - timedelta(days=1), 20), at(BERLIN, FIRST, 3), "completed"),
        (lab, at(BERLIN, DAYS[-1], 23), at(BERLIN, DAYS[-1] + timedelta(days=1), 5),
         "confirmed"),
        (far, at(SHANGHAI, FIRST, 23), at(SHANGHAI, FIRST + timedelta(days=1), 1), "confirmed"),
        (far, at(SHANGHAI, FIRST + timedelta(days=2), 9), at(SHANGHAI, FIRST + timedelta(days=2),
                                                             12), "completed"),
        (press, at(BERLIN, FIRST + timedelta(days=1), 7), at(BERLIN, FIRST + timedelta(days=1),
                                                             12), "completed"),
        (press, at(BERLIN, FIRST + timedelta(days=4), 17), at(BERLIN, FIRST + timedelta(days=7),
                                                              9), "confirmed"),
    ]
    for item, starts, ends, status in plans:
        checked = {"checked_in_at": starts + timedelta(minutes=10),
                   "checked_out_at": ends - timedelta(minutes=10)} if status == "completed" else {}
        make.reservation(item, student, starts, ends, status=status, **checked)
    session.add(Closure(base_id=berlin_base.id, starts_on=FIRST + timedelta(days=2),
                        ends_on=FIRST + timedelta(days=2), reason="Holiday"))
    session.add(Blackout(equipment_id=far.id, starts_at=at(SHANGHAI, FIRST + timedelta(days=2), 11),
                         ends_at=at(SHANGHAI, FIRST + timedelta(days=3), 10), reason="Works",
                         created_by_id=world.users["admin"].id))
    session.commit()
    return [lab, far, press]


def _key(rows):
    return sorted(rows, key=lambda r: r["equipment_id"])


@pytest.mark.parametrize("granularity, starts", [
    ("day", DAYS),
    ("day", DAYS[::3]),  # periods with gaps between them
    ("week", [FIRST + timedelta(days=7 * n) for n in range(-1, 3)]),
    ("month", [date(2027, 2, 1), date(2027, 3, 1), date(2027, 4, 1)]),
])
def test_periods_computed_together_match_each_computed_alone(session, items, granularity,
                                                             starts):
    ids = [item.id for item in items]
    together = compute_periods(session, granularity, starts, ids)
    assert sorted(together) == starts
    for start in starts:
        assert _key(together[start]) == _key(compute_figures(session, granularity, start, ids))
    assert any(row["booked_hours"] > 0 for rows in together.values() for row in rows)


def _stored(session, granularity, starts):
    return sorted((r.period_start, r.equipment_id, r.available_hours, r.booked_hours,
                   r.used_hours, r.no_shows, r.cancellations, r.late_cancellations)
                  for r in session.scalars(select(UtilisationRow).where(
                      UtilisationRow.granularity == granularity,
                      UtilisationRow.period_start.in_(starts))))


def test_a_batch_build_writes_the_rows_of_builds_one_period_at_a_time(session, items):
    for day in DAYS:
        build_utilisation_report(session, "day", day, trigger="backfill", now=LATER)
    alone = _stored(session, "day", DAYS)
    runs = build_requested_reports(session, "day", DAYS, now=LATER)
    assert _stored(session, "day", DAYS) == alone
    count = len(session.scalars(select(UtilisationRow.id)).all())
    assert [(r.trigger, r.status, r.period_start) for r in runs] == [
        ("rebuild", "succeeded", day) for day in DAYS]
    assert {r.rows for r in runs} == {count // len(DAYS)}


def test_a_batch_build_backfills_then_rebuilds_and_drops_items_gone(session, items):
    runs = build_requested_reports(session, "week", [FIRST, FIRST + timedelta(days=7)],
                                   now=LATER)
    assert [r.trigger for r in runs] == ["backfill", "backfill"]
    first = _stored(session, "week", [FIRST, FIRST + timedelta(days=7)])
    items[0].status = "retired"
    session.commit()
    runs = build_requested_reports(session, "week", [FIRST, FIRST + timedelta(days=7)],
                                   now=LATER)
    assert [r.trigger for r in runs] == ["rebuild", "rebuild"]
    assert _stored(session, "week", [FIRST, FIRST + timedelta(days=7)]) == [
        row for row in first if row[1] != items[0].id]
    assert session.scalar(select(ReportRun.id).where(ReportRun.status != "succeeded")) is None


def test_a_batch_with_a_period_not_over_builds_nothing(session, items):
    from service.reports.errors import PeriodOpen

    today = LATER.date()
    with pytest.raises(PeriodOpen):
        build_requested_reports(session, "day", [today - timedelta(days=1), today], now=LATER)
    assert session.scalar(select(ReportRun.id)) is None
    assert wallclock.period_end(today, "day") > today
