"""Shapes of the reports API, one schema per direction."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import validate

from ..catalogue.schemas import ID
from ..csv_export import CsvArgsSchema
from ..http import Integer, PageArgsSchema, page_schema
from .models import GRANULARITIES, RUN_STATUSES, TRIGGERS

DAYS = validate.Range(min=date(1970, 1, 1), max=date(2199, 12, 31))
GROUPS = ("item", "base", "category", "owner", "kind", "school")
CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_-]*$", error="Not a category code.")


class ReportScopeArgsSchema(CsvArgsSchema):
    """The days and the equipment a report is about (and, as CSV, whether with a BOM)."""

    from_ = ma.fields.Date(data_key="from", required=True, validate=DAYS, metadata={
        "description": "First local day (in each item's base zone)."})
    to = ma.fields.Date(required=True, validate=DAYS, metadata={
        "description": "Local day after the last; after from, at most REPORTS_MAX_DAYS "
                       "(366 by default) later."})
    base_id = Integer(validate=ID)
    category = ma.fields.String(validate=CODE, metadata={"description": "Category code."})
    owner_id = Integer(validate=ID, metadata={"description": "Owner organisation id."})

    @ma.validates_schema
    def _span(self, data, **kwargs):
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ma.ValidationError("Must be after from.", "to")


class UtilisationQueryArgsSchema(ReportScopeArgsSchema):
    granularity = ma.fields.String(load_default="day", validate=validate.OneOf(GRANULARITIES),
                                   metadata={"description": "Periods starting in [from, to)."})
    group_by = ma.fields.String(load_default="item", validate=validate.OneOf(GROUPS), metadata={
        "description": "item, base, category, owner (organisation), kind (school-owned "
                       "against enterprise-owned equipment), or school (everything you see, "
                       "summed)."})


class HeatmapCellSchema(ma.Schema):
    weekday = ma.fields.Integer(required=True, metadata={"description": "ISO, 1 = Monday."})
    hour = ma.fields.Integer(required=True, metadata={"description": "Local hour, 0-23."})
    booked_hours = ma.fields.Float(required=True, metadata={
        "description": "Booked hours of the items in scope falling in this local weekday "
                       "and hour (docs/reports.md#booked)."})


class HeatmapSchema(ma.Schema):
    from_ = ma.fields.Date(data_key="from", required=True)
    to = ma.fields.Date(required=True)
    cells = ma.fields.List(ma.fields.Nested(HeatmapCellSchema), required=True, metadata={
        "description": "All 168 cells, by weekday then hour."})
    booked_hours = ma.fields.Float(required=True, metadata={
        "description": "Sum of the cells (docs/reports.md#booked)."})


def _hours(description: str):
    return ma.fields.Float(required=True, metadata={"description": description})


def _ratio(description: str):
    return ma.fields.Float(required=True, allow_none=True, metadata={
        "description": f"{description} Null when nothing was available."})


class UtilisationRowSchema(ma.Schema):
    period_start = ma.fields.Date(required=True, metadata={
        "description": "First local day of the period, in each item's base zone."})
    group_by = ma.fields.String(required=True)
    group_id = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Id of the item, base, category or owner; null for kind and school."})
    group_name = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "Name of the item, base, category or owner as it is today; for kind "
                       "\"school\" or \"enterprise\"; null for school."})
    available_hours = _hours("Opening hours less closures and blackouts (enterprise items: "
                             "inside the windows of open offers) (docs/reports.md#available).")
    booked_hours = _hours("Confirmed, checked-in, completed and no-show reservations, inside "
                          "the available hours (docs/reports.md#booked).")
    used_hours = _hours("Check-in to check-out (or to the end), cut to the booked span "
                        "(docs/reports.md#used).")
    utilisation = _ratio("booked / available, hours summed first (docs/reports.md#booked, "
                         "docs/reports.md#available).")
    usage = _ratio("used / available, hours summed first (docs/reports.md#used, "
                   "docs/reports.md#available).")
    no_shows = ma.fields.Integer(required=True)
    cancellations = ma.fields.Integer(required=True)
    late_cancellations = ma.fields.Integer(required=True, metadata={
        "description": "Cancelled less than 24 hours before the start."})
    stored = ma.fields.Boolean(required=True, metadata={
        "description": "From the stored rows of a built period; false: computed now (a period "
                       "still under way, or not built yet)."})


class UtilisationSchema(ma.Schema):
    granularity = ma.fields.String(required=True)
    from_ = ma.fields.Date(data_key="from", required=True)
    to = ma.fields.Date(required=True)
    group_by = ma.fields.String(required=True)
    rows = ma.fields.List(ma.fields.Nested(UtilisationRowSchema), required=True)


class RunQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "period_start", "started_at")
    granularity = ma.fields.String(validate=validate.OneOf(GRANULARITIES))
    status = ma.fields.String(validate=validate.OneOf(RUN_STATUSES))
    trigger = ma.fields.String(validate=validate.OneOf(TRIGGERS))


class RunSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    granularity = ma.fields.String(required=True)
    period_start = ma.fields.Date(required=True)
    trigger = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    started_at = ma.fields.AwareDateTime(required=True)
    finished_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    rows = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "Rows written (one per item on the platform); null for all but "
                       "operators."})
    error = ma.fields.String(required=True, metadata={
        "description": "Why a failed build failed (operators see the error itself)."})


RunPageSchema = page_schema(RunSchema, "ReportRunPage")
