"""HTTP layer of attendance: attendees of a class checked in one by one."""

from __future__ import annotations

from flask.views import MethodView

from ..accounts.auth import current_user
from ..db import db
from ..http import Blueprint, if_match_versions, with_etag
from . import attendance
from .routes import policy
from .schemas import ReservationSchema

blp = Blueprint("attendance", __name__, url_prefix="/api/v1",
                description="Attendees of a class, checked in one by one.")


@blp.route("/reservations/<int:reservation_id>/attendees/<int:user_id>/check-in")
class AttendeeCheckIn(MethodView):
    @blp.response(200, ReservationSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, reservation_id, user_id):
        """Check one attendee of a class in (holder, staff, or the attendee)

        Open once the class is checked in, until it ends, or within the class's check-in window
        while it is confirmed (this does not check the class in). Checking in twice keeps the
        first instant (200). 404 not_an_attendee; 409 attendance_closed after check-out or the
        end, outside_check_in_window, invalid_transition.
        """
        return with_etag(attendance.check_in_attendee(
            db.session, current_user(), reservation_id, user_id, policy=policy(),
            expected_versions=if_match_versions()))
