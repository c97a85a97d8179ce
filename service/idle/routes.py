"""HTTP layer of idle equipment: the last judged week's findings, and a draft offer from one."""

from __future__ import annotations

from flask import current_app, url_for
from flask.views import MethodView

from ..accounts.auth import current_user
from ..db import db
from ..http import Blueprint, etag
from ..idempotency.views import idempotent
from ..offers.schemas import OfferSchema
from ..replica import READ_HEADERS, read
from . import drafts, queries
from .schemas import DraftOfferCreateSchema, IdleQueryArgsSchema, IdleReportSchema

blp = Blueprint("idle", __name__, url_prefix="/api/v1",
                description="Idle equipment, named: items booked under a threshold for weeks, "
                            "with a suggestion to share, move or offer them.")


@blp.route("/reports/idle")
class IdleEquipment(MethodView):
    @blp.arguments(IdleQueryArgsSchema, location="query")
    @blp.response(200, IdleReportSchema, headers=READ_HEADERS)
    @blp.problems(401, 403)
    def get(self, args):
        """Items whose utilisation stayed under the threshold for each of the last weeks

        The findings of the last judged week (IDLE_WEEKS complete ISO weeks, each booked
        strictly under IDLE_THRESHOLD of its available hours), least used first. School
        admins and enterprise staff see their own organisation's equipment, operators all;
        other roles 403 not_reporting.

        Definitions of the figures: docs/reports.md#definitions.
        """
        return read(lambda session: queries.idle_equipment(
            session, current_user(), weeks=current_app.config["IDLE_WEEKS"],
            threshold=current_app.config["IDLE_THRESHOLD"], **args))


@blp.route("/reports/idle/<int:finding_id>/draft-offer")
class DraftOffer(MethodView):
    @idempotent
    @blp.arguments(DraftOfferCreateSchema)
    @blp.response(201, OfferSchema)
    @blp.problems(401, 403, 404, 409)
    def post(self, body, finding_id):
        """Draft an offer of an idle enterprise item to a school

        For the owning enterprise's staff (403 not_offer_owner otherwise). The draft holds the
        item, with one window from next Monday for four weeks over the base's opening hours,
        a weekly budget of the item's average free hours per judged week and the default
        conditions of a new offer. A school's item: 409 school_equipment_not_offered; a
        finding you do not see: 404 unknown_idle_finding; school_id not a school: 422
        not_a_school; a live offer to that school already: 409 offer_exists.
        """
        offer = drafts.draft_offer_from_finding(
            db.session, current_user(), finding_id, school_id=body["school_id"],
            max_window_days=current_app.config["OFFER_WINDOW_MAX_DAYS"])
        return offer, 201, {"ETag": etag(offer.version),
                            "Location": url_for("offers.OfferById", offer_id=offer.id)}
