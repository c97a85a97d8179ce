"""HTTP layer of the drill-down: the reservations behind a figure, on the reports' blueprint."""

from __future__ import annotations

import json

from flask import Response, current_app
from flask.views import MethodView

from ..accounts.auth import current_user
from ..replica import READ_HEADERS, read
from .drilldown import cell_answer_key, reservations_behind
from .routes import blp, kept_answers
from .schemas import DrilldownPageSchema, DrilldownQueryArgsSchema

_SCHEMA = DrilldownPageSchema()


def _as_json(answer: dict) -> bytes:
    return json.dumps(_SCHEMA.dump(answer), separators=(",", ":")).encode()


@blp.route("/reports/reservations")
class ReservationsBehind(MethodView):
    @blp.arguments(DrilldownQueryArgsSchema, location="query")
    @blp.response(200, DrilldownPageSchema, headers=READ_HEADERS)
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
        return Response(read(lambda session: _answer(session, args)),
                        mimetype="application/json")


def _answer(session, args) -> bytes:
    max_days = current_app.config["REPORTS_MAX_DAYS"]
    # A cell over kept days is kept like the heat map that shows it (a dashboard's
    # viewers click the same busy cell); anything computed now is not.
    key = cell_answer_key(session, current_user(), max_days=max_days, **args)
    body = kept_answers().get(key) if key is not None else None
    if body is None:
        body = _as_json(reservations_behind(session, current_user(), max_days=max_days, **args))
        if key is not None:
            kept_answers().put(key, body)
    return body
