"""Judging idle equipment against the real database: the threshold, what has nothing to share,
items too new, stored and live weeks, reruns, and one notice per owner and week."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.catalogue.models import Closure
from service.idle.models import IdleFinding
from service.idle.services import find_idle_equipment
from service.notifications.models import Notification
from service.reports.services import build_utilisation_report

BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 31 March 2027, noon in Berlin: the last complete week is that of 22 March, and the
# four judged are those of 1, 8, 15 and 22 March.
NOW = datetime(2027, 3, 31, 12, tzinfo=BERLIN)
WEEKS = [date(2027, 3, 1) + timedelta(days=7 * n) for n in range(4)]
LAST = WEEKS[-1]


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def lab(make, world, session):
    """A school's Berlin base open on weekdays 08:00-18:00 (50 h a week)."""
    base = make.base(world.school, timezone="Europe/Berlin")
    session.commit()
    return base


def book(make, world, item, monday: date, hours: float, *, status="completed"):
    """`hours` booked on the Tuesday of the week starting `monday`, from 08:00."""
    start = berlin(monday + timedelta(days=1), 8)
    return make.reservation(item, world.users["student"], start,
                            start + timedelta(hours=hours), status=status)


def judge(session, now=NOW, weeks=4, threshold=0.15):
    return find_idle_equipment(session, now=now, weeks=weeks, threshold=threshold)


def finding(session, item, week=LAST):
    return session.scalar(select(IdleFinding).where(IdleFinding.equipment_id == item.id,
                                                    IdleFinding.week_start == week))


def notices(session, kind="idle_equipment"):
    return session.scalars(select(Notification).where(Notification.kind == kind)
                           .order_by(Notification.user_id)).all()


def test_an_item_booked_under_the_threshold_every_week_is_idle_with_its_free_hours(
        session, make, world, lab):
    item = make.equipment(lab, world.category, world.school)
    session.commit()
    for monday in WEEKS:
        book(make, world, item, monday, 7)  # 14 % of 50 h
    judgement = judge(session)
    assert judgement.week_start == LAST and judgement.weeks == 4
    row = finding(session, item)
    assert row is not None
    assert (row.weeks, row.threshold, row.owner_organisation_id) == (4, Decimal("0.15"),
                                                                    world.school.id)
    assert (row.available_hours, row.booked_hours, row.free_hours) == (200, 28, 172)


def test_exactly_at_the_threshold_in_one_week_is_not_idle(session, make, world, lab):
    at_threshold = make.equipment(lab, world.category, world.school)
    just_under = make.equipment(lab, world.category, world.school)
    session.commit()
    book(make, world, at_threshold, WEEKS[2], 7.5)  # 7.5 / 50 = exactly 15 %
    book(make, world, just_under, WEEKS[2], 7.25)
    judge(session)
    assert finding(session, at_threshold) is None, "strictly under the threshold"
    assert finding(session, just_under).booked_hours == Decimal("7.25")


def test_one_busy_week_among_quiet_ones_is_not_idle(session, make, world, lab):
    item = make.equipment(lab, world.category, world.school)
    session.commit()
    book(make, world, item, WEEKS[0], 10)
    judge(session)
    assert finding(session, item) is None
    assert judge(session, weeks=3).findings >= 1 and finding(session, item) is not None, \
        "judged over the last three weeks only, the busy first week is left out"


def test_cancelled_bookings_do_not_make_an_item_busy(session, make, world, lab):
    item = make.equipment(lab, world.category, world.school)
    session.commit()
    for monday in WEEKS:
        book(make, world, item, monday, 9, status="cancelled")
    judge(session)
    assert finding(session, item).booked_hours == 0


def test_an_item_with_no_available_hours_in_a_week_is_not_idle(session, make, world, lab):
    closed = make.equipment(lab, world.category, world.school)
    other_base = make.base(world.school, timezone="Europe/Berlin")
    open_item = make.equipment(other_base, world.category, world.school)
    # The first base closes for the whole week of 8 March: nothing to share that week.
    session.add(Closure(base_id=lab.id, starts_on=WEEKS[1], ends_on=WEEKS[1] + timedelta(6),
                        reason="Works"))
    session.commit()
    judge(session)
    assert finding(session, closed) is None
    assert finding(session, open_item) is not None


def test_an_enterprise_item_never_offered_is_judged_in_its_base_opening_hours(
        session, make, world):
    """The enterprise's whole fleet is judged: an item offered to nobody is available in its
    base's opening hours, and unused it is idle, for the enterprise to offer."""
    enterprise_base = make.base(world.enterprise, kind="enterprise", timezone="Europe/Berlin")
    never_offered = make.equipment(enterprise_base, world.category, world.enterprise)
    session.commit()
    judge(session)
    row = finding(session, never_offered)
    assert row is not None
    assert (row.owner_organisation_id, row.available_hours, row.booked_hours) == (
        world.enterprise.id, 200, 0)


def test_an_item_the_enterprise_uses_itself_is_not_idle(session, make, world):
    """Booked by the enterprise's own staff (internal reservations, under no offer) for half
    of each week: not idle, though no school ever booked it."""
    enterprise_base = make.base(world.enterprise, kind="enterprise", timezone="Europe/Berlin")
    in_use = make.equipment(enterprise_base, world.category, world.enterprise)
    session.commit()
    staff = world.users["enterprise_staff"]
    for monday in WEEKS:
        for day in range(5):
            start = berlin(monday + timedelta(days=day), 8)
            make.reservation(in_use, staff, start, start + timedelta(hours=5),
                             status="completed")
    session.commit()
    judge(session)
    assert finding(session, in_use) is None


def test_an_item_too_new_for_the_judged_weeks_is_not_idle(session, make, world, lab):
    new = make.equipment(lab, world.category, world.school)
    entered_late = make.equipment(lab, world.category, world.school)
    session.flush()
    new.created_at = entered_late.created_at = berlin(WEEKS[1], 9)
    # Entered in the books late, but booked before the first judged week: it was there.
    make.reservation(entered_late, world.users["student"], berlin(WEEKS[0] - timedelta(7), 9),
                     berlin(WEEKS[0] - timedelta(7), 10))
    session.commit()
    judge(session)
    assert finding(session, new) is None
    assert finding(session, entered_late) is not None


def test_retired_items_are_not_named(session, make, world, lab):
    item = make.equipment(lab, world.category, world.school, status="retired")
    session.commit()
    judge(session)
    assert finding(session, item) is None


def test_an_offered_enterprise_item_is_judged_over_its_base_opening_hours(session, make, world):
    base = make.base(world.enterprise, kind="enterprise", timezone="Europe/Berlin")
    item = make.equipment(base, world.category, world.enterprise)
    session.flush()
    # Offered on Tuesdays 08:00-18:00 only, available in the base's 50 h a week.
    make.offer(world.enterprise, world.school, [item], created_by=world.users["manager"],
               windows=[{"starts_on": WEEKS[0], "ends_on": LAST + timedelta(days=6),
                         "spans": [(2, time(8), time(18))]}])
    session.commit()
    book(make, world, item, WEEKS[3], 1)
    judge(session)
    row = finding(session, item)
    assert (row.available_hours, row.booked_hours, row.free_hours) == (200, 1, 199)


def test_running_it_twice_gives_the_same_rows_and_no_second_notice(session, make, world, lab):
    item = make.equipment(lab, world.category, world.school)
    session.commit()
    first = judge(session)
    rows = session.execute(select(IdleFinding.id, IdleFinding.equipment_id,
                                  IdleFinding.free_hours).order_by(IdleFinding.id)).all()
    told = len(notices(session))
    assert first.owners_told >= 1 and told >= 1
    again = judge(session)
    assert again.findings == first.findings and again.owners_told == 0
    assert session.execute(select(IdleFinding.id, IdleFinding.equipment_id,
                                  IdleFinding.free_hours).order_by(IdleFinding.id)).all() == rows
    assert len(notices(session)) == told
    assert finding(session, item) is not None


def test_an_item_no_longer_idle_for_the_week_loses_its_finding(session, make, world, lab):
    item = make.equipment(lab, world.category, world.school)
    session.commit()
    judge(session)
    assert finding(session, item) is not None
    book(make, world, item, LAST, 20)  # a late entry: the last week was busy after all
    session.commit()
    judge(session)
    assert finding(session, item) is None
    assert session.scalar(select(func.count()).select_from(IdleFinding).where(
        IdleFinding.equipment_id == item.id)) == 0


def test_built_weeks_are_read_from_their_stored_rows(session, make, world, lab):
    item = make.equipment(lab, world.category, world.school)
    session.commit()
    for monday in WEEKS:
        build_utilisation_report(session, "week", monday, now=NOW)
    # Booked after the weeks were built: the stored rows, which the reports show, stand.
    book(make, world, item, LAST, 20)
    session.commit()
    judge(session)
    assert finding(session, item).booked_hours == 0


def test_each_owner_is_told_once_with_its_items_and_the_suggestion_in_words(
        session, make, world, lab):
    lathe = make.equipment(lab, world.category, world.school, name="Old lathe")
    base = make.base(world.enterprise, kind="enterprise", timezone="Europe/Berlin")
    mill = make.equipment(base, world.category, world.enterprise, name="Idle mill")
    session.flush()
    make.offer(world.enterprise, world.school, [mill], created_by=world.users["manager"],
               windows=[{"starts_on": WEEKS[0], "ends_on": LAST + timedelta(days=6),
                         "spans": [(d, time(8), time(18)) for d in range(1, 6)]}])
    session.commit()
    book(make, world, lathe, LAST, 2)
    judge(session)
    school = [n for n in notices(session)
              if n.data["owner_organisation_id"] == world.school.id]
    assert [n.user_id for n in school] == [world.users["admin"].id], "the school's admins"
    [notice] = school
    assert notice.data["week_start"] == LAST.isoformat() and notice.data["weeks"] == 4
    assert notice.data["suggestion"] == "share_or_move"
    names = {i["equipment_name"]: i for i in notice.data["items"]}
    assert names["Old lathe"]["free_hours"] == 198
    assert names["Old lathe"]["finding_id"] == finding(session, lathe).id
    assert "Old lathe at " in notice.body and "198.0 h free of 200.0 h" in notice.body
    assert "Share them with partner enterprises or move them" in notice.body
    assert "15 %" in notice.body
    enterprise = [n for n in notices(session)
                  if n.data["owner_organisation_id"] == world.enterprise.id]
    assert sorted(n.user_id for n in enterprise) == sorted(
        [world.users["enterprise_staff"].id, world.users["manager"].id]), "all its staff"
    assert {n.data["suggestion"] for n in enterprise} == {"offer_to_schools"}
    assert all("Offer them to a school" in n.body and "Idle mill" in n.body
               for n in enterprise)
    # the offered mill, and the enterprise's item it never offered
    assert sorted(i["equipment_name"] for i in enterprise[0].data["items"]) == sorted(
        ["Idle mill", world.enterprise_equipment.name])
    # The other enterprise's item was never offered: idle all the same, to be offered.
    other = [n for n in notices(session)
             if n.data["owner_organisation_id"] == world.other_enterprise.id]
    assert other and {n.data["suggestion"] for n in other} == {"offer_to_schools"}


def test_the_next_week_is_judged_and_told_anew(session, make, world, lab):
    item = make.equipment(lab, world.category, world.school)
    session.commit()
    judge(session)
    judge(session, now=NOW + timedelta(days=7))
    assert finding(session, item, LAST) is not None
    assert finding(session, item, LAST + timedelta(days=7)) is not None, "history is kept"
    weeks = sorted(n.data["week_start"] for n in notices(session)
                   if n.data["owner_organisation_id"] == world.school.id)
    assert weeks == [LAST.isoformat(), (LAST + timedelta(days=7)).isoformat()]


def test_a_week_is_judged_only_once_it_has_ended_everywhere(session, make, world, lab):
    # Monday 29 March, 00:30 in Berlin: Shanghai's week is over, but Los Angeles' is not.
    make.base(world.school, timezone="America/Los_Angeles")
    session.commit()
    assert judge(session, now=berlin(date(2027, 3, 29), 0, 30)).week_start == WEEKS[2]
    assert judge(session, now=berlin(date(2027, 3, 29), 10)).week_start == LAST


def test_a_threshold_outside_zero_to_one_is_refused(session):
    with pytest.raises(ValueError):
        judge(session, threshold=1.5)
    with pytest.raises(ValueError):
        judge(session, weeks=0)
