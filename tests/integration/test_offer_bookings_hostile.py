"""Regressions of a hostile review of booking under offers: each test failed before its fix."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from service.db import db
from service.impact import services as impact
from service.notifications.models import Notification
from service.offers import lifecycle as offer_lifecycle
from service.offers import services as offer_services
from service.reservations import booking as booking_cases
from service.reservations import lifecycle, waitlist
from service.reservations.models import Reservation
from service.reservations.policy import BookingPolicy

from .conftest import NOW, at, refused

TUESDAY_MORNINGS = [{"starts_on": date(2027, 1, 1), "ends_on": date(2027, 3, 31),
                     "spans": [(2, time(9), time(12))]}]


@pytest.fixture
def ex(make, world, session):
    """The enterprise's mill offered to the school on Tuesdays 09:00-12:00, 3 h a week, a
    week's notice; a second student of the school."""
    floor = make.open_base(world.enterprise, kind="enterprise")
    mill = make.equipment(floor, world.category, world.enterprise, name="Idle mill",
                          booking_horizon_days=120)
    offer = make.offer(world.enterprise, world.school, [mill],
                       created_by=world.users["enterprise_staff"], windows=TUESDAY_MORNINGS,
                       weekly_hours_budget=3, withdrawal_notice_days=7)
    world.users["student2"] = make.user("student", world.school)
    session.commit()
    world.extra.update(mill=mill, offer=offer)
    return world


def reserve(w, start, hours=1, user="student", now=NOW):
    return booking_cases.reserve(db.session, w.users[user], equipment_id=w.extra["mill"].id,
                                 starts_at=start, ends_at=start + timedelta(hours=hours), now=now)


def test_a_waitlist_offer_taken_up_under_an_approval_offer_waits_for_the_enterprise(ex):
    w = ex
    w.extra["offer"].requires_approval = True
    db.session.commit()
    first = reserve(w, at(1, 9))
    entry = waitlist.join_waitlist(db.session, w.users["student2"],
                                   equipment_id=w.extra["mill"].id, starts_at=at(1, 9),
                                   ends_at=at(1, 10), now=NOW)
    lifecycle.cancel(db.session, w.users["student"], first.id, reason="ill",
                     policy=BookingPolicy(), now=NOW)
    db.session.refresh(entry)
    assert entry.status == "offered"
    held = lifecycle.confirm_hold(db.session, w.users["student2"], entry.reservation_id,
                                  now=NOW + timedelta(minutes=1))
    # 48 h to decide from now would pass the start: the start is the deadline.
    assert (held.status, held.decide_by) == ("pending", at(1, 9))


def test_the_enterprise_cannot_approve_after_the_decision_deadline(ex):
    w = ex
    w.extra["offer"].requires_approval, w.extra["offer"].approval_hours = True, 2
    db.session.commit()
    pending = reserve(w, at(1, 9))
    problem = refused("decision_deadline_passed", lifecycle.approve, db.session,
                      w.users["enterprise_staff"], pending.id, now=NOW + timedelta(hours=10))
    assert problem.status == 409
    assert db.session.get(Reservation, pending.id).status == "pending"


def test_a_lower_budget_lists_the_bookings_made_last_that_no_longer_fit(ex):
    """From today, this week's Monday: the week's budget is the new one."""
    w = ex
    early = reserve(w, at(1, 9), hours=2)
    late = reserve(w, at(1, 11), hours=1, user="student2")
    problem = refused("bookings_affected", offer_services.update_offer, db.session,
                      w.users["enterprise_staff"], w.extra["offer"].id,
                      changes={"weekly_hours_budget": 2, "effective_from": NOW.date()},
                      now=NOW)
    assert [a["id"] for a in problem.extra["affected_reservations"]] == [late.id]
    assert db.session.get(Reservation, early.id).status == "confirmed"


def test_a_lower_budget_from_tomorrow_leaves_this_weeks_bookings_under_its_budget(ex):
    """The change takes effect on Tuesday: the week's budget is its Monday's, the old one."""
    w = ex
    reserve(w, at(1, 9), hours=2)
    reserve(w, at(1, 11), hours=1, user="student2")
    offer = offer_services.update_offer(db.session, w.users["enterprise_staff"],
                                        w.extra["offer"].id,
                                        changes={"weekly_hours_budget": 2}, now=NOW)
    assert (offer.status, offer.weekly_hours_budget, offer.affected_reservations) == (
        "submitted", 2, [])
    assert [(b.in_force.lower, b.in_force.upper, b.weekly_hours_budget)
            for b in offer.budgets] == [(None, date(2027, 1, 5), 3)]


def test_rejecting_a_resubmitted_offer_ends_its_bookings_after_the_notice_period(ex):
    w = ex
    soon = reserve(w, at(1, 9))       # within the week's notice: stays
    later = reserve(w, at(15, 9))     # after it: cancelled, holder told
    offer_services.update_offer(db.session, w.users["enterprise_staff"], w.extra["offer"].id,
                                changes={"allowed_uses": "changed"}, now=NOW)
    offer = offer_lifecycle.reject_offer(db.session, w.users["admin"], w.extra["offer"].id,
                                         reason="Not these terms", now=NOW)
    assert {(a["id"], a["fate"]) for a in offer.affected_reservations} == {
        (soon.id, "kept"), (later.id, "cancelled")}
    assert db.session.get(Reservation, later.id).status == "cancelled"
    assert db.session.get(Reservation, soon.id).status == "confirmed"
    notice = db.session.scalars(select(Notification).where(
        Notification.reservation_id == later.id, Notification.kind == "cancelled")).one()
    assert "rejected the offer's new terms: Not these terms" in notice.body


def test_a_school_the_item_is_not_offered_to_cannot_join_its_waitlist(ex):
    w = ex
    reserve(w, at(1, 9))
    refused("not_offered_to_your_school", waitlist.join_waitlist, db.session,
            w.users["other_student"], equipment_id=w.extra["mill"].id, starts_at=at(1, 9),
            ends_at=at(1, 10), now=NOW)


def test_the_waitlist_refuses_a_span_outside_the_offer_rather_than_call_it_free(ex):
    w = ex
    refused("outside_offer_window", waitlist.join_waitlist, db.session, w.users["student"],
            equipment_id=w.extra["mill"].id, starts_at=at(2, 9), ends_at=at(2, 10), now=NOW)


def test_hours_used_never_exceed_the_booked_span(make, world, session):
    floor = make.open_base(world.enterprise, kind="enterprise")
    mill = make.equipment(floor, world.category, world.enterprise)
    offer = make.offer(world.enterprise, world.school, [mill],
                       created_by=world.users["enterprise_staff"], values={mill.id: "100.00"})
    day = date.today() - timedelta(days=3)
    start = datetime.combine(day, time(2), UTC)  # 10:00 in Shanghai
    # Booked 1 h, checked in 15 min early, checked out 3 h late.
    make.reservation(mill, world.users["student"], start, start + timedelta(hours=1),
                     offer=offer, checked_in_at=start - timedelta(minutes=15),
                     checked_out_at=start + timedelta(hours=4))
    session.commit()
    report = impact.build_impact_report(session, world.users["enterprise_staff"],
                                        world.enterprise.id, first_day=day - timedelta(days=1),
                                        end_day=day + timedelta(days=1))
    totals = report["totals"]
    assert (float(totals["hours_booked"]), float(totals["hours_used"])) == (1.0, 1.0)
    assert float(totals["valued_hours_used"]) == 100.0
