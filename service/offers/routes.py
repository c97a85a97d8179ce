"""HTTP layer of offers."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from ..accounts.auth import current_user, roles
from ..accounts.permissions import OFFERING_ROLES
from ..db import db
from ..http import Blueprint, if_match_versions, with_etag
from ..idempotency.views import idempotent
from . import lifecycle, queries, services
from .schemas import (
    OfferChangeArgsSchema,
    OfferCreateSchema,
    OfferHistorySchema,
    OfferPageSchema,
    OfferQueryArgsSchema,
    OfferReasonSchema,
    OfferSchema,
    OfferUpdateSchema,
    WithdrawalPreviewSchema,
)

blp = Blueprint("offers", __name__, url_prefix="/api/v1",
                description="Enterprises' idle-equipment offers, each addressed to one school.")


def _max_window_days() -> int:
    return current_app.config["OFFER_WINDOW_MAX_DAYS"]


def _reason(body) -> str | None:
    return (body or {}).get("reason")


@blp.route("/offers")
class Offers(MethodView):
    @blp.arguments(OfferQueryArgsSchema, location="query")
    @blp.response(200, OfferPageSchema)
    @blp.problems(401)
    def get(self, args):
        """List the offers you may see

        An enterprise's staff see its offers; a school's admins those addressed to their
        school (not drafts); other roles see none.
        """
        return queries.list_offers(db.session, current_user(), **args)

    @roles(*OFFERING_ROLES)
    @idempotent
    @blp.arguments(OfferCreateSchema)
    @blp.response(201, OfferSchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """Draft an offer of your enterprise's items to one school

        Windows are local days (inclusive) with weekly spans, read in each item's base time
        zone; each span on every item's slot grid (422 offer_span_off_grid, off_grid names
        them). One live offer per school: 409 offer_exists.
        """
        return with_etag(services.create_offer(
            db.session, current_user(), max_window_days=_max_window_days(), **body), 201)


@blp.route("/offers/<int:offer_id>")
class OfferById(MethodView):
    @blp.response(200, OfferSchema)
    @blp.problems(401, 404)
    def get(self, offer_id):
        """Show an offer"""
        return with_etag(queries.get_visible_offer(db.session, current_user(), offer_id))

    @roles(*OFFERING_ROLES)
    @blp.arguments(OfferChangeArgsSchema, location="query")
    @blp.arguments(OfferUpdateSchema)
    @blp.response(200, OfferSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def patch(self, args, body, offer_id):
        """Change an offer's terms (the enterprise)

        items and windows replace the lists from effective_from on (default: the next local
        day; before today 422 effective_date_in_past) for an offer the school ever approved:
        the days before keep their items, windows and weekly budget. An approved offer goes
        back to submitted; from effective_from on it offers nothing until the school approves
        again, and no new booking is made under it meanwhile. Spans off an item's slot grid:
        422 offer_span_off_grid. Bookings from effective_from on that the new terms no longer
        hold are listed first (409 bookings_affected with affected_reservations); with
        confirm=true those after the notice period are cancelled and their holders told,
        sooner ones stay. Honours If-Match.
        """
        return with_etag(services.update_offer(
            db.session, current_user(), offer_id, changes=body, confirm=args["confirm"],
            max_window_days=_max_window_days(), expected_versions=if_match_versions()))


@blp.route("/offers/<int:offer_id>/history")
class OfferHistory(MethodView):
    @blp.response(200, OfferHistorySchema)
    @blp.problems(401, 404)
    def get(self, offer_id):
        """Every change of an offer: who, when, from, to, why"""
        events = queries.history(db.session, current_user(), offer_id)
        return {"offer_id": offer_id, "events": events}


@blp.route("/offers/<int:offer_id>/submit")
class OfferSubmit(MethodView):
    @blp.arguments(OfferReasonSchema, required=False)
    @blp.response(200, OfferSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, body, offer_id):
        """Send a draft to the school for approval (the enterprise)

        409 offer_ended when its last window is over; 409 offer_item_retired when an item
        was retired since drafting (retired_items names them: edit them out first).
        """
        return with_etag(lifecycle.submit_offer(
            db.session, current_user(), offer_id, reason=_reason(body) or "",
            expected_versions=if_match_versions()))


@blp.route("/offers/<int:offer_id>/approve")
class OfferApprove(MethodView):
    @blp.arguments(OfferReasonSchema, required=False)
    @blp.response(200, OfferSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, body, offer_id):
        """Approve a submitted offer (the addressed school's admin)

        409 offer_ended when its last window is over; 409 offer_item_retired when an item
        was retired since it was submitted (retired_items names them).
        """
        return with_etag(lifecycle.approve_offer(
            db.session, current_user(), offer_id, reason=_reason(body) or "",
            expected_versions=if_match_versions()))


@blp.route("/offers/<int:offer_id>/reject")
class OfferReject(MethodView):
    @blp.arguments(OfferReasonSchema, required=False)
    @blp.response(200, OfferSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, body, offer_id):
        """Reject a submitted offer, with a reason (the addressed school's admin)"""
        return with_etag(lifecycle.reject_offer(
            db.session, current_user(), offer_id, reason=_reason(body),
            expected_versions=if_match_versions()))


@blp.route("/offers/<int:offer_id>/withdraw")
class OfferWithdraw(MethodView):
    @blp.arguments(OfferReasonSchema, required=False)
    @blp.response(200, OfferSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def post(self, body, offer_id):
        """Withdraw an offer, with a reason (the enterprise)

        Bookings under it that start after the notice period are cancelled and their
        holders told why; sooner ones stay. affected_reservations lists both.
        """
        return with_etag(lifecycle.withdraw_offer(
            db.session, current_user(), offer_id, reason=_reason(body),
            expected_versions=if_match_versions()))


@blp.route("/offers/<int:offer_id>/withdrawal-preview")
class OfferWithdrawalPreview(MethodView):
    @blp.response(200, WithdrawalPreviewSchema)
    @blp.problems(401, 403, 404, 409)
    def get(self, offer_id):
        """What withdrawing the offer now would do, nothing written (the enterprise)

        The bookings under it POST /offers/{offer_id}/withdraw would cancel (they start after
        the notice period) or keep (sooner). Refused as the withdrawal would be: 404 for an
        offer you do not see, 403 forbidden for a school's admin, 409 invalid_transition
        when the offer can no longer be withdrawn.
        """
        return lifecycle.preview_withdrawal(db.session, current_user(), offer_id)
