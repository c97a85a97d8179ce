"""Booking an enterprise's item under an approved offer: who, when (windows, DST included),
how much (the weekly budget), the enterprise's decision deadline, and what withdrawal and
narrowing edits do to the bookings made under it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service.db import db
from service.errors import NotFound
from service.notifications.models import Notification
from service.offers import lifecycle, services
from service.reservations import booking as booking_cases
from service.reservations import jobs, queries
from service.reservations.models import Reservation
from service.reservations.policy import BookingPolicy

from .conftest import NOW, at, refused

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY_MORNINGS = [{"starts_on": date(2027, 1, 1), "ends_on": date(2027, 3, 31),
                     "spans": [(2, time(9), time(12))]}]


@pytest.fixture
def exchange(make, world, session):
    """An enterprise's two items at its floor (open daily 06:00-22:00, Shanghai), offered to the
    school on Tuesday mornings 09:00-12:00 with a 3-hour weekly budget."""
    floor = make.open_base(world.enterprise, kind="enterprise")
    mill = make.equipment(floor, world.category, world.enterprise, name="Idle mill",
                          booking_horizon_days=120)
    press = make.equipment(floor, world.category, world.enterprise, name="Idle press",
                           booking_horizon_days=120)
    offer = make.offer(world.enterprise, world.school, [mill, press],
                       created_by=world.users["enterprise_staff"], windows=TUESDAY_MORNINGS,
                       weekly_hours_budget=3, withdrawal_notice_days=7)
    session.commit()
    world.extra.update(mill=mill, press=press, offer=offer)
    return world


def reserve(world, item, start, hours=1, user="student", now=NOW):
    return booking_cases.reserve(db.session, world.users[user], equipment_id=item.id,
                                 starts_at=start, ends_at=start + timedelta(hours=hours),
                                 now=now)


def utc(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat()


# Tuesday 2027-01-05 is at(1, ...); the next Tuesday is at(8, ...).

def test_a_member_of_the_addressed_school_books_inside_a_window_under_the_offer(exchange):
    w = exchange
    booked = reserve(w, w.extra["mill"], at(1, 9), hours=2)
    assert booked.status == "confirmed" and booked.offer_id == w.extra["offer"].id
    assert db.session.get(Reservation, booked.id).offer_id == w.extra["offer"].id


def test_another_school_cannot_book_the_item_at_all(exchange):
    w = exchange
    problem = refused("not_offered_to_your_school", reserve, w, w.extra["mill"], at(1, 9),
                      user="other_student")
    assert problem.status == 403


def test_outside_the_windows_is_refused_with_its_own_code(exchange):
    w = exchange
    refused("outside_offer_window", reserve, w, w.extra["mill"], at(2, 9))    # a Wednesday
    refused("outside_offer_window", reserve, w, w.extra["mill"], at(1, 11), hours=2)  # past 12
    refused("outside_offer_window", reserve, w, w.extra["mill"], at(1, 8))    # before 09:00


def test_an_offer_not_yet_approved_opens_nothing(exchange):
    w = exchange
    w.extra["offer"].status = "submitted"
    db.session.commit()
    refused("not_offered_to_your_school", reserve, w, w.extra["mill"], at(1, 9))


def test_the_weekly_budget_is_shared_by_the_offers_items_and_resets_each_iso_week(exchange):
    w = exchange
    mill, press = w.extra["mill"], w.extra["press"]
    reserve(w, mill, at(1, 9), hours=2)
    problem = refused("offer_budget_exceeded", reserve, w, press, at(1, 10), hours=2,
                      user="instructor")
    assert problem.extra["weekly_hours_budget"] == 3 and problem.extra["counted_hours"] == 2.0
    assert reserve(w, press, at(1, 11), hours=1, user="instructor").status == "confirmed"
    assert reserve(w, press, at(8, 9), hours=3).status == "confirmed"  # the next ISO week


def test_a_cancelled_booking_gives_its_hours_back_to_the_budget(exchange):
    from service.reservations import lifecycle as reservation_lifecycle

    w = exchange
    first = reserve(w, w.extra["mill"], at(1, 9), hours=3)
    refused("offer_budget_exceeded", reserve, w, w.extra["press"], at(1, 9))
    reservation_lifecycle.cancel(db.session, w.users["student"], first.id, reason="ill",
                                 policy=BookingPolicy(), now=NOW)
    assert reserve(w, w.extra["press"], at(1, 9)).status == "confirmed"


def test_a_window_across_the_autumn_change_keeps_its_local_hours(make, world, session):
    """Berlin falls back on Sunday 2027-10-31: the 09:00-12:00 span is still 09:00-12:00 local,
    i.e. 08:00-11:00 UTC that day against 07:00-10:00 UTC the Sunday before."""
    floor = make.open_base(world.enterprise, kind="enterprise", timezone="Europe/Berlin")
    item = make.equipment(floor, world.category, world.enterprise, booking_horizon_days=400)
    make.offer(world.enterprise, world.school, [item], created_by=world.users["enterprise_staff"],
               windows=[{"starts_on": date(2027, 10, 20), "ends_on": date(2027, 11, 10),
                         "spans": [(7, time(9), time(12))]}])
    session.commit()
    now = datetime(2027, 10, 1, tzinfo=UTC)
    before = datetime(2027, 10, 24, 9, tzinfo=BERLIN)
    after = datetime(2027, 10, 31, 9, tzinfo=BERLIN)
    assert after.astimezone(UTC).hour == 8 and before.astimezone(UTC).hour == 7
    assert reserve(world, item, before, hours=3, now=now).status == "confirmed"
    assert reserve(world, item, after, hours=3, now=now).status == "confirmed"
    refused("outside_offer_window", reserve, world, item,
            datetime(2027, 10, 31, 7, tzinfo=UTC), now=now)  # 08:00 local after the change


def test_when_the_offer_asks_for_approval_the_request_waits_until_its_deadline(exchange):
    w = exchange
    offer = w.extra["offer"]
    offer.requires_approval, offer.approval_hours = True, 24
    db.session.commit()
    soon = reserve(w, w.extra["mill"], at(1, 9))           # starts in 33 h: deadline NOW + 24 h
    late = reserve(w, w.extra["press"], at(1, 10), now=at(1, 0))  # starts in 10 h: its start
    assert (soon.status, soon.decide_by) == ("pending", NOW + timedelta(hours=24))
    assert late.decide_by == at(1, 10)
    policy = BookingPolicy()
    assert jobs.expire_holds(db.session, policy=policy, now=NOW + timedelta(hours=23)) == 0
    assert jobs.expire_holds(db.session, policy=policy, now=NOW + timedelta(hours=24)) == 1
    lapsed = db.session.get(Reservation, soon.id)
    assert lapsed.status == "lapsed"
    notice = db.session.scalars(select(Notification).where(
        Notification.reservation_id == soon.id, Notification.kind == "lapsed")).one()
    assert notice.subject.startswith("Request lapsed")
    assert "The item's owner did not decide on the request by" in notice.body
    assert "does not count as a cancellation of yours" in notice.body


def test_the_enterprise_approves_a_request_before_its_deadline(exchange):
    from service.reservations import lifecycle as reservation_lifecycle

    w = exchange
    w.extra["offer"].requires_approval = True
    db.session.commit()
    pending = reserve(w, w.extra["mill"], at(1, 9))
    approved = reservation_lifecycle.approve(db.session, w.users["enterprise_staff"], pending.id,
                                             now=NOW + timedelta(hours=1))
    assert approved.status == "confirmed"


def test_availability_shows_the_school_only_its_offers_spans_and_others_nothing(exchange):
    w = exchange
    mill = w.extra["mill"]
    reserve(w, mill, at(1, 10))
    policy = BookingPolicy()
    week = dict(start=at(0, 0), end=at(7, 0), policy=policy, now=NOW)
    seen = queries.availability(db.session, w.users["student"], mill.id, **week)
    assert seen["free"] == [{"starts_at": utc(at(1, 9)), "ends_at": utc(at(1, 10))},
                            {"starts_at": utc(at(1, 11)), "ends_at": utc(at(1, 12))}]
    offer = seen["offer"]
    assert offer["offer_id"] == w.extra["offer"].id and offer["weekly_hours_budget"] == 3
    assert offer["weeks"] == [{"week_starts_at": utc(at(0, 0)), "counted_hours": 1.0,
                               "weekly_hours_budget": 3, "remaining_hours": 2.0}]
    assert "withdrawal_notice_days" not in offer and "items" not in offer
    # Another school does not see an enterprise's item never offered to it.
    with pytest.raises(NotFound):
        queries.availability(db.session, w.users["other_student"], mill.id, **week)
    # The owner's staff book it for their own use in the base's opening hours (06:00-22:00),
    # the offer's windows aside.
    owner = queries.availability(db.session, w.users["enterprise_staff"], mill.id, **week)
    assert "offer" not in owner
    assert owner["free"][0] == {"starts_at": utc(at(0, 6)), "ends_at": utc(at(0, 22))}
    assert {"starts_at": utc(at(1, 11)), "ends_at": utc(at(1, 22))} in owner["free"]


def test_free_search_lists_an_offered_item_only_to_the_school_and_inside_a_window(exchange):
    w = exchange
    policy = BookingPolicy()
    ids = [w.extra["mill"].id, w.extra["press"].id]

    def listed(user, start, end):
        from service.catalogue.models import Equipment

        only = queries.free_for(db.session, w.users[user], start, end, policy=policy)
        return set(db.session.scalars(select(Equipment.id).where(only, Equipment.id.in_(ids))))

    assert listed("student", at(1, 9), at(1, 10)) == set(ids)
    assert listed("other_student", at(1, 9), at(1, 10)) == set()
    assert listed("student", at(2, 9), at(2, 10)) == set()   # a Wednesday: no window


def test_withdrawal_cancels_bookings_after_the_notice_period_and_keeps_sooner_ones(exchange):
    w = exchange
    kept = reserve(w, w.extra["mill"], at(1, 9))                 # in 1 day: within 7 days
    cancelled = reserve(w, w.extra["press"], at(15, 9))           # in 15 days
    offer = lifecycle.withdraw_offer(db.session, w.users["manager"], w.extra["offer"].id,
                                     reason="The line is needed again", now=NOW)
    assert offer.status == "withdrawn"
    assert {(a["id"], a["fate"]) for a in offer.affected_reservations} == {
        (kept.id, "kept"), (cancelled.id, "cancelled")}
    assert db.session.get(Reservation, kept.id).status == "confirmed"
    assert db.session.get(Reservation, cancelled.id).status == "cancelled"
    [notice] = db.session.scalars(select(Notification).where(
        Notification.reservation_id == cancelled.id, Notification.kind == "cancelled")).all()
    assert "withdrew its offer: The line is needed again" in notice.body
    assert notice.user_id == w.users["student"].id


def test_an_edit_that_narrows_the_windows_lists_the_bookings_it_touches_before_it_happens(
        exchange):
    w = exchange
    offer_id = w.extra["offer"].id
    near = reserve(w, w.extra["mill"], at(1, 10))
    far = reserve(w, w.extra["press"], at(15, 11))
    fits = reserve(w, w.extra["press"], at(15, 9))
    narrower = {"windows": [{"starts_on": date(2027, 1, 1), "ends_on": date(2027, 3, 31),
                             "spans": [{"weekday": 2, "opens": time(9), "closes": time(10)}]}]}
    problem = refused("bookings_affected", services.update_offer, db.session,
                      w.users["manager"], offer_id, changes=narrower, now=NOW)
    listed = {(a["id"], a["fate"]) for a in problem.extra["affected_reservations"]}
    assert listed == {(near.id, "kept"), (far.id, "cancelled")}
    assert set(problem.extra["affected_reservations"][0]) == {
        "id", "equipment_id", "timezone", "starts_at", "ends_at", "status", "holder_name",
        "school_name", "fate"}
    assert db.session.get(Reservation, far.id).status == "confirmed"  # nothing happened yet
    offer = services.update_offer(db.session, w.users["manager"], offer_id, changes=narrower,
                                  confirm=True, now=NOW)
    assert offer.status == "submitted"
    assert db.session.get(Reservation, far.id).status == "cancelled"
    assert db.session.get(Reservation, near.id).status == "confirmed"
    assert db.session.get(Reservation, fits.id).status == "confirmed"


def test_removing_an_item_from_the_offer_touches_its_bookings(exchange):
    w = exchange
    far = reserve(w, w.extra["press"], at(15, 9))
    only_mill = {"items": [{"equipment_id": w.extra["mill"].id}]}
    problem = refused("bookings_affected", services.update_offer, db.session,
                      w.users["manager"], w.extra["offer"].id, changes=only_mill, now=NOW)
    assert [a["id"] for a in problem.extra["affected_reservations"]] == [far.id]


def test_while_an_edited_offer_waits_for_the_school_no_new_booking_is_made_under_it(exchange):
    w = exchange
    services.update_offer(db.session, w.users["manager"], w.extra["offer"].id,
                          changes={"allowed_uses": "CNC basics only"}, now=NOW)
    refused("not_offered_to_your_school", reserve, w, w.extra["mill"], at(1, 9))


def test_a_no_show_keeps_its_hours_counted_against_the_budget(exchange, make, session):
    """The item stood reserved for a holder who never came: the enterprise gave those hours
    all the same."""
    w = exchange
    w.extra["offer"].weekly_hours_budget = 2
    make.reservation(w.extra["mill"], w.users["student"], at(1, 9), at(1, 10),
                     status="no_show", offer=w.extra["offer"])
    session.commit()
    later = at(1, 10, 15)
    problem = refused("offer_budget_exceeded", reserve, w, w.extra["press"], at(1, 10, 30),
                      hours=1.5, user="instructor", now=later)
    assert problem.extra["counted_hours"] == 1.0
    assert reserve(w, w.extra["press"], at(1, 11), user="instructor",
                   now=later).status == "confirmed"
