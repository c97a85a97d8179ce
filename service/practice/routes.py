"""HTTP layer of practice hours: per student, category and period; JSON or CSV (by
`Accept: text/csv`, or the `.csv` URL)."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from ..accounts.auth import current_user
from ..csv_export import CSV, csv_response, wants_csv
from ..db import db
from ..http import Blueprint
from . import queries
from .schemas import (
    ClassPracticeArgsSchema,
    ClassPracticeSchema,
    PracticeQueryArgsSchema,
    PracticeSchema,
)

blp = Blueprint("practice", __name__, url_prefix="/api/v1",
                description="Hours each student practised on the equipment.")

COLUMNS = {"student": ("student_id", "student_name", "category", "period_start", "hours",
                       "sessions"),
           "school": ("school_id", "school_name", "category", "period_start", "students",
                      "hours", "sessions")}
CSV_ONLY = {"200": {"description": "CSV, one header line.", "content": {
    CSV: {"schema": {"type": "string"}}},
    "headers": {"Content-Disposition": {"schema": {"type": "string"},
                                        "description": "attachment; the file name."}}}}


def _practice(args):
    bom = args.pop("bom")
    document = queries.practice_hours(db.session, current_user(),
                                      max_days=current_app.config["REPORTS_MAX_DAYS"], **args)
    columns = COLUMNS[document["group_by"]]
    return document, lambda: csv_response(
        columns, ([row[c] for c in columns] for row in document["rows"]),
        f"practice-{document['granularity']}-{document['from_']}-{document['to']}.csv", bom=bom)


@blp.route("/reports/practice")
class Practice(MethodView):
    @blp.arguments(PracticeQueryArgsSchema, location="query")
    @blp.response(200, PracticeSchema)
    @blp.alt_response(200, schema={"type": "string"}, content_type=CSV, success=True,
                      description="One line per student (or school), category and period "
                                  "(Accept: text/csv).")
    @blp.problems(401, 403, 422)
    def get(self, args):
        """Practice hours per student, equipment category and local period

        As holder from check-in to check-out (or the end), as a checked-in attendee from the
        later of their and the class's check-in to its check-out (or the end); overlapping
        time counts once. Instructors and admins see their school's students (group_by=school:
        the school's totals), a student themselves (another's student_id, or group_by=school:
        403 own_practice_only); operators every school's totals with no person in them
        (group_by=school, the default for them: student_id or group_by=student is 403
        no_personal_figures); enterprise staff 403 not_reporting.

        Definitions of the figures: docs/reports.md#definitions.
        """
        document, as_csv = _practice(args)
        return as_csv() if wants_csv() else document


@blp.route("/reports/practice.csv")
class PracticeCsv(MethodView):
    @blp.arguments(PracticeQueryArgsSchema, location="query")
    @blp.doc(responses=CSV_ONLY)
    @blp.problems(401, 403, 422)
    def get(self, args):
        """Practice hours as CSV, whatever the Accept header says

        Definitions of the figures: docs/reports.md#definitions.
        """
        return _practice(args)[1]()


@blp.route("/classes/<int:class_id>/practice")
class ClassPractice(MethodView):
    @blp.arguments(ClassPracticeArgsSchema, location="query")
    @blp.response(200, ClassPracticeSchema)
    @blp.problems(401, 403, 404, 422)
    def get(self, args, class_id):
        """Practice hours of a class's members over local days, each and in total

        Counted as /reports/practice counts them (docs/reports.md#definitions). Its school's
        instructors and admins; a student in it sees their own row only.
        """
        return queries.class_practice(db.session, current_user(), class_id,
                                      max_days=current_app.config["REPORTS_MAX_DAYS"], **args)
