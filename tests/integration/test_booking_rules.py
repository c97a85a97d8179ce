"""Every booking rule refuses with its own code; PostgreSQL has the last word on overlaps."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from service.catalogue.models import Closure
from service.db import db
from service.errors import DomainError
from service.reservations import booking as booking_cases
from service.reservations import lifecycle, queries
from service.reservations.models import Blackout
from service.reservations.quotas import put_quota

from .conftest import NOW, at


def reserve(booking, who="student", item=None, start=None, end=None, **extra):
    """Book as `who` through the use case, by default the lathe tomorrow 10:00-11:00."""
    return booking_cases.reserve(
        db.session, booking.users[who], equipment_id=(item or booking.lathe).id,
        starts_at=start or at(1, 10), ends_at=end or at(1, 11), now=NOW, **extra)


def refused(booking, code, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        reserve(booking, **kwargs)
    assert caught.value.code == code, caught.value.detail
    return caught.value


def test_a_free_slot_is_confirmed_with_its_buffer(booking):
    reservation = reserve(booking)
    assert reservation.status == "confirmed"
    assert reservation.blocked_until == at(1, 11, 15)


def test_an_item_needing_approval_starts_pending(booking):
    assert reserve(booking, item=booking.approval_item).status == "pending"


@pytest.mark.parametrize("start, end, code", [
    (at(1, 11), at(1, 10), "invalid_span"),
    (at(1, 10, 10), at(1, 11), "not_on_slot_grid"),
    (at(1, 10), at(1, 15, 30), "duration_out_of_range"),
    (at(-1, 10), at(-1, 11), "starts_in_past"),
    (at(70, 10), at(70, 11), "beyond_booking_horizon"),
    (at(1, 21, 30), at(1, 22, 30), "outside_opening_hours"),
    (at(1, 5), at(1, 6), "outside_opening_hours"),
])
def test_span_rules(booking, start, end, code):
    refused(booking, code, start=start, end=end)


def test_a_closed_day_is_refused(booking, session):
    session.add(Closure(base_id=booking.base.id, starts_on=date(2027, 1, 5),
                        ends_on=date(2027, 1, 5), reason="Exam day"))
    session.commit()
    error = refused(booking, "base_closed")
    assert "Exam day" in error.detail


def test_a_blackout_is_refused_naming_its_span(booking, session):
    session.add(Blackout(equipment_id=booking.lathe.id, starts_at=at(1, 10, 30),
                         ends_at=at(1, 12), reason="Calibration",
                         created_by_id=booking.users["admin"].id))
    session.commit()
    error = refused(booking, "equipment_blacked_out")
    assert datetime.fromisoformat(error.extra["conflicting_span"]["starts_at"]) == at(1, 10, 30)


def test_an_item_in_maintenance_is_refused(booking, session):
    booking.lathe.status = "maintenance"
    session.commit()
    refused(booking, "equipment_unavailable")


def test_a_qualification_is_required_and_must_last_to_the_end(booking, session):
    from service.catalogue.models import Qualification
    from service.catalogue.qualifications import register_qualification

    refused(booking, "qualification_required", item=booking.qualified_item)
    register_qualification(session, holder=booking.users["student"],
                           category_id=booking.qualified_item.category_id,
                           granted_by=booking.users["instructor"], expires_at=at(1, 10, 30))
    session.commit()
    refused(booking, "qualification_required", item=booking.qualified_item)
    qualification = session.scalars(select(Qualification)).one()
    qualification.expires_at = at(30, 0)
    session.commit()
    assert reserve(booking, item=booking.qualified_item).status == "confirmed"


def test_overlap_with_an_active_reservation_is_a_conflict_naming_the_span(booking):
    reserve(booking, who="instructor")
    error = refused(booking, "reservation_conflict", start=at(1, 10, 30), end=at(1, 11, 30))
    span = error.extra["conflicting_span"]
    assert datetime.fromisoformat(span["starts_at"]) == at(1, 10)
    assert datetime.fromisoformat(span["blocked_until"]) == at(1, 11, 15)
    assert "reservation_id" not in span, "a student must not learn whose booking it is"


def test_the_setup_buffer_is_kept_free_on_both_sides(booking):
    reserve(booking, who="instructor")                                   # 10:00-11:00 +15
    refused(booking, "reservation_conflict", start=at(1, 11), end=at(1, 12))
    refused(booking, "reservation_conflict", start=at(1, 9), end=at(1, 10))  # its buffer
    assert reserve(booking, start=at(1, 11, 30), end=at(1, 12)).status == "confirmed"
    assert reserve(booking, start=at(1, 8, 30), end=at(1, 9, 30)).status == "confirmed"


def test_cancelled_reservations_no_longer_block(booking):
    first = reserve(booking, who="instructor")
    lifecycle.cancel(db.session, booking.users["instructor"], first.id, reason=None,
                     policy=booking.policy, now=NOW)
    assert reserve(booking).status == "confirmed"


def test_weekly_hours_quota(booking, session):
    put_quota(session, organisation_id=booking.world.school.id, role="student",
              weekly_hours=3, active_reservations=None)
    session.commit()
    reserve(booking, start=at(1, 8), end=at(1, 10))
    error = refused(booking, "quota_exceeded", start=at(2, 8), end=at(2, 10))
    assert error.extra["quota"] == "weekly_hours"
    # The next ISO week starts on Monday 2027-01-11 in Shanghai.
    assert reserve(booking, start=at(7, 8), end=at(7, 10)).status == "confirmed"


def test_active_reservations_quota_and_instructors_are_exempt(booking, session):
    put_quota(session, organisation_id=booking.world.school.id, role="student",
              weekly_hours=None, active_reservations=1)
    session.commit()
    reserve(booking)
    refused(booking, "quota_exceeded", start=at(2, 10), end=at(2, 11))
    reserve(booking, who="instructor", start=at(3, 10), end=at(3, 11))
    reserve(booking, who="instructor", start=at(4, 10), end=at(4, 11))


def test_only_staff_book_for_others_and_for_classes(booking, make):
    classmate = make.user("student", booking.world.school)
    with pytest.raises(DomainError) as caught:
        reserve(booking, attendees=[classmate.id])
    assert caught.value.status == 403
    with pytest.raises(DomainError) as caught:
        reserve(booking, holder_id=classmate.id)
    assert caught.value.status == 403
    reservation = reserve(booking, who="instructor", holder_id=classmate.id,
                          attendees=[booking.users["student"].id])
    assert reservation.holder_id == classmate.id
    assert reservation.attendee_ids == [booking.users["student"].id]


def test_attendees_are_limited_by_the_item(booking, make):
    students = [make.user("student", booking.world.school).id for _ in range(4)]
    error = refused(booking, "too_many_attendees", who="instructor", attendees=students)
    assert "attendees" in error.errors


def test_every_change_is_recorded_in_the_history(booking):
    reservation = reserve(booking)
    lifecycle.cancel(db.session, booking.users["student"], reservation.id,
                     reason="ill", policy=booking.policy, now=NOW)
    events = queries.history(db.session, booking.users["student"], reservation.id)
    assert [(e.from_status, e.to_status, e.reason) for e in events] == [
        (None, "confirmed", ""), ("confirmed", "cancelled", "ill")]
    assert all(e.actor_id == booking.users["student"].id for e in events)


def test_reservations_across_a_week_boundary_keep_durations_exact(booking):
    reservation = reserve(booking, start=at(6, 20), end=at(6, 22))
    assert reservation.ends_at - reservation.starts_at == timedelta(hours=2)


def test_completed_sessions_count_toward_the_weekly_hours_quota(booking, make, session):
    put_quota(session, organisation_id=booking.world.school.id, role="student",
              weekly_hours=3, active_reservations=None)
    make.reservation(booking.lathe, booking.users["student"], at(0, 8), at(0, 10),
                     status="completed")
    session.commit()
    monday_noon = at(0, 12)
    with pytest.raises(DomainError) as caught:
        booking_cases.reserve(db.session, booking.users["student"], equipment_id=booking.lathe.id,
                              starts_at=at(1, 8), ends_at=at(1, 10), now=monday_noon)
    assert (caught.value.code, caught.value.extra["quota"], caught.value.extra["booked_hours"]) == (
        "quota_exceeded", "weekly_hours", 2.0)
    db.session.rollback()
    assert booking_cases.reserve(
        db.session, booking.users["student"], equipment_id=booking.lathe.id,
        starts_at=at(1, 8), ends_at=at(1, 9), now=monday_noon).status == "confirmed"
