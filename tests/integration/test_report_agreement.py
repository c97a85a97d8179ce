"""Every report that states an item's booked, used or offered hours states the spec's figure, on
the same random schedules: the utilisation report, the heat map, impact, the contribution
statement, practice hours and an offer's weekly budget. Zones change their clocks at midnight
(Havana, Santiago), at 02:00 (Berlin), by half an hour (Lord Howe) or never (Shanghai); bases
close at 24:00; bookings cross midnights and changes of the clocks, are checked in early and
out late, or not at all; enterprise items are booked under offers with windows and weekly spans;
one base in three changes its opening hours on a day of the period (each day reads the week in
force that day).

The spec (PRODUCT.md, utilisation report): available is the base's opening hours less closures
and blackouts, an enterprise's item's as a school's; offered is the part of it inside the
approved offer's windows while the offer was open (impact and the contribution statement count
bookings under the offer within it); booked is the union of the confirmed, checked-in,
completed and no-show reservations' spans within the available hours; used runs from check-in
to check-out (or the booked end) cut to the booked span, so used <= booked <= available; local
days run from local midnight to local midnight, a repeated midnight read at its first pass.
An offer's weekly budget states another quantity, what it counts (docs/reports.md, "What an
offer's weekly budget counts"), and is held to that definition."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings

from service.catalogue.bases import replace_hours
from service.catalogue.models import Closure
from service.impact.rules import next_month
from service.impact.services import build_contribution_statement, build_impact_report
from service.offers.models import OfferEvent
from service.offers.rules import Window
from service.practice.queries import practice_hours
from service.reports.heatmap import heatmap_cells
from service.reports.live import compute_figures
from service.reservations.models import Blackout
from service.reservations.offered import terms_for, week_usage

from ..schedules import (
    ALL_DAY,
    Booking,
    Edit,
    Schedule,
    available,
    booked,
    counted,
    hours,
    local_span,
    offered,
    rounded,
    schedules,
    used,
    wall_hours,
    windows_in_force,
)


def _stage(session, make, world, s: Schedule) -> dict:
    """The schedule's base, item (in a category of its own), offer, closures, blackouts and
    bookings, held by the school's student."""
    owner = make.organisation("enterprise") if s.enterprise else world.school
    base = make.base(owner, kind="enterprise" if s.enterprise else "campus", timezone=s.zone,
                     opening_hours=[{"weekday": d, "opens": o, "closes": c}
                                    for d, o, c in s.hours])
    if s.hours_change is not None:  # as an edit (or an operator's correction) writes it
        day, week = s.hours_change
        replace_hours(session, base, [{"weekday": d, "opens": o, "closes": c}
                                      for d, o, c in week], day)
    category = make.category()
    item = make.equipment(base, category, owner)
    item.created_at = datetime(2020, 1, 1, tzinfo=UTC)  # in service long before the period
    staff = offer = None
    if s.enterprise:
        staff = make.user("enterprise_staff", owner)
        offer = make.offer(owner, world.school, [item], created_by=staff, status=s.offer_status,
                           windows=[{"starts_on": w.starts_on, "ends_on": w.ends_on,
                                     "spans": list(w.spans)} for w in windows_in_force(s)])
        if s.withdrawn_at is not None:
            session.add(OfferEvent(offer_id=offer.id, actor_id=staff.id, from_status="approved",
                                   to_status="withdrawn", at=s.withdrawn_at))
        if s.edit is not None:
            _stage_edit(session, offer, staff, s.edit)
    for first, last in s.closures:
        session.add(Closure(base_id=base.id, starts_on=first, ends_on=last, reason="Closed"))
    for start, end in s.blackouts:
        session.add(Blackout(equipment_id=item.id, starts_at=start, ends_at=end, reason="Works",
                             created_by_id=world.users["admin"].id))
    for b in s.bookings:
        make.reservation(item, world.users["student"], b.starts_at, b.ends_at, status=b.status,
                         offer=offer, checked_in_at=b.checked_in_at,
                         checked_out_at=b.checked_out_at)
    session.flush()
    return {"item": item, "category": category, "owner": owner, "staff": staff, "offer": offer}


def _stage_edit(session, offer, staff, edit: Edit) -> None:
    """The approval before the edit (the factory records one only for an approved offer), the
    edit sending it back from its effective day, and the approval again if there was one."""
    if edit.approved_at is None:
        session.add(OfferEvent(offer_id=offer.id, actor_id=None, from_status="submitted",
                               to_status="approved", at=edit.at - timedelta(days=1)))
    session.add(OfferEvent(offer_id=offer.id, actor_id=staff.id, from_status="approved",
                           to_status="submitted", at=edit.at,
                           effective_from=edit.effective_from))
    if edit.approved_at is not None:
        session.add(OfferEvent(offer_id=offer.id, actor_id=None, from_status="submitted",
                               to_status="approved", at=edit.approved_at))
    session.flush()


def _impact_of(document: dict, offer_id: int, item_id: int) -> dict:
    """The item's row of the offer in an impact answer (zeros when it is not shown)."""
    for row in document["offers"]:
        for line in row["items"]:
            if (row["offer_id"], line["equipment_id"]) == (offer_id, item_id):
                return line
    return {"hours_offered": Decimal(0), "hours_booked": Decimal(0), "hours_used": Decimal(0)}


def _contribution_of(statement: dict, month: date, school_id: int) -> dict:
    for row in statement["rows"]:
        if (row["month"], row["school_id"]) == (month, school_id):
            return row
    return {"hours_offered": Decimal(0), "hours_booked": Decimal(0), "hours_used": Decimal(0)}


def _stated(session, world, s: Schedule, staged: dict) -> dict:
    """What each report says of the item, keyed (report, quantity, span)."""
    item, period = staged["item"], (s.start, s.end)
    [row] = compute_figures(session, s.granularity, s.start, [item.id])
    stated = {("utilisation report", q, period): row[f"{q}_hours"]
              for q in ("available", "offered", "booked", "used")}
    cells = heatmap_cells(session, s.start, s.end, base_id=item.base_id)
    stated["heat map", "booked per wall hour", period] = {
        (c["weekday"], c["hour"]): Decimal(str(c["booked_hours"]))
        for c in cells if c["booked_hours"]}
    practice = practice_hours(session, world.users["admin"], from_=s.start, to=s.end,
                              granularity=s.granularity, category=staged["category"].code,
                              student_id=world.users["student"].id, max_days=400)["rows"]
    stated["practice hours", "used", period] = sum(
        (Decimal(str(r["hours"])) for r in practice), Decimal(0))
    if not s.enterprise:
        return stated
    offer, staff = staged["offer"], staged["staff"]
    impact = _impact_of(build_impact_report(session, staff, staff.organisation_id,
                                            first_day=s.start, end_day=s.end),
                        offer.id, item.id)
    month = s.start.replace(day=1)
    contribution = _contribution_of(build_contribution_statement(
        session, staff, staff.organisation_id, year=month.year,
        now=datetime(2030, 1, 1, tzinfo=UTC)), month, world.school.id)
    for quantity, name in (("offered", "hours_offered"), ("booked under offer", "hours_booked"),
                           ("used under offer", "hours_used")):
        stated["impact", quantity, period] = impact[name]
        stated["contribution statement", quantity, (month, next_month(month))] = \
            contribution[name]
    terms = terms_for(session, item.id, world.school.id)
    if terms is not None:  # an approved offer: the weeks of the period and their budget
        for week in week_usage(session, terms, s.zone, *local_span(s.start, s.end, s.zone)):
            monday = datetime.fromisoformat(week["week_starts_at"]).astimezone(
                ZoneInfo(s.zone)).date()
            stated["weekly budget", "counted", (monday, monday + timedelta(days=7))] = \
                Decimal(str(week["counted_hours"]))
    return stated


PLACES = {"utilisation report": 4, "heat map": 4, "practice hours": 4, "impact": 2,
          "contribution statement": 2, "weekly budget": 2}
SPEC = {"available": available, "offered": offered, "booked": booked, "used": used,
        "counted": counted,
        # impact and the contribution statement count bookings under the offer within what
        # it offered, not within all the item's available hours
        "booked under offer": lambda s, first, last: booked(s, first, last, offered),
        "used under offer": lambda s, first, last: used(s, first, last, offered)}


def _spec(s: Schedule, report: str, quantity: str, days: tuple[date, date]):
    """The spec's figure for what a report states, to that report's rounding."""
    first, last = local_span(*days, s.zone)
    if quantity == "booked per wall hour":
        return {cell: rounded(value, 4)
                for cell, value in wall_hours(booked(s, first, last), s.zone).items()}
    return rounded(hours(SPEC[quantity](s, first, last)), PLACES[report])


def _table(s: Schedule, stated: dict, expected: dict) -> str:
    """The schedule, then every report's figure beside the spec's, disagreements marked."""
    return f"{s}\n" + "\n".join(
        f"  {report:<22} {quantity:<20} {days[0]}..{days[1]}: stated "
        f"{stated[report, quantity, days]}, spec {want}"
        + ("" if stated[report, quantity, days] == want else "   <-- disagrees")
        for (report, quantity, days), want in expected.items())


def _check(session, make, world, s: Schedule) -> None:
    """Stage the schedule in a savepoint, ask every report, compare each with the spec, roll
    back. One line per report and quantity: Hypothesis shrinks and reports each on its own."""
    savepoint = session.begin_nested()
    try:
        staged = _stage(session, make, world, s)
        stated = _stated(session, world, s, staged)
        expected = {key: _spec(s, *key) for key in stated}
        table = _table(s, stated, expected)

        def agree(report: str, quantity: str) -> bool:
            return all(stated[key] == expected[key] for key in stated
                       if key[:2] == (report, quantity))

        assert agree("utilisation report", "available"), table
        assert agree("utilisation report", "offered"), table
        assert agree("utilisation report", "booked"), table
        assert agree("utilisation report", "used"), table
        assert agree("heat map", "booked per wall hour"), table
        assert agree("practice hours", "used"), table
        assert agree("impact", "offered"), table
        assert agree("impact", "booked under offer"), table
        assert agree("impact", "used under offer"), table
        assert agree("contribution statement", "offered"), table
        assert agree("contribution statement", "booked under offer"), table
        assert agree("contribution statement", "used under offer"), table
        assert agree("weekly budget", "counted"), table
    finally:
        savepoint.rollback()


@pytest.mark.slow
@settings(max_examples=200, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(s=schedules())
def test_every_report_states_the_spec_hours_on_random_schedules(session, make, world, s):
    _check(session, make, world, s)


def test_havanas_repeated_midnight_ends_the_day_before_at_its_first_pass(session, make, world):
    """Havana's clocks go back from 01:00 to 00:00 on 2027-11-07: the 6th ends at the first
    midnight, 04:00 UTC, and an hour booked from there is the 7th's in every report."""
    for day in (date(2027, 11, 6), date(2027, 11, 7)):
        _check(session, make, world, Schedule(
            zone="America/Havana", granularity="day", start=day, end=day + timedelta(days=1),
            hours=ALL_DAY, enterprise=True,
            windows=(Window(date(2027, 11, 1), date(2027, 11, 13), ALL_DAY),),
            bookings=(Booking(datetime(2027, 11, 7, 4, tzinfo=UTC),
                              datetime(2027, 11, 7, 5, tzinfo=UTC), "completed",
                              datetime(2027, 11, 7, 4, tzinfo=UTC)),)))


def test_an_early_check_in_and_a_late_check_out_add_nothing_to_what_was_used(
        session, make, world):
    """Checked in a quarter early and out an hour late: every report says the booked hour was
    used, and no more."""
    _check(session, make, world, Schedule(
        zone="Asia/Shanghai", granularity="day", start=date(2027, 3, 10), end=date(2027, 3, 11),
        hours=ALL_DAY, enterprise=True,
        windows=(Window(date(2027, 3, 8), date(2027, 3, 20), ALL_DAY),),
        bookings=(Booking(datetime(2027, 3, 10, 2, tzinfo=UTC),
                          datetime(2027, 3, 10, 3, tzinfo=UTC), "completed",
                          datetime(2027, 3, 10, 1, 45, tzinfo=UTC),
                          datetime(2027, 3, 10, 4, tzinfo=UTC)),)))


def test_an_enterprise_item_is_available_in_opening_hours_and_offered_inside_its_offer(
        session, make, world):
    """Open all day, offered 09:00-12:00 on Wednesdays: the utilisation report's available
    hours are the day's 24, its offered hours the three of the window; what is booked outside
    the window counts as booked in the utilisation report but not in impact."""
    _check(session, make, world, Schedule(
        zone="Asia/Shanghai", granularity="day", start=date(2027, 3, 10), end=date(2027, 3, 11),
        hours=ALL_DAY, enterprise=True,
        windows=(Window(date(2027, 3, 8), date(2027, 3, 20),
                        ((3, time(9), time(12)),)),),
        bookings=(Booking(datetime(2027, 3, 10, 2, tzinfo=UTC),
                          datetime(2027, 3, 10, 6, tzinfo=UTC), "completed",
                          datetime(2027, 3, 10, 2, tzinfo=UTC)),)))


def test_a_withdrawn_offer_offered_its_hours_until_it_was_withdrawn(session, make, world):
    """Schedules have a history (PRODUCT.md section 3): an offer withdrawn at noon offered the
    morning, and what was booked in it stays booked, in every report."""
    _check(session, make, world, Schedule(
        zone="Europe/Berlin", granularity="day", start=date(2027, 3, 22), end=date(2027, 3, 23),
        hours=ALL_DAY, enterprise=True, offer_status="withdrawn",
        withdrawn_at=datetime(2027, 3, 22, 11, tzinfo=UTC),
        windows=(Window(date(2027, 3, 20), date(2027, 4, 4), ALL_DAY),),
        bookings=(Booking(datetime(2027, 3, 22, 8, tzinfo=UTC),
                          datetime(2027, 3, 22, 9, tzinfo=UTC), "confirmed"),)))


def test_an_edited_offer_keeps_its_approved_windows_before_the_day_the_edit_takes_effect(
        session, make, world):
    """Approved 09-12 every day; on the 22nd the enterprise narrows the windows to 09-10 from
    the 24th; the school approves on the 25th at 06:00 UTC. The week offers 3 h on the 22nd and
    23rd, nothing on the 24th (the new terms waited for the school), 1 h a day from the 25th:
    in every report."""
    three_hours = tuple((d, time(9), time(12)) for d in range(1, 8))
    one_hour = tuple((d, time(9), time(10)) for d in range(1, 8))
    for approved_at in (datetime(2027, 3, 25, 6, tzinfo=UTC), None):
        _check(session, make, world, Schedule(
            zone="Asia/Shanghai", granularity="week", start=date(2027, 3, 22),
            end=date(2027, 3, 29), hours=ALL_DAY, enterprise=True,
            offer_status="approved" if approved_at else "submitted",
            windows=(Window(date(2027, 3, 8), date(2027, 3, 31), three_hours),),
            edit=Edit(datetime(2027, 3, 22, 4, tzinfo=UTC), date(2027, 3, 24),
                      (Window(date(2027, 3, 8), date(2027, 3, 31), one_hour),), approved_at),
            bookings=(Booking(datetime(2027, 3, 23, 1, tzinfo=UTC),
                              datetime(2027, 3, 23, 3, tzinfo=UTC), "completed",
                              datetime(2027, 3, 23, 1, tzinfo=UTC)),
                      Booking(datetime(2027, 3, 24, 1, tzinfo=UTC),
                              datetime(2027, 3, 24, 2, tzinfo=UTC), "confirmed"),
                      Booking(datetime(2027, 3, 26, 1, tzinfo=UTC),
                              datetime(2027, 3, 26, 3, tzinfo=UTC), "confirmed"))))
