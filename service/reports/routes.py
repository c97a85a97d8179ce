"""HTTP layer of reports: utilisation per period and group, and the runs; JSON or CSV."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from ..accounts.auth import current_user
from ..db import db
from ..http import Blueprint
from ..impact.csv_export import CSV, csv_response, wants_csv
from . import queries
from .schemas import (
    RunPageSchema,
    RunQueryArgsSchema,
    UtilisationQueryArgsSchema,
    UtilisationSchema,
)

blp = Blueprint("reports", __name__, url_prefix="/api/v1",
                description="Utilisation of the equipment per period: built on a schedule "
                            "and kept.")

COLUMNS = ("period_start", "group_by", "group_id", "available_hours", "booked_hours",
           "used_hours", "utilisation", "usage", "no_shows", "cancellations",
           "late_cancellations", "stored")


@blp.route("/reports/utilisation")
class Utilisation(MethodView):
    @blp.arguments(UtilisationQueryArgsSchema, location="query")
    @blp.response(200, UtilisationSchema)
    @blp.alt_response(200, schema={"type": "string"}, content_type=CSV, success=True,
                      description="One line per period and group (Accept: text/csv).")
    @blp.problems(401, 403, 422)
    def get(self, args):
        """Utilisation per period and item, base, category, owner or school

        Periods are local days, ISO weeks or months in each item's base zone; built periods
        come from the stored rows, the one under way (or one not built yet) is computed now.
        Hours are summed before dividing. School admins and enterprise staff see their own
        organisation's equipment, operators all; other roles 403.
        """
        document = queries.utilisation(db.session, current_user(),
                                       max_days=current_app.config["REPORTS_MAX_DAYS"], **args)
        if wants_csv():
            name = f"utilisation-{document['granularity']}-{document['from_']}-" \
                   f"{document['to']}.csv"
            return csv_response(COLUMNS, ([row[c] for c in COLUMNS] for row in document["rows"]),
                                name)
        return document


@blp.route("/reports/runs")
class Runs(MethodView):
    @blp.arguments(RunQueryArgsSchema, location="query")
    @blp.response(200, RunPageSchema)
    @blp.problems(401, 403)
    def get(self, args):
        """The report builds: scheduled, rebuilt or backfilled, with status and rows

        For the roles that see reports (admins, enterprise staff, operators); others 403.
        """
        return queries.list_runs(db.session, current_user(), **args)
