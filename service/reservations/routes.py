"""HTTP layer of the booking engine."""

from __future__ import annotations

import json

from flask import Response, current_app, g, jsonify, url_for
from flask.views import MethodView

from ..accounts.auth import bearer_token, current_user, roles
from ..accounts.permissions import (
    BOOKING_ROLES,
    MANAGING_ROLES,
    QUOTA_ROLES,
    RESERVING_ROLES,
)
from ..catalogue import queries as catalogue_queries
from ..catalogue.schemas import EquipmentPageSchema, EquipmentQueryArgsSchema
from ..db import db
from ..errors import NotFound
from ..http import Blueprint, etag, if_match_versions, with_etag
from ..idempotency.keys import Answer
from ..idempotency.views import idempotent
from . import blackouts, booking, calendar, lifecycle, queries, quotas, waitlist
from .judging_schemas import REFUSALS
from .policy import BookingPolicy
from .schemas import (
    AvailabilityQueryArgsSchema,
    AvailabilitySchema,
    BlackoutCreateSchema,
    BlackoutListSchema,
    BlackoutQueryArgsSchema,
    BlackoutSchema,
    CalendarLinkSchema,
    CalendarQueryArgsSchema,
    HistorySchema,
    QuotaArgsSchema,
    QuotaListSchema,
    QuotaSchema,
    QuotaUpdateSchema,
    ReasonSchema,
    ReservationCreateSchema,
    ReservationPageSchema,
    ReservationQueryArgsSchema,
    ReservationSchema,
    WaitlistCreateSchema,
    WaitlistEntrySchema,
    WaitlistPageSchema,
    WaitlistQueryArgsSchema,
)

blp = Blueprint("reservations", __name__, url_prefix="/api/v1",
                description="Reservations, availability, blackouts, waitlist, quotas.")


def policy() -> BookingPolicy:
    return BookingPolicy.from_config(current_app.config)


def _booking_answer(reservation_id: int) -> Answer:
    """The 201 a booking answered, rebuilt from its reservation for a retry whose first
    request's process died before keeping it."""
    reservation = queries.get_visible_reservation(db.session, current_user(), reservation_id)
    body = json.loads(current_app.json.dumps(ReservationSchema().dump(reservation)))
    return Answer(201, body, {"ETag": etag(reservation.version)})


RESERVE = (
    "Confirmed at once, or pending when the item needs approval. 409 reservation_conflict "
    "names the span that is taken. A school's members book their school's equipment and "
    "enterprise items offered to their school; an enterprise's staff book their own "
    "organisation's equipment for their own use (internal reservations, in its base's opening"
    " hours, under no offer: docs/booking-rules.md#internal-reservations), and anything else "
    "403 not_your_equipment. ")


@blp.route("/reservations")
class Reservations(MethodView):
    @blp.arguments(ReservationQueryArgsSchema, location="query")
    @blp.response(200, ReservationPageSchema)
    def get(self, args):
        """List the reservations you may see

        `decidable=true`: the requests waiting for you to approve or reject them.
        """
        return queries.list_reservations(db.session, current_user(), **args)

    @roles(*RESERVING_ROLES)
    @idempotent(rebuild=_booking_answer)
    @blp.arguments(ReservationCreateSchema)
    @blp.response(201, ReservationSchema)
    @blp.problems(401, 403, 409)
    @blp.doc(description=RESERVE + REFUSALS)
    def post(self, body):
        """Reserve an item for a span"""
        return with_etag(booking.reserve(db.session, current_user(), **body), 201)


@blp.route("/reservations/<int:reservation_id>")
class ReservationById(MethodView):
    @blp.response(200, ReservationSchema)
    def get(self, reservation_id):
        """Show a reservation"""
        return with_etag(queries.get_visible_reservation(db.session, current_user(),
                                                         reservation_id))


@blp.route("/reservations/<int:reservation_id>/history")
class ReservationHistory(MethodView):
    @blp.response(200, HistorySchema)
    def get(self, reservation_id):
        """Every change of a reservation: who, when, from, to, why"""
        events = queries.history(db.session, current_user(), reservation_id)
        return {"reservation_id": reservation_id, "events": events}


def _reason(body) -> str | None:
    return (body or {}).get("reason")


@blp.route("/reservations/<int:reservation_id>/cancel")
class ReservationCancel(MethodView):
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, ReservationSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, body, reservation_id):
        """Cancel (holder before the start; staff at any time, with a reason)"""
        return with_etag(lifecycle.cancel(
            db.session, current_user(), reservation_id, reason=_reason(body), policy=policy(),
            expected_versions=if_match_versions()))


@blp.route("/reservations/<int:reservation_id>/approve")
class ReservationApprove(MethodView):
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, ReservationSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, body, reservation_id):
        """Approve a pending reservation (the item's owner)"""
        return with_etag(lifecycle.approve(
            db.session, current_user(), reservation_id, reason=_reason(body) or "",
            expected_versions=if_match_versions()))


@blp.route("/reservations/<int:reservation_id>/reject")
class ReservationReject(MethodView):
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, ReservationSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, body, reservation_id):
        """Reject a pending reservation, with a reason (the item's owner)"""
        return with_etag(lifecycle.reject(
            db.session, current_user(), reservation_id, reason=_reason(body), policy=policy(),
            expected_versions=if_match_versions()))


@blp.route("/reservations/<int:reservation_id>/confirm")
class ReservationConfirm(MethodView):
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, ReservationSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, body, reservation_id):
        """Take up a waitlist offer before it expires (the holder)"""
        return with_etag(lifecycle.confirm_hold(
            db.session, current_user(), reservation_id, expected_versions=if_match_versions()))


@blp.route("/reservations/<int:reservation_id>/check-in")
class ReservationCheckIn(MethodView):
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, ReservationSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, body, reservation_id):
        """Check in, from 15 minutes before the start to the end of the grace period"""
        return with_etag(lifecycle.check_in(
            db.session, current_user(), reservation_id, policy=policy(),
            expected_versions=if_match_versions()))


@blp.route("/reservations/<int:reservation_id>/check-out")
class ReservationCheckOut(MethodView):
    @blp.arguments(ReasonSchema, required=False)
    @blp.response(200, ReservationSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, body, reservation_id):
        """Check out: records the real end and frees the rest of the slot"""
        return with_etag(lifecycle.check_out(
            db.session, current_user(), reservation_id, policy=policy(),
            expected_versions=if_match_versions()))


@blp.route("/me/calendar-link")
class MyCalendarLink(MethodView):
    @blp.response(200, CalendarLinkSchema)
    @blp.problems(401)
    def get(self):
        """The secret URL of my calendar feed, for calendar apps"""
        key = calendar.feed_key(current_app.config["SECRET_KEY"], current_user())
        return {"url": url_for("reservations.MyCalendar", key=key, _external=True)}


@blp.route("/me/calendar.ics")
class MyCalendar(MethodView):
    @blp.arguments(CalendarQueryArgsSchema, location="query")
    @blp.response(200, {"type": "string"}, content_type="text/calendar",
                  description="An iCalendar (RFC 5545) document of your reservations.")
    @blp.problems(401, 404)
    @blp.doc(security=[{"bearerAuth": []}, {}])
    def get(self, args):
        """My reservations as iCalendar (sign in, or pass the key from /me/calendar-link)"""
        user = calendar.feed_reader(db.session, secret_key=current_app.config["SECRET_KEY"],
                                    key=args.get("key"), bearer=bearer_token())
        g.user_id = user.id
        return Response(calendar.calendar_for(db.session, user), mimetype="text/calendar",
                        headers={"Content-Disposition": 'inline; filename="benchshare.ics"'})


@blp.route("/equipment")
class EquipmentSearch(MethodView):
    @blp.arguments(EquipmentQueryArgsSchema, location="query")
    @blp.response(200, EquipmentPageSchema)
    @blp.problems(401)
    def get(self, args):
        """Browse the equipment catalogue (free_from/free_to: only items free for that span)"""
        free_from, free_to = args.pop("free_from", None), args.pop("free_to", None)
        only = queries.free_for(db.session, current_user(), free_from, free_to,
                                policy=policy()) if free_from else None
        return catalogue_queries.list_equipment(db.session, current_user(), **args, only=only)


@blp.route("/equipment/<int:equipment_id>/availability")
class Availability(MethodView):
    @blp.arguments(AvailabilityQueryArgsSchema, location="query")
    @blp.response(200, AvailabilitySchema)
    def get(self, args, equipment_id):
        """Free and busy spans of an item between from and to

        to after from (422 invalid_span), at most AVAILABILITY_MAX_DAYS (31 unless
        configured) later (window_too_large), within the item's booking horizon
        (beyond_booking_horizon).
        """
        result = queries.availability(db.session, current_user(), equipment_id,
                                      start=args["from_"], end=args["to"], policy=policy())
        # A hot read with hundreds of spans, already in the documented shape: marshmallow
        # would spend most of the request re-serialising it.
        return jsonify(result)


@blp.route("/equipment/<int:equipment_id>/blackouts")
class Blackouts(MethodView):
    @blp.arguments(BlackoutQueryArgsSchema, location="query")
    @blp.response(200, BlackoutListSchema)
    def get(self, args, equipment_id):
        """List an item's blackouts"""
        return {"items": blackouts.list_blackouts(db.session, current_user(), equipment_id,
                                                  start=args.get("from_"), end=args.get("to"))}

    @roles(*MANAGING_ROLES)
    @blp.arguments(BlackoutCreateSchema)
    @blp.response(201, BlackoutSchema)
    def post(self, body, equipment_id):
        """Black out an item (409 lists reservations inside unless cancel_conflicting)

        From now on: a start in the past (more than five minutes) is 422
        effective_date_in_past.
        """
        return blackouts.add_blackout(db.session, current_user(), equipment_id, **body,
                                      policy=policy())


@blp.route("/equipment/<int:equipment_id>/blackouts/<int:blackout_id>")
class BlackoutById(MethodView):
    @roles(*MANAGING_ROLES)
    @blp.response(204)
    def delete(self, equipment_id, blackout_id):
        """Lift a blackout; waiting users are offered the freed time

        One that has begun ends now (its past stays); one that is over is 409
        blackout_in_past.
        """
        blackouts.remove_blackout(db.session, current_user(), equipment_id, blackout_id,
                                  policy=policy())


@blp.route("/waitlist")
class Waitlist(MethodView):
    @blp.arguments(WaitlistQueryArgsSchema, location="query")
    @blp.response(200, WaitlistPageSchema)
    def get(self, args):
        """List your waitlist entries (admins: their school's)"""
        return queries.list_waitlist(db.session, current_user(), **args)

    @roles(*BOOKING_ROLES)
    @idempotent
    @blp.arguments(WaitlistCreateSchema)
    @blp.response(201, WaitlistEntrySchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """Wait for a taken span; you are offered it as a hold when it frees"""
        return waitlist.join_waitlist(db.session, current_user(), **body)


@blp.route("/waitlist/<int:entry_id>")
class WaitlistEntryById(MethodView):
    @blp.response(200, WaitlistEntrySchema)
    def delete(self, entry_id):
        """Leave the waitlist (an offer not taken up goes to the next in line)"""
        return waitlist.leave_waitlist(db.session, current_user(), entry_id, policy=policy())


@blp.route("/organisations/<int:organisation_id>/quotas")
class Quotas(MethodView):
    @blp.response(200, QuotaListSchema)
    @blp.problems(401, 404)
    def get(self, organisation_id):
        """Your organisation's booking quotas, per role and category"""
        return {"items": quotas.list_quotas(db.session, current_user(), organisation_id)}


QUOTA_ROLE = [{
    "in": "path", "name": "role", "schema": {"type": "string", "enum": sorted(QUOTA_ROLES)},
    "description": "A role with quotas; any other answers 404."}]


@blp.route("/organisations/<int:organisation_id>/quotas/<role>", parameters=QUOTA_ROLE)
class QuotaByRole(MethodView):
    @roles("admin", "enterprise_staff")
    @blp.arguments(QuotaArgsSchema, location="query")
    @blp.arguments(QuotaUpdateSchema)
    @blp.response(200, QuotaSchema)
    @blp.problems(401, 403, 404, 422)
    def put(self, args, body, organisation_id, role):
        """Set a role's quota: hours per ISO week and active reservations (null: no limit)

        On every category, or with `?category=` on that category's bookings only; a booking
        must pass both. A school's admins set its roles' (student, instructor, admin); an
        enterprise's managers its staff's (enterprise_staff: their bookings of its own
        equipment). Anyone else 403 role_not_allowed; another organisation's 403
        not_your_organisation.
        """
        if role not in QUOTA_ROLES:
            raise NotFound(f"Quotas exist for the roles {', '.join(QUOTA_ROLES)}.")
        return quotas.set_quota(db.session, current_user(), organisation_id, role,
                                category=args.get("category"), **body)

    @roles("admin", "enterprise_staff")
    @blp.arguments(QuotaArgsSchema, location="query")
    @blp.response(204)
    @blp.problems(401, 403, 404, 422)
    def delete(self, args, organisation_id, role):
        """Remove a role's quota (on every category, or on `?category=`): no limit there"""
        if role not in QUOTA_ROLES:
            raise NotFound(f"Quotas exist for the roles {', '.join(QUOTA_ROLES)}.")
        quotas.remove_quota(db.session, current_user(), organisation_id, role,
                            category=args.get("category"))
