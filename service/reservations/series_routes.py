"""HTTP layer of weekly series: book, list, show, cancel, and preview before booking."""

from __future__ import annotations

from flask.views import MethodView

from ..accounts.auth import current_user, roles
from ..accounts.permissions import STAFF_ROLES
from ..db import db
from ..http import Blueprint
from ..idempotency.views import idempotent
from . import queries, series
from .judging_schemas import REFUSALS, SeriesPreviewSchema
from .routes import policy
from .schemas import (
    CancelledSchema,
    SeriesCancelSchema,
    SeriesCreateSchema,
    SeriesPageSchema,
    SeriesQueryArgsSchema,
    SeriesResultSchema,
)

blp = Blueprint("series", __name__, url_prefix="/api/v1",
                description="Weekly series of reservations, booked, previewed and cancelled "
                            "together.")

@blp.route("/series")
class SeriesCollection(MethodView):
    @blp.arguments(SeriesQueryArgsSchema, location="query")
    @blp.response(200, SeriesPageSchema)
    def get(self, args):
        """List the series you may see"""
        return queries.list_series(db.session, current_user(), **args)

    @roles(*STAFF_ROLES)
    @idempotent
    @blp.arguments(SeriesCreateSchema)
    @blp.response(201, SeriesResultSchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """Book weekly sessions (all or nothing, or skip_conflicts)

        409 series_conflict lists each session that cannot be booked (`skipped`: date, code,
        detail); POST /series/preview gives each one's whole problem before booking.
        """
        booked_series, booked, skipped = series.book_series(
            db.session, current_user(), **body, policy=policy())
        return {"series": booked_series, "reservations": booked, "skipped": skipped}


@blp.route("/series/<int:series_id>")
class SeriesById(MethodView):
    @blp.response(200, SeriesResultSchema)
    def get(self, series_id):
        """Show a series and its sessions"""
        found = series.get_visible_series(db.session, current_user(), series_id)
        return {"series": found, "skipped": [],
                "reservations": series.series_reservations(db.session, series_id)}


@blp.route("/series/<int:series_id>/cancel")
class SeriesCancel(MethodView):
    @blp.arguments(SeriesCancelSchema)
    @blp.response(200, CancelledSchema)
    def post(self, body, series_id):
        """Cancel one session, this one and the following, or all future sessions"""
        return {"cancelled": series.cancel_series(
            db.session, current_user(), series_id, scope=body["scope"],
            reservation_id=body.get("reservation_id"), reason=body["reason"],
            policy=policy())}


PREVIEW = (
    "The body of POST /series (skip_conflicts changes nothing here). Each session is booked "
    "as POST /series books it, each seeing those before it (quotas, offer budgets, overlaps "
    "within the series), then everything is rolled back: nothing is written, no notice sent. "
    "A body the series refuses as a whole (role, holder, item, until/count, length) answers "
    "the same problem as POST /series. ")


@blp.route("/series/preview")
class SeriesPreview(MethodView):
    @roles(*STAFF_ROLES)
    @blp.arguments(SeriesCreateSchema)
    @blp.response(200, SeriesPreviewSchema)
    @blp.problems(401, 403, 409)
    @blp.doc(description=PREVIEW + REFUSALS)
    def post(self, body):
        """What POST /series would do to each session, without booking anything"""
        return series.preview_series(db.session, current_user(), **body, policy=policy())

