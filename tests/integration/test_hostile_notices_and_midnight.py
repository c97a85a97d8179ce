"""Hostile review of issue 10's notices and midnight hours, through the use cases: a disabled
account hears nothing more, a re-run job tells nobody twice, a booking cannot run past 24:00
into a closed day."""

from __future__ import annotations

from datetime import time

from service.accounts.services import disable_user
from service.calendar.wallclock import END_OF_DAY
from service.catalogue.qualifications import register_qualification
from service.db import db
from service.qualifications.services import revoke_qualification
from service.reservations import booking as booking_cases
from service.reservations import jobs, lifecycle

from .conftest import NOW, at, refused
from .notices import booked_class, kinds, notices, reserve


def test_a_disabled_attendee_is_not_told_the_class_was_cancelled(booking, make):
    lesson, (gone, staying) = booked_class(booking, make)
    disable_user(db.session, booking.users["admin"], gone.id)
    lifecycle.cancel(db.session, booking.users["instructor"], lesson.id, reason="ill",
                     policy=booking.policy, now=NOW)
    assert kinds(staying) == ["class_booked", "class_cancelled"]
    assert kinds(gone) == ["class_booked"]


def test_a_disabled_holder_is_not_told_of_a_revoked_qualification_but_approvers_are(
        booking):
    student, instructor = booking.users["student"], booking.users["instructor"]
    qualification = register_qualification(db.session, holder=student,
                                           category_id=booking.world.category.id,
                                           granted_by=instructor)
    db.session.commit()
    held = reserve(booking, "student", booking.qualified_item, at(1, 10), at(1, 11))
    disable_user(db.session, booking.users["admin"], student.id)
    revoke_qualification(db.session, instructor, qualification.id)
    assert notices(student, "qualification_revoked") == []
    [warned] = notices(booking.users["admin"], "qualification_revoked")
    assert [r["reservation_id"] for r in warned.data["reservations"]] == [held.id]


def test_the_lapsing_job_run_again_and_again_tells_each_approver_once(booking):
    request = reserve(booking, "student", booking.approval_item, at(1, 10), at(1, 11))
    # Ten hours ahead it is not yet lapsing; from 08:00 on it is, however often the job runs.
    told = [jobs.send_lapsing_notices(db.session, now=at(1, hour, minute))
            for hour, minute in ((0, 0), (9, 0), (9, 10), (9, 59))]
    assert told == [0, 1, 0, 0]
    for approver in ("admin", "instructor"):
        [lapsing] = notices(booking.users[approver], "request_lapsing")
        assert lapsing.reservation_id == request.id
    assert notices(booking.users["student"], "request_lapsing") == []


def test_a_disabled_approver_is_not_told_a_request_is_lapsing(booking):
    reserve(booking, "student", booking.approval_item, at(1, 10), at(1, 11))
    disable_user(db.session, booking.users["admin"], booking.users["instructor"].id)
    assert jobs.send_lapsing_notices(db.session, now=at(1, 9)) == 1
    assert notices(booking.users["instructor"], "request_lapsing") == []
    assert len(notices(booking.users["admin"], "request_lapsing")) == 1


def test_a_booking_past_24_00_into_a_closed_day_is_refused_and_up_to_it_is_taken(
        make, world, session):
    # Open Tuesdays round the clock only (NOW is Monday 2027-01-04, Shanghai).
    base = make.base(world.school, opening_hours=[
        {"weekday": 2, "opens": time(0), "closes": END_OF_DAY}])
    item = make.equipment(base, world.category, world.school, slot_minutes=30,
                          min_duration_minutes=30, max_duration_minutes=240,
                          setup_buffer_minutes=0, booking_horizon_days=30)
    session.commit()
    student = world.users["student"]

    def book(start, end):
        return booking_cases.reserve(db.session, student, equipment_id=item.id,
                                     starts_at=start, ends_at=end, now=NOW)

    refused("outside_opening_hours", book, at(1, 23, 30), at(2, 0, 30))
    refused("outside_opening_hours", book, at(0, 23, 30), at(1, 0, 30))
    assert book(at(1, 23, 0), at(2, 0, 0)).status == "confirmed"
    assert book(at(1, 0, 0), at(1, 1, 0)).status == "confirmed"
