"""Impact figures against PostgreSQL on a hand-computed week, and across a DST night."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from service.catalogue.models import Closure
from service.errors import NotFound
from service.impact import services
from service.impact.errors import InvalidPeriod
from service.outcomes.models import Outcome, OutcomeSkill
from service.reservations.models import Blackout

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2025, 3, 3)


def sh(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time on MONDAY + day (March 2025)."""
    return datetime(2025, 3, 3 + day, hour, minute, tzinfo=SHANGHAI)


def add_outcome(session, reservation, author, tags) -> Outcome:
    outcome = Outcome(reservation_id=reservation.id, author_id=author.id, trainee_count=2,
                      hours=Decimal("1.5"), result="Turned a shaft to tolerance.")
    outcome.skills = [OutcomeSkill(tag=tag, in_vocabulary=True) for tag in tags]
    session.add(outcome)
    session.flush()
    return outcome


@dataclass
class Week:
    offer: object
    lathe: object
    press: object


@pytest.fixture
def week(make, world, session):
    """One week of an offer in Shanghai, worked out by hand.

    The enterprise's base opens Mon-Fri 08:00-18:00 (the factory's default). The offer's window
    is Mon 3 to Sun 9 March 2025 with spans Mon-Fri 09:00-12:00, Fri 17:00-19:00 and Sat
    09:00-12:00; the base is closed on Wednesday 5 March; the lathe is blacked out on Thursday
    10:00-11:30. The lathe declares 50.00 per hour, the press nothing.

    Hours offered, lathe: 5 x 3 h (Mon-Fri mornings) = 15; + 1 (Fri 17-18, the base closes at
    18) = 16; + 0 (Saturday: the base is shut) ; - 3 (Wednesday closed) = 13; - 1.5 (the
    blackout) = 11.5. The press has no blackout: 13.

    Reservations under the offer, on the lathe:
    A Mon 09:00-11:00 completed, checked in 09:15, out 11:00: booked 2, used 1.75; holder the
      student, attendees a second student and the instructor; outcome: cnc-setup, g-code,
      safety, tooling, fixturing.
    B Tue 09:00-10:00 no-show: booked 1, used 0.
    C Tue 10:00-12:00 cancelled: nothing.
    D Thu 09:00-10:00 completed, checked in 09:00, never checked out: booked 1, used 1 (to its
      end); holder the student again; outcome: cnc-setup, measuring.
    E Fri 09:00-11:00 confirmed, not checked in: booked 2, used 0.
    F Sun 23:00 - Mon 10 March 01:00 confirmed, outside the offer's windows: booked 0 (booked
      time lies within what was offered, docs/reports.md#booked).
    G Mon 14:00-15:00 completed but not under the offer: nothing.

    Booked 2 + 1 + 1 + 2 = 6 h; used 1.75 + 1 = 2.75 h; sessions 2 (A, D); no-shows 1;
    students 2 (the instructor is not one); outcomes 2; top skills cnc-setup 2, then by tag
    fixturing, g-code, measuring, safety (tooling is sixth). Valued: 50 x 6 = 300.00 booked,
    50 x 2.75 = 137.50 used; the press: null.
    """
    users = world.users
    base = world.enterprise_base
    lathe = world.enterprise_equipment
    press = make.equipment(base, world.category, world.enterprise, name="Press")
    offer = make.offer(world.enterprise, world.school, [lathe, press],
                       created_by=users["enterprise_staff"],
                       windows=[{"starts_on": MONDAY, "ends_on": date(2025, 3, 9), "spans": [
                           *[(d, time(9), time(12)) for d in range(1, 7)],
                           (5, time(17), time(19))]}],
                       values={lathe.id: Decimal("50.00")})
    session.add(Closure(base_id=base.id, starts_on=date(2025, 3, 5), ends_on=date(2025, 3, 5),
                        reason="Works holiday"))
    session.add(Blackout(equipment_id=lathe.id, starts_at=sh(3, 10), ends_at=sh(3, 11, 30),
                         reason="Calibration", created_by_id=users["manager"].id))
    student, instructor = users["student"], users["instructor"]
    classmate = make.user("student", world.school)
    a = make.reservation(lathe, student, sh(0, 9), sh(0, 11), offer=offer,
                         attendees=[classmate, instructor], checked_in_at=sh(0, 9, 15),
                         checked_out_at=sh(0, 11))
    make.reservation(lathe, student, sh(1, 9), sh(1, 10), status="no_show", offer=offer)
    make.reservation(lathe, student, sh(1, 10), sh(1, 12), status="cancelled", offer=offer)
    d = make.reservation(lathe, student, sh(3, 9), sh(3, 10), offer=offer,
                         checked_in_at=sh(3, 9))
    make.reservation(lathe, student, sh(4, 9), sh(4, 11), status="confirmed", offer=offer)
    make.reservation(lathe, student, sh(6, 23), sh(7, 1), status="confirmed", offer=offer)
    make.reservation(lathe, student, sh(0, 14), sh(0, 15))
    add_outcome(session, a, student, ["cnc-setup", "g-code", "safety", "tooling", "fixturing"])
    add_outcome(session, d, student, ["cnc-setup", "measuring"])
    # Not this enterprise's, or never offered: none of it shows.
    make.offer(world.enterprise, world.other_school, [lathe], status="draft",
               created_by=users["enterprise_staff"])
    make.offer(world.other_enterprise, world.school, [world.other_enterprise_equipment],
               created_by=users["other_staff"])
    session.commit()
    return Week(offer, lathe, press)


TOP = [{"tag": "cnc-setup", "count": 2}, {"tag": "fixturing", "count": 1},
       {"tag": "g-code", "count": 1}, {"tag": "measuring", "count": 1},
       {"tag": "safety", "count": 1}]


def report(session, world, role="enterprise_staff", first=MONDAY, end=date(2025, 3, 10)):
    return services.build_impact_report(session, world.users[role], world.enterprise.id,
                                        first_day=first, end_day=end)


def test_the_hand_computed_week(session, world, week):
    document = report(session, world)
    [offer] = document["offers"]
    assert (offer["offer_id"], offer["school_id"], offer["status"]) == (
        week.offer.id, world.school.id, "approved")
    lathe, press = offer["items"]
    assert lathe["equipment_id"] == week.lathe.id
    assert {k: v for k, v in lathe.items() if k not in ("equipment_name", "base_id")} == {
        "equipment_id": week.lathe.id, "timezone": "Asia/Shanghai",
        "value_per_hour": Decimal("50.00"), "hours_offered": Decimal("11.50"),
        "hours_booked": Decimal("6.00"), "hours_used": Decimal("2.75"), "sessions": 2,
        "students_trained": 2, "no_shows": 1, "outcomes_received": 2, "top_skills": TOP,
        "valued_hours_booked": Decimal("300.00"), "valued_hours_used": Decimal("137.50")}
    assert (press["hours_offered"], press["hours_booked"], press["sessions"],
            press["valued_hours_booked"], press["valued_hours_used"]) == (
        Decimal("13.00"), Decimal("0.00"), 0, None, None)
    expected_totals = {**{k: lathe[k] for k in (
        "hours_booked", "hours_used", "sessions", "students_trained", "no_shows",
        "outcomes_received", "top_skills", "valued_hours_booked", "valued_hours_used")},
        "hours_offered": Decimal("24.50")}
    assert offer["totals"] == expected_totals
    assert document["totals"] == expected_totals


def test_a_period_is_local_days_of_the_items_zone(session, world, week):
    # Tuesday alone: B (a no-show, 1 h) and nothing else; 3 h offered on each item.
    document = report(session, world, first=date(2025, 3, 4), end=date(2025, 3, 5))
    lathe = document["offers"][0]["items"][0]
    assert (lathe["hours_offered"], lathe["hours_booked"], lathe["no_shows"],
            lathe["sessions"]) == (Decimal("3.00"), Decimal("1.00"), 1, 0)
    # Monday 10 March: only the hour of F after Shanghai midnight; nothing offered, so
    # nothing booked either (booked <= offered).
    document = report(session, world, first=date(2025, 3, 10), end=date(2025, 3, 11))
    [lathe] = [i for i in document["offers"][0]["items"] if i["equipment_id"] == week.lathe.id]
    assert (lathe["hours_offered"], lathe["hours_booked"]) == (Decimal("0.00"), Decimal("0.00"))


def test_a_withdrawn_offer_offered_hours_until_it_was_withdrawn(session, world, week):
    from service.offers.models import OfferEvent

    week.offer.status = "withdrawn"
    session.add(OfferEvent(offer_id=week.offer.id, actor_id=world.users["manager"].id,
                           from_status="approved", to_status="withdrawn", reason="needed",
                           at=sh(1, 12).astimezone(UTC)))
    session.commit()
    # Monday and Tuesday mornings only: 6 h on each item; of the lathe's bookings only A and
    # B lie in them (what stood after the withdrawal was not offered: not booked either).
    [offer] = report(session, world)["offers"]
    lathe, press = offer["items"]
    assert (press["hours_offered"], lathe["hours_offered"], lathe["hours_booked"]) == (
        Decimal("6.00"), Decimal("6.00"), Decimal("3.00"))


def test_nobody_but_the_enterprise_staff_sees_its_impact(session, world, week):
    for role in ("student", "admin", "other_staff", "operator"):
        with pytest.raises(NotFound):
            report(session, world, role=role)
    with pytest.raises(NotFound):
        services.build_impact_report(session, world.users["admin"], world.school.id,
                                     first_day=MONDAY, end_day=date(2025, 3, 10))
    assert report(session, world, role="manager")["totals"]["sessions"] == 2


@pytest.mark.parametrize(("first", "end", "field"), [
    (date(2025, 3, 3), date(2025, 3, 3), "to"), (date(2025, 3, 4), date(2025, 3, 3), "to"),
    (date(2025, 1, 1), date(2026, 1, 3), "to")])
def test_a_period_must_run_forwards_and_not_too_long(session, world, first, end, field):
    with pytest.raises(InvalidPeriod) as refused:
        report(session, world, first=first, end=end)
    assert refused.value.code == "invalid_period" and field in refused.value.errors


def test_hours_across_the_night_berlin_leaves_summer_time(session, world, make):
    """Sunday 26 October 2025, Berlin: 03:00 CEST becomes 02:00 CET. A window span 01:00-05:00
    wall-clock that night is 5 real hours (23:00Z to 04:00Z); the local day is 25 hours long.
    A reservation over the same night, checked in and out at its bounds: booked 5, used 5."""
    base = make.base(world.enterprise, kind="enterprise", timezone="Europe/Berlin",
                     opening_hours=[{"weekday": 7, "opens": time(0), "closes": time(12)}])
    robot = make.equipment(base, world.category, world.enterprise, name="Robot")
    offer = make.offer(world.enterprise, world.school, [robot],
                       created_by=world.users["manager"], values={robot.id: "10.00"},
                       windows=[{"starts_on": date(2025, 10, 20), "ends_on": date(2025, 10, 26),
                                 "spans": [(7, time(1), time(5))]}])
    starts = datetime(2025, 10, 26, 1, tzinfo=BERLIN)
    ends = datetime(2025, 10, 26, 5, tzinfo=BERLIN)
    assert ends.astimezone(UTC) - starts.astimezone(UTC) == timedelta(hours=5)
    make.reservation(robot, world.users["student"], starts, ends, offer=offer,
                     checked_in_at=starts, checked_out_at=ends)
    # Saturday 23:30 Berlin is 21:30Z: before the Sunday; it must not count for Sunday.
    make.reservation(robot, world.users["student"], datetime(2025, 10, 25, 22, tzinfo=BERLIN),
                     datetime(2025, 10, 25, 23, 30, tzinfo=BERLIN), offer=offer)
    session.commit()
    document = report(session, world, first=date(2025, 10, 26), end=date(2025, 10, 27))
    [row] = [o for o in document["offers"] if o["offer_id"] == offer.id]
    [item] = row["items"]
    assert (item["timezone"], item["hours_offered"], item["hours_booked"], item["hours_used"],
            item["sessions"], item["valued_hours_booked"]) == (
        "Europe/Berlin", Decimal("5.00"), Decimal("5.00"), Decimal("5.00"), 1,
        Decimal("50.00"))
