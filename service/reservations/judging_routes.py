"""HTTP layer of judging a span before booking: which items the caller could book then."""

from __future__ import annotations

from flask.views import MethodView

from ..accounts.auth import current_user
from ..db import db
from ..http import Blueprint
from . import judging
from .judging_schemas import REFUSALS, BookablePageSchema, BookableQueryArgsSchema

blp = Blueprint("judging", __name__, url_prefix="/api/v1",
                description="Spans judged before booking, by booking's own rules.")

BOOKABLE = (
    "Every item you see (as GET /equipment, retired ones left out), each judged for the local "
    "span `from`-`to` on `on` read in its base's zone (`to` 24:00: the end of that day; a wall "
    "time a daylight-saving change skips or repeats is read as everywhere: "
    "docs/booking-rules.md#judging-a-span-before-booking), as POST /reservations would judge "
    "it now, bookings and blackouts in the way included: `bookable` with the `status` a "
    "booking would get, or the `refusal` it would answer you. Bookable items first, then by "
    "name. Nothing is written. 422 when `to` is not after `from` (naming `to`); 404 for a "
    "base_id you do not see. ")


@blp.route("/equipment/bookable")
class Bookable(MethodView):
    @blp.arguments(BookableQueryArgsSchema, location="query")
    @blp.response(200, BookablePageSchema)
    @blp.problems(401, 404)
    @blp.doc(description=BOOKABLE + REFUSALS)
    def get(self, args):
        """Which items you could book for a local span, and why not the others"""
        return judging.list_bookable(db.session, current_user(), on=args["on"],
                                     from_=args["from_"], to=args["to"], page=args["page"],
                                     page_size=args["page_size"],
                                     base_id=args.get("base_id"),
                                     category=args.get("category"))
