"""HTTP layer of the drill-down: the reservations behind a figure, on the reports' blueprint."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from ..accounts.auth import current_user
from ..db import db
from .drilldown import reservations_behind
from .routes import blp
from .schemas import DrilldownPageSchema, DrilldownQueryArgsSchema


@blp.route("/reports/reservations")
class ReservationsBehind(MethodView):
    @blp.arguments(DrilldownQueryArgsSchema, location="query")
    @blp.response(200, DrilldownPageSchema)
    @blp.problems(401, 403, 422)
    def get(self, args):
        """The reservations behind a figure of the utilisation report or a heat-map cell

        With weekday and hour (together): the reservations with booked hours in that cell of
        /reports/heatmap, each with its hours in the cell. Without: those behind `figure`
        (booked, used, no_show, cancelled, late_cancellation, lapsed) of /reports/utilisation
        over the local days [from, to). `hours` sums them: the figure itself. Holder's name and
        organisation only. Who sees what: as for utilisation (403 not_reporting).

        Definitions of the figures: docs/reports.md#definitions.
        """
        return reservations_behind(db.session, current_user(),
                                   max_days=current_app.config["REPORTS_MAX_DAYS"], **args)
