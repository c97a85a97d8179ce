"""Shapes of the practice-hours API, one schema per direction."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from ..catalogue.schemas import ID
from ..csv_export import CsvArgsSchema
from ..http import BaseSchema, Integer
from ..reports.models import GRANULARITIES
from ..reports.schemas import CODE, DAYS

GROUPS = ("student", "school")


class PracticeQueryArgsSchema(CsvArgsSchema):
    granularity = ma.fields.String(load_default="day", validate=validate.OneOf(GRANULARITIES),
                                   metadata={"description": "day, week (ISO) or month."})
    from_ = ma.fields.Date(data_key="from", required=True, validate=DAYS, metadata={
        "description": "First local day; periods starting on or after it."})
    to = ma.fields.Date(required=True, validate=DAYS, metadata={
        "description": "Local day after the last; periods starting before it. At most "
                       "REPORTS_MAX_DAYS (366) days after from."})
    category = ma.fields.String(validate=CODE, metadata={"description": "Category code."})
    student_id = Integer(validate=ID, metadata={
        "description": "Only this student (students: only themselves; operators: 403 "
                       "no_personal_figures)."})
    group_by = ma.fields.String(validate=validate.OneOf(GROUPS), metadata={
        "description": "student: a row per student, with their name (the default for a "
                       "school's people); school: a row per school with no person in it (the "
                       "only one operators get; students: 403 own_practice_only)."})

    @ma.validates_schema
    def _span(self, data, **kwargs):
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ma.ValidationError("Must be after from.", "to")


class PracticeRowSchema(ma.Schema):
    student_id = Integer(metadata={"description": "group_by=student only."})
    student_name = ma.fields.String(metadata={"description": "group_by=student only."})
    school_id = Integer(metadata={"description": "group_by=school only."})
    school_name = ma.fields.String(metadata={"description": "group_by=school only."})
    students = Integer(metadata={
        "description": "group_by=school only: how many of its students practised."})
    category = ma.fields.String(required=True, metadata={"description": "Category code."})
    period_start = ma.fields.Date(required=True, metadata={
        "description": "First local day of the period, in the item's base zone."})
    hours = ma.fields.Float(required=True, metadata={
        "description": "Practised as holder (check-in to check-out, or to the end) or as a "
                       "checked-in attendee (to the class's check-out, or its end); time "
                       "spent both ways at once counts once: used hours per student "
                       "(docs/reports.md#used); per school, its students' hours summed."})
    sessions = Integer(required=True, metadata={
        "description": "Distinct reservations practised in that period (per school: a "
                       "class counts once, however many of its students attended)."})


class PracticeSchema(ma.Schema):
    granularity = ma.fields.String(required=True)
    from_ = ma.fields.Date(data_key="from", required=True)
    to = ma.fields.Date(required=True)
    group_by = ma.fields.String(required=True, metadata={"description": "student or school."})
    rows = ma.fields.List(ma.fields.Nested(PracticeRowSchema), required=True)


class ClassPracticeArgsSchema(BaseSchema):
    from_ = ma.fields.Date(data_key="from", required=True, validate=DAYS, metadata={
        "description": "First local day."})
    to = ma.fields.Date(required=True, validate=DAYS, metadata={
        "description": "Local day after the last; at most REPORTS_MAX_DAYS after from."})
    category = ma.fields.String(validate=CODE, metadata={"description": "Category code."})

    @ma.validates_schema
    def _span(self, data, **kwargs):
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ma.ValidationError("Must be after from.", "to")


class MemberPracticeSchema(ma.Schema):
    student_id = Integer(required=True)
    full_name = ma.fields.String(required=True)
    student_number = ma.fields.String(allow_none=True, required=True)
    hours = ma.fields.Float(required=True, metadata={
        "description": "Practice hours as /reports/practice counts them, over the days."})


class ClassPracticeSchema(ma.Schema):
    class_id = Integer(required=True)
    class_name = ma.fields.String(required=True)
    from_ = ma.fields.Date(data_key="from", required=True)
    to = ma.fields.Date(required=True)
    category = ma.fields.String(allow_none=True, required=True)
    members = ma.fields.List(ma.fields.Nested(MemberPracticeSchema), required=True)
    total_hours = ma.fields.Float(required=True)
