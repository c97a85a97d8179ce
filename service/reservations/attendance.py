"""Attendees of a class checked in one by one (the answer shows them: models.attendance_of).

Who checks an attendee in follows the holder's check-in: the holder (the instructor who booked
the class), staff who may act for the holder, and the attendee themselves. When: once the class
is checked in (until it ends or is checked out), or from the opening of the class's check-in
window while it is still confirmed. Checking an attendee in never checks the class itself in:
the class starts when its holder (or staff) check it in, with the holder's qualification
checked; an attendee's practice is counted from the later of the two check-ins
(service/practice). No reservation event is written: events record status changes, and the
instant stays on the attendee's row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import wallclock
from ..db import utcnow
from ..errors import Conflict, Forbidden, NotFound
from .lifecycle import check_in_window_closed
from .models import Reservation, ReservationAttendee
from .permissions import is_staff_for
from .policy import BookingPolicy
from .queries import get_visible_reservation
from .transitions import transition_error


class NotAnAttendee(NotFound):
    code, title = "not_an_attendee", "This person is not an attendee of the reservation"


class AttendanceClosed(Conflict):
    code, title = "attendance_closed", "The class is over: nobody is checked in any more"


def may_check_in_attendee(actor: User, reservation: Reservation, user_id: int) -> bool:
    """The holder, staff acting for the holder, or the attendee themselves."""
    return (actor.id in (reservation.holder_id, user_id)
            or is_staff_for(actor, reservation))


def _attendee(reservation: Reservation, user_id: int) -> ReservationAttendee:
    for attendee in reservation.attendees:
        if attendee.user_id == user_id:
            return attendee
    raise NotAnAttendee(f"User {user_id} is not an attendee of reservation {reservation.id}.",
                        errors={"user_id": ["Not an attendee of this reservation."]})


def _check_in_open(reservation: Reservation, now: datetime, policy: BookingPolicy) -> None:
    """A checked-in class takes attendees until it ends; a confirmed one inside the holder's
    check-in window; any other status none."""
    if reservation.status == "checked_in":
        if now >= reservation.ends_at:
            tz = reservation.equipment.timezone
            raise AttendanceClosed(
                f"The class ended at {wallclock.local_text(reservation.ends_at, tz)}.",
                ends_at=reservation.ends_at.isoformat(), timezone=tz)
        return
    if reservation.status == "completed":
        raise AttendanceClosed("The class has been checked out.",
                               current_status=reservation.status)
    if reservation.status != "confirmed":
        raise transition_error(reservation, "attended")
    opens, closes = policy.check_in_window(reservation.starts_at)
    if not opens <= now <= closes:
        raise check_in_window_closed(opens, closes, reservation.equipment.timezone)


def check_in_attendee(session: Session, actor: User, reservation_id: int, user_id: int, *,
                      policy: BookingPolicy, now: datetime | None = None,
                      expected_versions: list[int] | None = None) -> Reservation:
    """Check one attendee in; checking in again keeps the first instant and changes nothing."""
    now = now or utcnow()
    reservation = get_visible_reservation(session, actor, reservation_id, lock=True,
                                          expected_versions=expected_versions)
    if not may_check_in_attendee(actor, reservation, user_id):
        raise Forbidden("Only the holder, staff for the holder or the attendee themselves "
                        "check an attendee in.")
    attendee = _attendee(reservation, user_id)
    if attendee.checked_in_at is not None:
        session.commit()  # nothing changes: let the lock go
        return reservation
    _check_in_open(reservation, now, policy)
    attendee.checked_in_at = now
    # The answer (its attendance) changed, so does its version and ETag.
    reservation.updated_at = now
    session.commit()
    return reservation
