"""The reservation lifecycle, waitlist, blackouts, series and scheduled jobs, on a fixed clock."""

from __future__ import annotations

from datetime import UTC, time, timedelta

import pytest
from sqlalchemy import func, select

from service.db import db
from service.errors import DomainError
from service.notifications.models import Notification
from service.notifications.services import Mailer, deliver_notifications
from service.reservations import blackouts, jobs, lifecycle, waitlist
from service.reservations import booking as booking_cases
from service.reservations import series as weekly
from service.reservations.models import Reservation, WaitlistEntry

from .conftest import NOW, at


def book(booking, who="student", item=None, start=None, end=None, **extra):
    return booking_cases.reserve(
        db.session, booking.users[who], equipment_id=(item or booking.lathe).id,
        starts_at=start or at(1, 10), ends_at=end or at(1, 11), now=NOW, **extra)


def fails(code, call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(db.session, *args, **kwargs)
    assert caught.value.code == code, caught.value.detail
    return caught.value


def kinds(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == user.id).order_by(Notification.id)))


# ---------------------------------------------------------------- check-in and out

def test_check_in_opens_15_minutes_before_and_closes_after_the_grace(booking):
    reservation = book(booking)
    student, policy = booking.users["student"], booking.policy
    fails("outside_check_in_window", lifecycle.check_in, student, reservation.id,
          policy=policy, now=at(1, 9, 44))
    fails("outside_check_in_window", lifecycle.check_in, student, reservation.id,
          policy=policy, now=at(1, 10, 16))
    checked = lifecycle.check_in(db.session, student, reservation.id, policy=policy,
                                 now=at(1, 9, 45))
    assert checked.status == "checked_in"
    fails("invalid_transition", lifecycle.check_in, student, reservation.id, policy=policy,
          now=at(1, 9, 50))


def test_check_out_records_the_real_end_and_frees_the_rest(booking):
    reservation = book(booking)
    student, policy = booking.users["student"], booking.policy
    lifecycle.check_in(db.session, student, reservation.id, policy=policy, now=at(1, 10))
    done = lifecycle.check_out(db.session, student, reservation.id, policy=policy,
                               now=at(1, 10, 10))
    assert done.status == "completed" and done.checked_out_at == at(1, 10, 10)
    assert done.blocked_until == at(1, 10, 25), "the setup buffer follows the real end"
    later = booking_cases.reserve(db.session, booking.users["instructor"],
                                  equipment_id=booking.lathe.id, starts_at=at(1, 10, 30),
                             ends_at=at(1, 11), now=at(1, 10, 11))
    assert later.status == "confirmed"


def test_the_setup_buffer_still_follows_an_early_check_out(booking):
    reservation = book(booking)
    student, policy = booking.users["student"], booking.policy
    lifecycle.check_in(db.session, student, reservation.id, policy=policy, now=at(1, 10))
    lifecycle.check_out(db.session, student, reservation.id, policy=policy, now=at(1, 10, 20))
    fails("reservation_conflict", booking_cases.reserve, booking.users["instructor"],
          equipment_id=booking.lathe.id, starts_at=at(1, 10, 30), ends_at=at(1, 11),
          now=at(1, 10, 21))


def test_other_students_cannot_touch_a_reservation(booking, make):
    reservation = book(booking)
    other = make.user("student", booking.world.school)
    fails("not_found", lifecycle.check_in, other, reservation.id, policy=booking.policy,
          now=at(1, 10))
    fails("not_found", lifecycle.cancel, other, reservation.id, reason=None,
          policy=booking.policy, now=NOW)


# ---------------------------------------------------------------- cancel, approve, reject

def test_holder_cancels_before_the_start_but_not_after(booking):
    reservation = book(booking)
    fails("invalid_transition", lifecycle.cancel, booking.users["student"], reservation.id,
          reason=None, policy=booking.policy, now=at(1, 10, 5))
    cancelled = lifecycle.cancel(db.session, booking.users["student"], reservation.id,
                                 reason=None, policy=booking.policy, now=at(1, 9))
    assert cancelled.status == "cancelled"


def test_staff_cancel_at_any_time_but_must_say_why(booking):
    reservation = book(booking)
    instructor = booking.users["instructor"]
    lifecycle.check_in(db.session, booking.users["student"], reservation.id,
                       policy=booking.policy, now=at(1, 10))
    fails("reason_required", lifecycle.cancel, instructor, reservation.id, reason=" ",
          policy=booking.policy, now=at(1, 10, 30))
    cancelled = lifecycle.cancel(db.session, instructor, reservation.id, reason="machine fault",
                                 policy=booking.policy, now=at(1, 10, 30))
    assert cancelled.status == "cancelled"
    assert kinds(booking.users["student"])[-1] == "cancelled"


def test_owner_staff_approve_and_reject_pending_reservations(booking):
    first = book(booking, item=booking.approval_item)
    fails("forbidden", lifecycle.approve, booking.users["student"], first.id)
    approved = lifecycle.approve(db.session, booking.users["instructor"], first.id)
    assert approved.status == "confirmed"
    fails("invalid_transition", lifecycle.approve, booking.users["instructor"], first.id)
    second = book(booking, item=booking.approval_item, start=at(2, 10), end=at(2, 11))
    fails("reason_required", lifecycle.reject, booking.users["admin"], second.id, reason=None,
          policy=booking.policy)
    rejected = lifecycle.reject(db.session, booking.users["admin"], second.id,
                                reason="exam week", policy=booking.policy)
    assert rejected.status == "rejected"
    assert kinds(booking.users["student"]) == ["pending_approval", "approved",
                                               "pending_approval", "rejected"]


def test_enterprise_equipment_is_approved_by_the_enterprise(booking, make, session):
    world = booking.world
    item = make.equipment(make.open_base(world.enterprise, kind="enterprise"), world.category,
                          world.enterprise, requires_approval=True)
    make.offer(world.enterprise, world.school, [item], created_by=world.users["enterprise_staff"])
    session.commit()
    reservation = book(booking, item=item)
    fails("forbidden", lifecycle.approve, booking.users["instructor"], reservation.id)
    fails("not_found", lifecycle.approve, booking.users["other_staff"], reservation.id)
    assert lifecycle.approve(db.session, booking.users["enterprise_staff"],
                             reservation.id).status == "confirmed"


# ---------------------------------------------------------------- scheduled jobs

def test_no_show_frees_the_slot_after_the_grace_period(booking):
    reservation = book(booking)
    policy = booking.policy
    assert jobs.mark_no_shows(db.session, policy=policy, now=at(1, 10, 15)) == 0
    assert jobs.mark_no_shows(db.session, policy=policy, now=at(1, 10, 16)) == 1
    assert db.session.get(Reservation, reservation.id).status == "no_show"
    assert jobs.mark_no_shows(db.session, policy=policy, now=at(1, 10, 17)) == 0
    assert "no_show" in kinds(booking.users["student"])
    rest = booking_cases.reserve(db.session, booking.users["instructor"],
                                 equipment_id=booking.lathe.id, starts_at=at(1, 10, 30),
                            ends_at=at(1, 11), now=at(1, 10, 17))
    assert rest.status == "confirmed"


def test_checked_in_and_never_checked_out_completes_at_its_end(booking):
    reservation = book(booking)
    lifecycle.check_in(db.session, booking.users["student"], reservation.id,
                       policy=booking.policy, now=at(1, 10))
    assert jobs.complete_overdue(db.session, now=at(1, 10, 59)) == 0
    assert jobs.complete_overdue(db.session, now=at(1, 11)) == 1
    done = db.session.get(Reservation, reservation.id)
    assert done.status == "completed" and done.checked_out_at == at(1, 11)


def test_reminders_go_out_once(booking):
    book(booking)
    policy = booking.policy
    assert jobs.send_reminders(db.session, policy=policy, now=at(1, 8, 59)) == 0
    assert jobs.send_reminders(db.session, policy=policy, now=at(1, 9, 30)) == 1
    assert jobs.send_reminders(db.session, policy=policy, now=at(1, 9, 45)) == 0
    assert kinds(booking.users["student"]).count("reminder") == 1


def test_notifications_are_delivered_once(booking):
    book(booking)
    sent = []

    class Recorder(Mailer):
        def send(self, to, subject, body):
            sent.append((to, subject))

    assert deliver_notifications(db.session, mailer=Recorder()) == 1
    assert deliver_notifications(db.session, mailer=Recorder()) == 0
    assert sent == [(booking.users["student"].email, "Reservation confirmed: Lathe")]
    assert db.session.scalar(select(Notification.delivery)) == "sent"


def test_a_failed_delivery_is_not_retried_into_a_duplicate(booking):
    book(booking)

    class Broken(Mailer):
        def send(self, to, subject, body):
            raise OSError("smtp down")

    assert deliver_notifications(db.session, mailer=Broken()) == 0
    assert db.session.scalar(select(Notification.delivery)) == "failed"


# ---------------------------------------------------------------- waitlist

def join(booking, who, start=None, end=None):
    return waitlist.join_waitlist(db.session, booking.users[who],
                                  equipment_id=booking.lathe.id, starts_at=start or at(1, 10),
                                  ends_at=end or at(1, 11), now=NOW)


def test_waitlist_is_only_for_taken_slots(booking):
    fails("slot_available", waitlist.join_waitlist, booking.users["student"],
          equipment_id=booking.lathe.id, starts_at=at(1, 10), ends_at=at(1, 11), now=NOW)


def test_a_cancellation_offers_the_slot_to_the_first_in_line_as_an_expiring_hold(booking, make):
    taken = book(booking, who="instructor")
    second = make.user("student", booking.world.school)
    booking.users["second"] = second
    first_entry = join(booking, "student")
    second_entry = join(booking, "second")
    lifecycle.cancel(db.session, booking.users["instructor"], taken.id, reason="moved",
                     policy=booking.policy, now=NOW)
    assert first_entry.status == "offered"
    hold = db.session.get(Reservation, first_entry.reservation_id)
    assert hold.status == "pending" and hold.holder_id == booking.users["student"].id
    assert hold.hold_expires_at == NOW + timedelta(minutes=booking.policy.hold_minutes)
    assert second_entry.status == "waiting"
    assert "waitlist_offer" in kinds(booking.users["student"])

    # Not confirmed in time: the hold lapses and the next in line gets the offer.
    lapse = NOW + timedelta(minutes=31)
    assert jobs.expire_holds(db.session, policy=booking.policy, now=lapse) == 1
    assert first_entry.status == "expired"
    assert second_entry.status == "offered"
    fails("invalid_transition", lifecycle.confirm_hold, booking.users["student"], hold.id,
          now=lapse)
    confirmed = lifecycle.confirm_hold(db.session, second, second_entry.reservation_id,
                                       now=lapse + timedelta(minutes=1))
    assert confirmed.status == "confirmed" and second_entry.status == "fulfilled"


def test_an_expired_hold_cannot_be_confirmed(booking):
    taken = book(booking, who="instructor")
    entry = join(booking, "student")
    lifecycle.cancel(db.session, booking.users["instructor"], taken.id, reason="moved",
                     policy=booking.policy, now=NOW)
    fails("hold_expired", lifecycle.confirm_hold, booking.users["student"],
          entry.reservation_id, now=NOW + timedelta(minutes=31))


# ---------------------------------------------------------------- blackouts

def test_a_blackout_over_reservations_lists_them_or_cancels_them(booking):
    taken = book(booking)
    admin = booking.users["admin"]
    error = fails("blackout_conflict", blackouts.add_blackout, admin, booking.lathe.id,
                  starts_at=at(1, 8), ends_at=at(1, 12), reason="calibration",
                  policy=booking.policy, now=NOW)
    assert [r["reservation_id"] for r in error.extra["conflicting_reservations"]] == [taken.id]
    blackouts.add_blackout(db.session, admin, booking.lathe.id, starts_at=at(1, 8),
                           ends_at=at(1, 12), reason="calibration", cancel_conflicting=True,
                          policy=booking.policy, now=NOW)
    assert db.session.get(Reservation, taken.id).status == "cancelled"
    assert kinds(booking.users["student"])[-1] == "cancelled"


def test_lifting_a_blackout_offers_waiting_users(booking):
    admin, student = booking.users["admin"], booking.users["student"]
    taken = book(booking, who="instructor")                      # 10:00-11:00
    entry = join(booking, "student")                             # waits for 10:00-11:00
    blackout = blackouts.add_blackout(db.session, admin, booking.lathe.id, starts_at=at(1, 8),
                                      ends_at=at(1, 12), reason="calibration",
                                     cancel_conflicting=True, policy=booking.policy, now=NOW)
    assert db.session.get(Reservation, taken.id).status == "cancelled"
    assert entry.status == "waiting", "a blacked-out span is not offered"

    blackouts.remove_blackout(db.session, admin, booking.lathe.id, blackout.id,
                              policy=booking.policy, now=NOW)
    db.session.refresh(entry)
    assert entry.status == "offered"
    hold = db.session.get(Reservation, entry.reservation_id)
    assert (hold.status, hold.holder_id) == ("pending", student.id)
    assert (hold.starts_at, hold.ends_at) == (at(1, 10), at(1, 11))
    assert hold.hold_expires_at == NOW + timedelta(minutes=booking.policy.hold_minutes)
    assert kinds(student) == ["waitlist_offer"]


def test_lifting_a_blackout_leaves_wishes_outside_it_waiting(booking):
    admin = booking.users["admin"]
    blackout = blackouts.add_blackout(db.session, admin, booking.lathe.id, starts_at=at(1, 8),
                                      ends_at=at(1, 12), reason="calibration",
                                     policy=booking.policy, now=NOW)
    book(booking, who="instructor", start=at(1, 12, 30), end=at(1, 13))
    entry = join(booking, "student", start=at(1, 12, 30), end=at(1, 13))
    blackouts.remove_blackout(db.session, admin, booking.lathe.id, blackout.id,
                              policy=booking.policy, now=NOW)
    db.session.refresh(entry)
    assert entry.status == "waiting" and entry.reservation_id is None
    assert kinds(booking.users["student"]) == []


def test_students_cannot_place_blackouts(booking):
    fails("role_not_allowed", blackouts.add_blackout, booking.users["student"],
          booking.lathe.id, starts_at=at(1, 8), ends_at=at(1, 9), reason="x",
          policy=booking.policy, now=NOW)


# ---------------------------------------------------------------- series

def series(booking, **extra):
    return weekly.book_series(db.session, booking.users["instructor"],
                              equipment_id=booking.lathe.id, weekdays=[2, 4],
                              start_time=time(14), duration_minutes=90,
                              starts_on=at(0, 0).date(), count=4, policy=booking.policy,
                              now=NOW, **extra)


def count_reservations() -> int:
    return db.session.scalar(select(func.count()).select_from(Reservation))


def test_a_series_books_every_date_or_nothing(booking):
    book(booking, start=at(3, 14), end=at(3, 15))  # Thursday 2027-01-07 14:00 is taken
    before = count_reservations()
    error = fails("series_conflict", weekly.book_series, booking.users["instructor"],
                  equipment_id=booking.lathe.id, weekdays=[2, 4],
                  start_time=time(14), duration_minutes=90,
                  starts_on=at(0, 0).date(), count=4, policy=booking.policy, now=NOW)
    assert [s["date"] for s in error.extra["skipped"]] == ["2027-01-07"]
    assert error.extra["skipped"][0]["code"] == "reservation_conflict"
    assert count_reservations() == before


def test_a_series_can_skip_conflicts_and_report_them(booking):
    book(booking, start=at(3, 14), end=at(3, 15))
    made, booked, skipped = series(booking, skip_conflicts=True)
    assert [s["date"] for s in skipped] == ["2027-01-07"]
    assert [r.starts_at for r in booked] == [at(1, 14), at(8, 14), at(10, 14)]
    assert all(r.series_id == made.id for r in booked)


def test_cancel_this_and_following_sessions(booking):
    made, booked, _ = series(booking)
    cancelled = weekly.cancel_series(db.session, booking.users["instructor"], made.id,
                                     scope="following", reservation_id=booked[2].id,
                                     reason="term ends", policy=booking.policy, now=NOW)
    assert [r.id for r in cancelled] == [booked[2].id, booked[3].id]
    assert [db.session.get(Reservation, r.id).status for r in booked] == [
        "confirmed", "confirmed", "cancelled", "cancelled"]
    one = weekly.cancel_series(db.session, booking.users["instructor"], made.id,
                               scope="one", reservation_id=booked[0].id, reason="holiday",
                               policy=booking.policy, now=NOW)
    assert [r.id for r in one] == [booked[0].id]


def test_a_series_is_cancelled_by_whoever_may_cancel_each_of_its_sessions(booking, make):
    """The rule of one session, for the whole series: a colleague of the booker's school may
    (found by our review: a colleague could cancel each session but not the series); a
    student who holds none of it does not even see it."""
    made, booked, _ = series(booking)
    colleague = make.user("instructor", booking.world.school)
    fails("not_found", weekly.cancel_series, booking.users["student"], made.id, scope="all",
          reservation_id=None, reason="not mine", policy=booking.policy, now=NOW)
    cancelled = weekly.cancel_series(db.session, colleague, made.id, scope="all",
                                     reservation_id=None, reason="teacher ill",
                                     policy=booking.policy, now=NOW)
    assert [r.id for r in cancelled] == [r.id for r in booked]


def test_students_do_not_book_series(booking):
    fails("role_not_allowed", weekly.book_series, booking.users["student"],
          equipment_id=booking.lathe.id, weekdays=[2], start_time=time(14),
          duration_minutes=60, starts_on=at(0, 0).date(), count=2, policy=booking.policy,
          now=NOW)


def test_waitlist_entries_are_visible_to_their_owner(booking):
    book(booking, who="instructor")
    entry = join(booking, "student")
    assert db.session.get(WaitlistEntry, entry.id).user_id == booking.users["student"].id
    left = waitlist.leave_waitlist(db.session, booking.users["student"], entry.id,
                                   policy=booking.policy, now=NOW)
    assert left.status == "cancelled"


# ---------------------------------------------------------------- found in review

def _two_in_line_and_the_slot_freed(booking, make):
    """Two students wait for the instructor's slot, which is then cancelled: the first in
    line holds an offer."""
    taken = book(booking, who="instructor")
    booking.users["second"] = make.user("student", booking.world.school)
    first_entry, second_entry = join(booking, "student"), join(booking, "second")
    lifecycle.cancel(db.session, booking.users["instructor"], taken.id, reason="moved",
                     policy=booking.policy, now=NOW)
    return first_entry, second_entry


def test_leaving_the_line_with_an_offer_passes_it_to_the_next(booking, make):
    first_entry, second_entry = _two_in_line_and_the_slot_freed(booking, make)
    hold_id = first_entry.reservation_id
    waitlist.leave_waitlist(db.session, booking.users["student"], first_entry.id,
                            policy=booking.policy, now=NOW)
    assert db.session.get(Reservation, hold_id).status == "cancelled"
    assert first_entry.status == "cancelled" and second_entry.status == "offered"


def test_a_hold_cancelled_by_its_holder_closes_their_waitlist_entry(booking, make):
    first_entry, second_entry = _two_in_line_and_the_slot_freed(booking, make)
    hold_id = first_entry.reservation_id
    lifecycle.cancel(db.session, booking.users["student"], hold_id, reason=None,
                     policy=booking.policy, now=NOW)
    db.session.refresh(first_entry)
    db.session.refresh(second_entry)
    assert db.session.get(Reservation, hold_id).status == "cancelled"
    assert (first_entry.status, first_entry.reservation_id) == ("cancelled", hold_id)
    assert second_entry.status == "offered" and second_entry.reservation_id != hold_id
    assert kinds(booking.users["student"]) == ["waitlist_offer"], "not offered again"
    # Nothing is left pointing at the cancelled hold as a live offer.
    assert db.session.scalars(select(WaitlistEntry.id).where(
        WaitlistEntry.reservation_id == hold_id, WaitlistEntry.status == "offered")).all() == []


def test_admins_of_other_schools_cannot_touch_a_waitlist_entry(booking, make):
    book(booking, who="instructor")
    entry = join(booking, "student")
    stranger = make.user("admin", make.organisation("school"))
    fails("not_found", waitlist.leave_waitlist, stranger, entry.id, policy=booking.policy,
          now=NOW)


def test_a_wish_ending_inside_the_buffer_of_a_freed_booking_is_offered(booking):
    taken = book(booking, who="instructor")                      # 10:00-11:00, +15 min
    entry = join(booking, "student", start=at(1, 9), end=at(1, 10))  # blocked by the buffer
    lifecycle.cancel(db.session, booking.users["instructor"], taken.id, reason="moved",
                     policy=booking.policy, now=NOW)
    assert entry.status == "offered"


def test_nobody_approves_their_own_booking_or_one_that_started(booking):
    own = book(booking, who="instructor", item=booking.approval_item)
    fails("own_reservation", lifecycle.approve, booking.users["instructor"], own.id)
    late = book(booking, item=booking.approval_item, start=at(2, 10), end=at(2, 11))
    fails("invalid_transition", lifecycle.approve, booking.users["instructor"], late.id,
          now=at(2, 10))


def test_a_revoked_qualification_stops_check_in(booking, session):
    from service.catalogue.qualifications import register_qualification
    from service.qualifications.services import revoke_qualification

    qualification = register_qualification(
        session, holder=booking.users["student"],
        category_id=booking.qualified_item.category_id, granted_by=booking.users["instructor"])
    session.commit()
    reservation = book(booking, item=booking.qualified_item)
    revoke_qualification(db.session, booking.users["instructor"], qualification.id)
    fails("qualification_required", lifecycle.check_in, booking.users["student"],
          reservation.id, policy=booking.policy, now=at(1, 10))


def test_a_stale_if_match_on_an_action_is_412(booking):
    reservation = book(booking)
    fails("stale_etag", lifecycle.cancel, booking.users["student"], reservation.id,
          reason=None, policy=booking.policy, now=NOW, expected_versions=[99])


def test_only_the_owner_places_blackouts(booking, make):
    # Another school's admin does not even see the lathe: for them it does not exist.
    stranger = make.user("admin", make.organisation("school"))
    fails("not_found", blackouts.add_blackout, stranger, booking.lathe.id,
          starts_at=at(1, 8), ends_at=at(1, 9), reason="x", policy=booking.policy, now=NOW)


def test_one_undeliverable_notice_does_not_strand_the_others(booking, make):
    book(booking)
    book(booking, who="instructor", start=at(2, 10), end=at(2, 11))

    class Picky(Mailer):
        def send(self, to, subject, body):
            if to == booking.users["student"].email:
                raise ValueError("bad header")

    assert deliver_notifications(db.session, mailer=Picky()) == 1
    assert sorted(db.session.scalars(select(Notification.delivery))) == ["failed", "sent"]


def test_a_session_checked_in_early_is_checked_out_from_its_start_on(booking, make):
    """Not a constraint error: a clear refusal until the slot has begun, then as usual."""
    item = make.equipment(booking.lathe.base, booking.world.category, booking.world.school,
                          setup_buffer_minutes=0)
    reservation = book(booking, item=item)
    student, policy = booking.users["student"], booking.policy
    lifecycle.check_in(db.session, student, reservation.id, policy=policy, now=at(1, 9, 50))
    refused = fails("check_out_before_start", lifecycle.check_out, student, reservation.id,
                    policy=policy, now=at(1, 9, 55))
    assert refused.extra["starts_at"] == at(1, 10).astimezone(UTC).isoformat()
    done = lifecycle.check_out(db.session, student, reservation.id, policy=policy,
                               now=at(1, 10, 5))
    assert done.status == "completed" and done.blocked_until == at(1, 10, 5)
