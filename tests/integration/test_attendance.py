"""Attendees of a class checked in one by one: who, when, once, and never after the class."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from service.db import db
from service.errors import DomainError
from service.practice.queries import practice_hours
from service.reservations import attendance, lifecycle
from service.reservations import booking as booking_cases
from service.reservations.models import Reservation, ReservationEvent, attendance_of

from .conftest import NOW, at


def fails(code, call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.detail
    db.session.rollback()
    return caught.value


@pytest.fixture
def school_class(booking, make):
    """An instructor's class on the lathe tomorrow 10:00-11:00, with two students attending."""
    second = make.user("student", booking.world.school)
    booked = booking_cases.reserve(
        db.session, booking.users["instructor"], equipment_id=booking.lathe.id,
        starts_at=at(1, 10), ends_at=at(1, 11), now=NOW,
        attendees=[booking.users["student"].id, second.id])
    return db.session.get(Reservation, booked.id), booking.users["student"], second


def check_in(booking, actor, reservation, user, when, **extra):
    return attendance.check_in_attendee(db.session, actor, reservation.id, user.id,
                                        policy=booking.policy, now=when, **extra)


def start_class(booking, reservation, when=None):
    return lifecycle.check_in(db.session, booking.users["instructor"], reservation.id,
                              policy=booking.policy, now=when or at(1, 10))


def attendance_by_id(reservation) -> dict:
    return {a["user_id"]: a for a in attendance_of(reservation)}


def test_the_holder_checks_each_attendee_in_and_the_answer_says_when(booking, school_class):
    reservation, student, second = school_class
    start_class(booking, reservation)
    version = reservation.version
    answered = check_in(booking, booking.users["instructor"], reservation, student, at(1, 10, 5))
    assert answered.version == version + 1
    assert attendance_by_id(answered) == {
        student.id: {"user_id": student.id, "name": student.full_name,
                     "checked_in_at": at(1, 10, 5)},
        second.id: {"user_id": second.id, "name": second.full_name, "checked_in_at": None}}
    assert answered.status == "checked_in" and answered.attendee_ids == [
        *sorted([student.id, second.id])]
    # Events are status changes: checking an attendee in writes none.
    assert db.session.scalar(select(func.count()).select_from(ReservationEvent).where(
        ReservationEvent.reservation_id == reservation.id)) == 2


def test_checking_in_twice_keeps_the_first_instant(booking, school_class):
    reservation, student, _ = school_class
    start_class(booking, reservation)
    first = check_in(booking, student, reservation, student, at(1, 10, 5))
    version = first.version
    again = check_in(booking, booking.users["instructor"], reservation, student, at(1, 10, 40))
    assert attendance_by_id(again)[student.id]["checked_in_at"] == at(1, 10, 5)
    assert again.version == version
    # Even once the class is over, a retry answers the same.
    lifecycle.check_out(db.session, booking.users["instructor"], reservation.id,
                        policy=booking.policy, now=at(1, 10, 50))
    late = check_in(booking, student, reservation, student, at(1, 10, 55))
    assert attendance_by_id(late)[student.id]["checked_in_at"] == at(1, 10, 5)


def test_an_attendee_checks_themselves_in_but_not_someone_else(booking, school_class):
    reservation, student, second = school_class
    start_class(booking, reservation)
    fails("forbidden", check_in, booking, student, reservation, second, at(1, 10, 5))
    assert attendance_by_id(check_in(booking, second, reservation, second, at(1, 10, 6)))[
        second.id]["checked_in_at"] == at(1, 10, 6)


def test_staff_of_the_school_check_in_and_other_schools_see_nothing(booking, school_class,
                                                                   make):
    reservation, student, _ = school_class
    start_class(booking, reservation)
    other_instructor = booking.users["other_instructor"]
    fails("not_found", check_in, booking, other_instructor, reservation, student, at(1, 10, 5))
    fails("not_found", check_in, booking, booking.users["other_student"], reservation, student,
          at(1, 10, 5))
    answered = check_in(booking, booking.users["admin"], reservation, student, at(1, 10, 5))
    assert attendance_by_id(answered)[student.id]["checked_in_at"] == at(1, 10, 5)


def test_only_an_attendee_is_checked_in(booking, school_class, make):
    reservation, _, _ = school_class
    start_class(booking, reservation)
    outsider = make.user("student", booking.world.school)
    error = fails("not_an_attendee", check_in, booking, booking.users["instructor"],
                  reservation, outsider, at(1, 10, 5))
    assert error.status == 404 and error.errors == {
        "user_id": ["Not an attendee of this reservation."]}
    # The holder is not an attendee of their own class (their check-in is the class's).
    fails("not_an_attendee", check_in, booking, booking.users["instructor"], reservation,
          booking.users["instructor"], at(1, 10, 5))


def test_a_confirmed_class_takes_attendees_inside_its_check_in_window(booking, school_class):
    reservation, student, second = school_class
    error = fails("outside_check_in_window", check_in, booking, student, reservation, student,
                  at(1, 9, 44))
    assert error.status == 409 and datetime.fromisoformat(error.extra["opens_at"]) == at(1, 9, 45)
    early = check_in(booking, student, reservation, student, at(1, 9, 50))
    # The class itself is not checked in by its attendees.
    assert early.status == "confirmed" and early.checked_in_at is None
    assert attendance_by_id(early)[student.id]["checked_in_at"] == at(1, 9, 50)
    fails("outside_check_in_window", check_in, booking, second, reservation, second,
          at(1, 10, 16))
    # Once the class is checked in, late comers are taken until its end.
    start_class(booking, reservation, at(1, 10, 15))
    late = check_in(booking, second, reservation, second, at(1, 10, 30))
    assert attendance_by_id(late)[second.id]["checked_in_at"] == at(1, 10, 30)


def test_never_after_check_out_or_the_end(booking, school_class):
    reservation, student, second = school_class
    start_class(booking, reservation)
    fails("attendance_closed", check_in, booking, student, reservation, student, at(1, 11))
    lifecycle.check_out(db.session, booking.users["instructor"], reservation.id,
                        policy=booking.policy, now=at(1, 10, 30))
    error = fails("attendance_closed", check_in, booking, second, reservation, second,
                  at(1, 10, 31))
    assert error.status == 409


def test_a_cancelled_class_takes_nobody(booking, school_class):
    reservation, student, _ = school_class
    lifecycle.cancel(db.session, booking.users["instructor"], reservation.id, reason=None,
                     policy=booking.policy, now=NOW)
    fails("invalid_transition", check_in, booking, student, reservation, student, at(1, 10))


def test_a_stale_if_match_is_412(booking, school_class):
    reservation, student, _ = school_class
    start_class(booking, reservation)
    fails("stale_etag", check_in, booking, student, reservation, student, at(1, 10, 5),
          expected_versions=[reservation.version - 1])


def test_checked_in_attendees_practise_until_the_check_out(booking, school_class):
    reservation, student, second = school_class
    check_in(booking, student, reservation, student, at(1, 9, 50))  # before the class
    start_class(booking, reservation, at(1, 10))
    check_in(booking, second, reservation, second, at(1, 10, 30))
    lifecycle.check_out(db.session, booking.users["instructor"], reservation.id,
                        policy=booking.policy, now=at(1, 10, 45))
    day = at(1, 10).date()
    rows = practice_hours(db.session, booking.users["instructor"], from_=day,
                          to=day + timedelta(days=1), granularity="day", max_days=31)
    hours = {row["student_id"]: (row["hours"], row["sessions"]) for row in rows["rows"]}
    assert hours == {student.id: (0.75, 1), second.id: (0.25, 1)}
