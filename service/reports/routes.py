"""HTTP layer of reports: utilisation per period and group, the heat map, and the runs; JSON
or CSV (by `Accept: text/csv`, or the `.csv` URL of each)."""

from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView

from ..accounts.auth import current_user, roles
from ..csv_export import CSV, csv_response, wants_csv
from ..db import db
from ..http import Blueprint
from ..replica import READ_HEADERS, read
from . import corrections, partner, queries
from .answers import AnswerCache, heatmap_json, utilisation_json
from .schemas import (
    HeatmapSchema,
    OpeningHoursCorrectionResultSchema,
    OpeningHoursCorrectionSchema,
    PartnerEquipmentSchema,
    PartnerQueryArgsSchema,
    ReportScopeArgsSchema,
    RunPageSchema,
    RunQueryArgsSchema,
    UtilisationQueryArgsSchema,
    UtilisationSchema,
)

blp = Blueprint("reports", __name__, url_prefix="/api/v1",
                description="Utilisation of the equipment per period: built on a schedule "
                            "and kept.")

COLUMNS = ("period_start", "group_by", "group_id", "group_name", "available_hours",
           "booked_hours", "used_hours", "offered_hours", "utilisation", "usage", "no_shows",
           "cancellations", "late_cancellations", "lapses", "stored")
HEATMAP_COLUMNS = ("weekday", "hour", "booked_hours", "open_hours", "occupancy")
PARTNER_COLUMNS = ("period_start", "group_by", "group_id", "group_name", "enterprise_id",
                   "hours_offered", "hours_booked", "hours_used", "utilisation", "sessions",
                   "no_shows", "outcomes_received")
# Every report read here may come from the replica (service/replica.py), and says so.
CSV_ONLY = {"200": {"description": "CSV, one header line.", "content": {
    CSV: {"schema": {"type": "string"}}},
    "headers": {"Content-Disposition": {"schema": {"type": "string"},
                                        "description": "attachment; the file name."},
                **READ_HEADERS}}}


def _utilisation_csv(document: dict, bom: bool) -> Response:
    return csv_response(
        COLUMNS, ([row[c] for c in COLUMNS] for row in document["rows"]),
        f"utilisation-{document['granularity']}-{document['from_']}-{document['to']}.csv",
        bom=bom)


def kept_answers() -> AnswerCache:
    """This process's kept answers of built periods (REPORTS_CACHE_SECONDS; 0: none)."""
    cache = current_app.extensions.get("benchshare.report_answers")
    if cache is None:
        cache = AnswerCache(current_app.config["REPORTS_CACHE_SECONDS"])
        current_app.extensions["benchshare.report_answers"] = cache
    return cache


def _heatmap(args):
    bom = args.pop("bom")
    document = read(lambda session: queries.heatmap(
        session, current_user(), max_days=current_app.config["REPORTS_MAX_DAYS"], **args))
    return document, lambda: csv_response(
        HEATMAP_COLUMNS, ([cell[c] for c in HEATMAP_COLUMNS] for cell in document["cells"]),
        f"heatmap-{document['from_']}-{document['to']}.csv", bom=bom)


@blp.route("/reports/utilisation")
class Utilisation(MethodView):
    @blp.arguments(UtilisationQueryArgsSchema, location="query")
    @blp.response(200, UtilisationSchema, headers=READ_HEADERS)
    @blp.alt_response(200, schema={"type": "string"}, content_type=CSV, success=True,
                      description="One line per period and group (Accept: text/csv).")
    @blp.problems(401, 403, 422)
    def get(self, args):
        """Utilisation per period and item, base, category, owner, kind or school

        Periods are local days, ISO weeks or months in each item's base zone; built periods
        come from the stored rows, the one under way (or one not built yet) is computed now.
        Hours are summed before dividing. School admins and enterprise staff see their own
        organisation's equipment, operators all; other roles 403 (not_reporting).

        Definitions of the figures: docs/reports.md#definitions.
        """
        max_days = current_app.config["REPORTS_MAX_DAYS"]
        bom = args.pop("bom")
        if wants_csv():
            return _utilisation_csv(read(lambda session: queries.utilisation(
                session, current_user(), max_days=max_days, **args)), bom)
        # UtilisationSchema's dump, written by orjson (answers.UTILISATION_JSON) and kept.
        return Response(read(lambda session: utilisation_json(
            session, current_user(), kept=kept_answers(), max_days=max_days, **args)),
            mimetype="application/json")


@blp.route("/reports/utilisation.csv")
class UtilisationCsv(MethodView):
    @blp.arguments(UtilisationQueryArgsSchema, location="query")
    @blp.doc(responses=CSV_ONLY)
    @blp.problems(401, 403, 422)
    def get(self, args):
        """The utilisation report as CSV, whatever the Accept header says

        Definitions of the figures: docs/reports.md#definitions.
        """
        bom = args.pop("bom")
        return _utilisation_csv(read(lambda session: queries.utilisation(
            session, current_user(), max_days=current_app.config["REPORTS_MAX_DAYS"], **args)),
            bom)


@blp.route("/reports/heatmap")
class Heatmap(MethodView):
    @blp.arguments(ReportScopeArgsSchema, location="query")
    @blp.response(200, HeatmapSchema, headers=READ_HEADERS)
    @blp.alt_response(200, schema={"type": "string"}, content_type=CSV, success=True,
                      description="One line per weekday and hour (Accept: text/csv).")
    @blp.problems(401, 403, 422)
    def get(self, args):
        """Occupancy by local weekday and hour: booked hours as a share of open hours

        Per cell, the items' open hours (available: opening hours less closures and
        blackouts) and booked hours (confirmed, checked-in, completed and no-show reservations
        within them) over the local days [from, to), cut at each item's base-zone hours: a
        repeated autumn hour counts under its wall hour, a skipped spring hour is empty.
        occupancy = booked / open, null for a closed cell. Built days are read from the hours
        kept with the daily reports, the others computed now. Who sees what: as for
        utilisation.

        Definitions of the figures: docs/reports.md#definitions.
        """
        if wants_csv():
            return _heatmap(args)[1]()
        # HeatmapSchema's dump, written by orjson (answers.HEATMAP_JSON) and kept.
        args.pop("bom")
        return Response(read(lambda session: heatmap_json(
            session, current_user(), kept=kept_answers(),
            max_days=current_app.config["REPORTS_MAX_DAYS"], **args)),
            mimetype="application/json")


@blp.route("/reports/heatmap.csv")
class HeatmapCsv(MethodView):
    @blp.arguments(ReportScopeArgsSchema, location="query")
    @blp.doc(responses=CSV_ONLY)
    @blp.problems(401, 403, 422)
    def get(self, args):
        """The heat map as CSV, whatever the Accept header says

        Definitions of the figures: docs/reports.md#definitions.
        """
        return _heatmap(args)[1]()


def _partner(args):
    bom = args.pop("bom")
    document = read(lambda session: partner.partner_equipment(
        session, current_user(), max_days=current_app.config["REPORTS_MAX_DAYS"], **args))
    return document, lambda: csv_response(
        PARTNER_COLUMNS, ([row[c] for c in PARTNER_COLUMNS] for row in document["rows"]),
        f"partner-equipment-{document['group_by']}-{document['from_']}-{document['to']}.csv",
        bom=bom)


@blp.route("/reports/partner-equipment")
class PartnerEquipment(MethodView):
    @blp.arguments(PartnerQueryArgsSchema, location="query")
    @blp.response(200, PartnerEquipmentSchema, headers=READ_HEADERS)
    @blp.alt_response(200, schema={"type": "string"}, content_type=CSV, success=True,
                      description="One line per group (Accept: text/csv).")
    @blp.problems(401, 403, 422)
    def get(self, args):
        """Hours your school's people booked and used of partner equipment

        Equipment your school does not own: the enterprises' items offered to it. Per group,
        over the local days [from, to): the hours the offers to your school offered, the hours
        your people booked and used under them (within what was offered), sessions, no-shows
        and outcomes recorded; `totals` sums them. Kept apart from your own equipment, which
        /reports/utilisation reports. The same figures as the enterprise's impact, for the
        offers to your school only. For a school's admins; anyone else 403 not_school_admin.

        Definitions of the figures: docs/reports.md#definitions.
        """
        document, as_csv = _partner(args)
        return as_csv() if wants_csv() else document


@blp.route("/reports/partner-equipment.csv")
class PartnerEquipmentCsv(MethodView):
    @blp.arguments(PartnerQueryArgsSchema, location="query")
    @blp.doc(responses=CSV_ONLY)
    @blp.problems(401, 403, 422)
    def get(self, args):
        """The partner-equipment report as CSV, whatever the Accept header says

        Definitions of the figures: docs/reports.md#definitions.
        """
        return _partner(args)[1]()


@blp.route("/reports/runs")
class Runs(MethodView):
    @blp.arguments(RunQueryArgsSchema, location="query")
    @blp.response(200, RunPageSchema, headers=READ_HEADERS)
    @blp.problems(401, 403)
    def get(self, args):
        """The report builds: scheduled, rebuilt or backfilled, with status and rows

        For the roles that see reports (admins, enterprise staff, operators); others 403.

        Definitions of the figures: docs/reports.md#definitions.
        """
        return read(lambda session: queries.list_runs(session, current_user(), **args))


# An operator's correction of past opening hours lives with the reports it rebuilds.
@blp.route("/training-bases/<int:base_id>/opening-hours/corrections")
class OpeningHoursCorrections(MethodView):
    @roles("operator")
    @blp.arguments(OpeningHoursCorrectionSchema)
    @blp.response(201, OpeningHoursCorrectionResultSchema)
    @blp.problems(401, 403, 404)
    def post(self, body, base_id):
        """Correct a base's opening hours in the past (operator)

        Rewrites the history from effective_from to until (inclusive; absent: from then on),
        records the correction and its reason in the base organisation's audit history, and
        rebuilds every stored report period those days touch (report runs with trigger
        correction), listed in rebuilt.
        """
        return corrections.correct_opening_hours(db.session, current_user(), base_id, **body)


# The drill-down's view, on this blueprint (imported last: it imports `blp`).
from . import drilldown_routes  # noqa: E402, F401
