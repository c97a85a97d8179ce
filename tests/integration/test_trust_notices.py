"""Notices reach the right people (issue 10, section 3): approvers of a request, when it arrives
and when it is about to lapse; attendees of a class when it is booked or called off; a waiting
user passed over at their quota; the holder and approvers of bookings a revoked qualification
puts at risk."""

from __future__ import annotations

from datetime import time

from service.catalogue.qualifications import register_qualification
from service.db import db
from service.qualifications.services import revoke_qualification
from service.reservations import blackouts, jobs, lifecycle, waitlist
from service.reservations import series as weekly
from service.reservations.models import Reservation, WaitlistEntry
from service.reservations.quotas import put_quota

from .conftest import NOW, at
from .notices import booked_class, kinds, notices, reserve

# ---------------------------------------------------------------- approvers

def test_every_approver_of_the_item_hears_of_a_request_and_nobody_else(booking, make):
    colleague = make.user("instructor", booking.world.school)
    away = make.user("instructor", booking.world.school, is_active=False)
    db.session.commit()
    request = reserve(booking, "student", booking.approval_item, at(1, 10), at(1, 11))
    assert request.status == "pending"
    for approver in (booking.users["instructor"], booking.users["admin"], colleague):
        [told] = notices(approver, "request_received")
        assert told.reservation_id == request.id
        assert booking.users["student"].full_name in told.body
        # The deadline (here the start) with its offset, so it reads right in any zone.
        assert f"by {at(1, 10):%Y-%m-%d} 10:00 (UTC+08:00)" in told.body
    assert notices(away) == []
    assert kinds(booking.users["student"]) == ["pending_approval"]
    # Other schools' staff and enterprise staff decide nothing here.
    for outsider in ("other_instructor", "other_admin", "enterprise_staff"):
        assert notices(booking.users[outsider]) == []


def test_an_approver_who_books_is_not_told_of_their_own_request(booking):
    reserve(booking, "instructor", booking.approval_item, at(1, 10), at(1, 11))
    assert kinds(booking.users["instructor"]) == ["pending_approval"]
    assert kinds(booking.users["admin"]) == ["request_received"]


def test_a_confirmed_booking_asks_nobody(booking):
    reserve(booking, "student", booking.lathe, at(1, 10), at(1, 11))
    assert notices(booking.users["instructor"]) == []
    assert notices(booking.users["admin"]) == []


def test_a_waitlist_offer_taken_up_on_an_item_needing_approval_is_a_request_to_decide(booking):
    taken = reserve(booking, "admin", booking.approval_item, at(1, 10), at(1, 11))
    entry = waitlist.join_waitlist(db.session, booking.users["student"],
                                   equipment_id=booking.approval_item.id, starts_at=at(1, 10),
                                   ends_at=at(1, 11), now=NOW)
    lifecycle.cancel(db.session, booking.users["admin"], taken.id, policy=booking.policy,
                     reason="", now=NOW)
    hold = db.session.get(WaitlistEntry, entry.id).reservation_id
    # A hold is the waiting user's to take up, not yet a request anyone decides.
    assert [n.reservation_id for n in notices(booking.users["instructor"],
                                              "request_received")] == [taken.id]
    lifecycle.confirm_hold(db.session, booking.users["student"], hold, now=NOW)
    assert db.session.get(Reservation, hold).status == "pending"
    assert [n.reservation_id for n in notices(booking.users["instructor"],
                                              "request_received")] == [taken.id, hold]
    assert [n.reservation_id for n in notices(booking.users["admin"], "request_received")] == [
        hold]


def test_approvers_are_told_once_when_a_request_is_about_to_lapse(booking):
    request = reserve(booking, "student", booking.approval_item, at(1, 10), at(1, 11))
    later = reserve(booking, "student", booking.approval_item, at(2, 10), at(2, 11))
    early = at(1, 7, 59)  # 2 h 1 min before the start: not yet
    assert jobs.send_lapsing_notices(db.session, lead_minutes=120, now=early) == 0
    assert notices(booking.users["admin"], "request_lapsing") == []
    soon = at(1, 8, 30)
    assert jobs.send_lapsing_notices(db.session, lead_minutes=120, now=soon) == 1
    assert jobs.send_lapsing_notices(db.session, lead_minutes=120, now=at(1, 9)) == 0
    for approver in (booking.users["instructor"], booking.users["admin"]):
        [told] = notices(approver, "request_lapsing")
        assert told.reservation_id == request.id
        assert f"by {at(1, 10):%Y-%m-%d} 10:00 (UTC+08:00)" in told.body
    assert notices(booking.users["student"], "request_lapsing") == []
    # The other request lapses tomorrow; it is told of in its own time.
    assert jobs.send_lapsing_notices(db.session, lead_minutes=120, now=at(2, 9)) == 1
    assert [n.reservation_id for n in notices(booking.users["admin"], "request_lapsing")] == [
        request.id, later.id]


def test_a_decided_request_is_not_told_as_lapsing(booking):
    request = reserve(booking, "student", booking.approval_item, at(1, 10), at(1, 11))
    lifecycle.approve(db.session, booking.users["admin"], request.id, now=at(1, 7))
    assert jobs.send_lapsing_notices(db.session, lead_minutes=120, now=at(1, 9)) == 0
    assert notices(booking.users["instructor"], "request_lapsing") == []


def test_the_lapsing_job_is_on_the_schedule(app):
    from service.scheduler import jobs as scheduled

    assert "send_lapsing_notices" in scheduled(app.config)


# ---------------------------------------------------------------- attendees of a class


def test_attendees_are_told_a_class_is_booked(booking, make):
    lesson, pupils = booked_class(booking, make)
    for pupil in pupils:
        [told] = notices(pupil)
        assert (told.kind, told.reservation_id) == ("class_booked", lesson.id)
        assert booking.users["instructor"].full_name in told.body
        assert f"{at(1, 10):%Y-%m-%d} 10:00 (UTC+08:00) to 11:00 (UTC+08:00)" in told.body
    assert kinds(booking.users["instructor"]) == ["confirmed"]


def test_attendees_are_told_the_holder_cancelled_the_class_and_the_holder_is_not(booking, make):
    lesson, pupils = booked_class(booking, make)
    lifecycle.cancel(db.session, booking.users["instructor"], lesson.id, reason="ill",
                     policy=booking.policy, now=NOW)
    for pupil in pupils:
        assert kinds(pupil) == ["class_booked", "class_cancelled"]
        assert "Reason: ill" in notices(pupil, "class_cancelled")[0].body
    assert kinds(booking.users["instructor"]) == ["confirmed"]


def test_attendees_are_told_staff_cancelled_the_class_and_the_holder_keeps_their_notice(
        booking, make):
    lesson, pupils = booked_class(booking, make)
    lifecycle.cancel(db.session, booking.users["admin"], lesson.id, reason="exam",
                     policy=booking.policy, now=NOW)
    assert kinds(booking.users["instructor"]) == ["confirmed", "cancelled"]
    for pupil in pupils:
        assert kinds(pupil) == ["class_booked", "class_cancelled"]
    assert notices(booking.users["admin"]) == []


def test_an_attendee_who_cancels_is_not_told_of_their_own_action(booking, make):
    staff = make.user("instructor", booking.world.school)
    db.session.commit()
    lesson = reserve(booking, "instructor", booking.lathe, at(1, 10), at(1, 11),
                     attendees=[staff.id, booking.users["student"].id])
    lifecycle.cancel(db.session, staff, lesson.id, reason="room", policy=booking.policy,
                     now=NOW)
    assert kinds(staff) == ["class_booked"]
    assert kinds(booking.users["student"]) == ["class_booked", "class_cancelled"]


def test_attendees_of_a_rejected_or_lapsed_class_are_told_it_is_off(booking, make):
    room = make.equipment(booking.base, booking.world.category, booking.world.school,
                          requires_approval=True, max_attendees=4)
    rejected, pupils = booked_class(booking, make, item=room)
    assert kinds(pupils[0]) == ["class_booked"]
    assert "awaits the owner's approval" in notices(pupils[0])[0].body
    lifecycle.reject(db.session, booking.users["admin"], rejected.id, reason="no staff",
                     policy=booking.policy, now=NOW)
    assert kinds(pupils[0]) == ["class_booked", "class_cancelled"]
    lapsing = reserve(booking, "instructor", room, at(2, 10), at(2, 11),
                      attendees=[pupils[1].id])
    jobs.expire_holds(db.session, policy=booking.policy, now=at(2, 10))
    assert [(n.kind, n.reservation_id) for n in notices(pupils[1])][-1] == (
        "class_cancelled", lapsing.id)


# ---------------------------------------------------------------- waitlist and quotas

def test_a_waiting_user_at_their_quota_is_told_why_and_the_next_in_line_gets_the_slot(
        booking, make):
    student, next_in_line = booking.users["student"], make.user("student", booking.world.school)
    db.session.commit()
    taken = reserve(booking, "instructor", booking.lathe, at(1, 10), at(1, 11))
    first = waitlist.join_waitlist(db.session, student, equipment_id=booking.lathe.id,
                                   starts_at=at(1, 10), ends_at=at(1, 11), now=NOW)
    second = waitlist.join_waitlist(db.session, next_in_line, equipment_id=booking.lathe.id,
                                    starts_at=at(1, 10), ends_at=at(1, 11), now=NOW)
    reserve(booking, "student", booking.lathe, at(2, 10), at(2, 11))
    put_quota(db.session, organisation_id=booking.world.school.id, role="student",
              weekly_hours=None, active_reservations=1)
    db.session.commit()
    lifecycle.cancel(db.session, booking.users["instructor"], taken.id, reason="ill",
                     policy=booking.policy, now=NOW)
    [told] = notices(student, "waitlist_passed_over")
    assert told.data["quota"] == "active_reservations" and told.data["limit"] == 1
    assert told.data["waitlist_entry_id"] == first.id
    assert "active reservations" in told.body and "At most 1 active reservations" in told.body
    assert f"{at(1, 10):%Y-%m-%d} 10:00 (UTC+08:00) to 11:00 (UTC+08:00)" in told.body
    assert db.session.get(WaitlistEntry, first.id).status == "expired"
    assert db.session.get(WaitlistEntry, second.id).status == "offered"
    assert kinds(next_in_line) == ["waitlist_offer"]


def test_a_user_at_their_quota_keeps_waiting_while_their_span_is_still_taken_in_part(booking):
    student = booking.users["student"]
    first = reserve(booking, "instructor", booking.lathe, at(1, 10), at(1, 11))
    reserve(booking, "admin", booking.lathe, at(1, 11, 30), at(1, 12))
    entry = waitlist.join_waitlist(db.session, student, equipment_id=booking.lathe.id,
                                   starts_at=at(1, 10), ends_at=at(1, 12), now=NOW)
    reserve(booking, "student", booking.lathe, at(2, 10), at(2, 11))
    put_quota(db.session, organisation_id=booking.world.school.id, role="student",
              weekly_hours=None, active_reservations=1)
    db.session.commit()
    lifecycle.cancel(db.session, booking.users["instructor"], first.id, reason="ill",
                     policy=booking.policy, now=NOW)
    assert notices(student, "waitlist_passed_over") == []
    assert db.session.get(WaitlistEntry, entry.id).status == "waiting"


# ---------------------------------------------------------------- revoked qualifications

def test_a_revoked_qualification_tells_holder_and_approvers_which_bookings_are_at_risk(
        booking, make):
    student, instructor = booking.users["student"], booking.users["instructor"]
    qualification = register_qualification(db.session, holder=student,
                                           category_id=booking.world.category.id,
                                           granted_by=instructor)
    db.session.commit()
    held = reserve(booking, "student", booking.qualified_item, at(1, 10), at(1, 11))
    other = reserve(booking, "student", booking.qualified_item, at(3, 14), at(3, 15))
    unaffected = reserve(booking, "student", booking.lathe, at(1, 10), at(1, 11))
    revoke_qualification(db.session, instructor, qualification.id)
    [told] = notices(student, "qualification_revoked")
    listed = [r["reservation_id"] for r in told.data["reservations"]]
    assert listed == [held.id, other.id] and unaffected.id not in listed
    assert f"{at(1, 10):%Y-%m-%d} 10:00 (UTC+08:00) to 11:00 (UTC+08:00)" in told.body
    assert f"{at(3, 14):%Y-%m-%d} 14:00 (UTC+08:00) to 15:00 (UTC+08:00)" in told.body
    assert instructor.full_name in told.body
    # The bookings stay as they were: this is a warning, not a cancellation.
    assert [r["status"] for r in told.data["reservations"]] == ["confirmed", "confirmed"]
    [warned] = notices(booking.users["admin"], "qualification_revoked")
    assert [r["reservation_id"] for r in warned.data["reservations"]] == [held.id, other.id]
    assert student.full_name in warned.body
    # The instructor revoked it: they are not told of their own action.
    assert notices(instructor, "qualification_revoked") == []


def test_a_revocation_lists_classes_the_user_attends(booking, make):
    student, instructor = booking.users["student"], booking.users["instructor"]
    colleague = make.user("instructor", booking.world.school)
    bench = make.equipment(booking.base, booking.world.category, booking.world.school,
                           requires_qualification=True, max_attendees=4)
    db.session.commit()
    qualification = register_qualification(db.session, holder=student,
                                           category_id=booking.world.category.id,
                                           granted_by=instructor)
    db.session.commit()
    lesson = reserve(booking, "admin", bench, at(1, 10), at(1, 11),
                     attendees=[student.id])
    revoke_qualification(db.session, colleague, qualification.id)
    [told] = notices(student, "qualification_revoked")
    assert told.data["reservations"][0]["reservation_id"] == lesson.id
    assert told.data["reservations"][0]["as_attendee"] is True
    assert f"attending {booking.users['admin'].full_name}'s class" in told.body


def test_a_revocation_with_nothing_at_risk_tells_the_holder_only(booking):
    student, instructor = booking.users["student"], booking.users["instructor"]
    qualification = register_qualification(db.session, holder=student,
                                           category_id=booking.world.category.id,
                                           granted_by=instructor)
    db.session.commit()
    revoke_qualification(db.session, instructor, qualification.id)
    [told] = notices(student, "qualification_revoked")
    assert told.data["reservations"] == []
    assert notices(booking.users["admin"]) == []


def test_lapsing_notices_use_the_decision_deadline_when_it_comes_first(booking):
    request = reserve(booking, "student", booking.approval_item, at(1, 10), at(1, 11))
    db.session.get(Reservation, request.id).decide_by = at(1, 6)
    db.session.commit()
    assert jobs.send_lapsing_notices(db.session, lead_minutes=120, now=at(1, 3, 59)) == 0
    assert jobs.send_lapsing_notices(db.session, lead_minutes=120, now=at(1, 4, 30)) == 1
    [told] = notices(booking.users["admin"], "request_lapsing")
    assert f"by {at(1, 6):%Y-%m-%d} 06:00 (UTC+08:00)" in told.body


def test_attendees_hear_of_sessions_of_a_series_and_of_a_blackout_calling_one_off(booking,
                                                                                 make):
    pupil = make.user("student", booking.world.school)
    db.session.commit()
    made, booked, _ = weekly.book_series(
        db.session, booking.users["instructor"], equipment_id=booking.lathe.id,
        weekdays=[2], start_time=time(14), duration_minutes=60, starts_on=at(0, 0).date(),
        count=2, attendees=[pupil.id], policy=booking.policy, now=NOW)
    assert [(n.kind, n.reservation_id) for n in notices(pupil)] == [
        ("class_booked", booked[0].id), ("class_booked", booked[1].id)]
    blackouts.add_blackout(db.session, booking.users["admin"], booking.lathe.id,
                           starts_at=at(1, 13), ends_at=at(1, 16), reason="calibration",
                           cancel_conflicting=True, policy=booking.policy, now=NOW)
    [off] = notices(pupil, "class_cancelled")
    assert off.reservation_id == booked[0].id and "calibration" in off.body
    weekly.cancel_series(db.session, booking.users["instructor"], made.id, scope="all",
                         reservation_id=None, reason="term ends", policy=booking.policy,
                         now=NOW)
    assert [n.reservation_id for n in notices(pupil, "class_cancelled")] == [
        booked[0].id, booked[1].id]


def test_staff_who_attend_a_class_they_call_off_are_not_told_of_their_own_action(booking,
                                                                                  make):
    pupil = make.user("student", booking.world.school)
    db.session.commit()
    admin = booking.users["admin"]
    made, booked, _ = weekly.book_series(
        db.session, booking.users["instructor"], equipment_id=booking.lathe.id,
        weekdays=[2], start_time=time(14), duration_minutes=60, starts_on=at(0, 0).date(),
        count=2, attendees=[pupil.id, admin.id], policy=booking.policy, now=NOW)
    blackouts.add_blackout(db.session, admin, booking.lathe.id, starts_at=at(1, 13),
                           ends_at=at(1, 16), reason="calibration", cancel_conflicting=True,
                           policy=booking.policy, now=NOW)
    weekly.cancel_series(db.session, admin, made.id, scope="all", reservation_id=None,
                         reason="term ends", policy=booking.policy, now=NOW)
    assert [n.reservation_id for n in notices(pupil, "class_cancelled")] == [
        booked[0].id, booked[1].id]
    assert notices(admin, "class_cancelled") == []
