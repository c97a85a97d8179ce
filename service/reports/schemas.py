"""Shapes of the reports API, one schema per direction."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import validate

from ..catalogue.schemas import ID, OpeningHoursSchema
from ..csv_export import CsvArgsSchema
from ..http import BaseSchema, Integer, PageArgsSchema, page_schema
from .models import GRANULARITIES, RUN_STATUSES, TRIGGERS
from .partner import PARTNER_GROUPS

DAYS = validate.Range(min=date(1970, 1, 1), max=date(2199, 12, 31))
GROUPS = ("item", "base", "category", "owner", "kind", "school")
CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_-]*$", error="Not a category code.")


class ReportDaysArgsSchema(CsvArgsSchema):
    """The local days a report is about (and, as CSV, whether with a BOM)."""

    from_ = ma.fields.Date(data_key="from", required=True, validate=DAYS, metadata={
        "description": "First local day (in each item's base zone)."})
    to = ma.fields.Date(required=True, validate=DAYS, metadata={
        "description": "Local day after the last; after from, at most REPORTS_MAX_DAYS "
                       "(366 by default) later."})

    @ma.validates_schema
    def _span(self, data, **kwargs):
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ma.ValidationError("Must be after from.", "to")


class ReportScopeArgsSchema(ReportDaysArgsSchema):
    """The days and the equipment a report is about."""

    base_id = Integer(validate=ID)
    category = ma.fields.String(validate=CODE, metadata={"description": "Category code."})
    owner_id = Integer(validate=ID, metadata={"description": "Owner organisation id."})


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
    open_hours = ma.fields.Float(required=True, metadata={
        "description": "Available hours of the items in scope in this local weekday and hour "
                       "over the days (docs/reports.md#available); 0: closed."})
    occupancy = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "booked_hours / open_hours, a share of 0-1; null when open_hours is 0 "
                       "(the cell is closed, not idle)."})


class HeatmapSchema(ma.Schema):
    from_ = ma.fields.Date(data_key="from", required=True)
    to = ma.fields.Date(required=True)
    cells = ma.fields.List(ma.fields.Nested(HeatmapCellSchema), required=True, metadata={
        "description": "All 168 cells, by weekday then hour."})
    booked_hours = ma.fields.Float(required=True, metadata={
        "description": "Sum of the cells (docs/reports.md#booked)."})
    open_hours = ma.fields.Float(required=True, metadata={
        "description": "Sum of the cells' open hours: the utilisation report's available "
                       "hours of the same scope and days (docs/reports.md#available)."})
    unit = ma.fields.String(required=True, metadata={
        "description": "What a cell's occupancy is a share of.",
        "enum": ["share_of_open_hours"]})


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
    available_hours = _hours("Opening hours less closures and blackouts, for a school's and "
                             "an enterprise's item alike (docs/reports.md#available).")
    booked_hours = _hours("Confirmed, checked-in, completed and no-show reservations, inside "
                          "the available hours (docs/reports.md#booked).")
    used_hours = _hours("Check-in to check-out (or to the end), cut to the booked span "
                        "(docs/reports.md#used).")
    offered_hours = _hours("Of the available hours, those inside the windows of approved "
                           "offers while they were open; 0 for a school's item "
                           "(docs/reports.md#offered).")
    utilisation = _ratio("booked / available, hours summed first (docs/reports.md#booked, "
                         "docs/reports.md#available).")
    usage = _ratio("used / available, hours summed first (docs/reports.md#used, "
                   "docs/reports.md#available).")
    no_shows = ma.fields.Integer(required=True)
    cancellations = ma.fields.Integer(required=True)
    late_cancellations = ma.fields.Integer(required=True, metadata={
        "description": "Cancelled less than 24 hours before the start."})
    lapses = ma.fields.Integer(required=True, metadata={
        "description": "Requests starting in the period that the owner never decided in time "
                       "(status lapsed; docs/reports.md#lapses)."})
    stored = ma.fields.Boolean(required=True, metadata={
        "description": "From the stored rows of a built period; false: computed now (a period "
                       "still under way, or not built yet)."})


class UtilisationSchema(ma.Schema):
    granularity = ma.fields.String(required=True)
    from_ = ma.fields.Date(data_key="from", required=True)
    to = ma.fields.Date(required=True)
    group_by = ma.fields.String(required=True)
    rows = ma.fields.List(ma.fields.Nested(UtilisationRowSchema), required=True)


class PartnerQueryArgsSchema(ReportDaysArgsSchema):
    group_by = ma.fields.String(load_default="offer", validate=validate.OneOf(PARTNER_GROUPS),
                                metadata={"description": "offer, item, enterprise or category."})
    granularity = ma.fields.String(validate=validate.OneOf(GRANULARITIES), metadata={
        "description": "Rows per local day, ISO week or month starting in [from, to); "
                       "without it, one row per group over the whole span."})


class PartnerFiguresSchema(ma.Schema):
    hours_offered = _hours("Hours the partner's offers to your school offered of its items: "
                           "their windows inside the base's opening hours, less closures and "
                           "blackouts, while open (docs/reports.md#offered).")
    hours_booked = _hours("Hours your people booked under those offers, within what they "
                          "offered (docs/reports.md#booked).")
    hours_used = _hours("Hours your people used of those bookings (docs/reports.md#used).")
    utilisation = _ratio("hours_booked / hours_offered.")
    sessions = ma.fields.Integer(required=True, metadata={
        "description": "Completed reservations starting in the days."})
    no_shows = ma.fields.Integer(required=True)
    outcomes_received = ma.fields.Integer(required=True, metadata={
        "description": "Outcomes recorded of sessions starting in the days."})


class PartnerRowSchema(PartnerFiguresSchema):
    period_start = ma.fields.Date(required=True, metadata={
        "description": "First local day of the row's period (from, without a granularity)."})
    group_by = ma.fields.String(required=True)
    group_id = ma.fields.Integer(required=True, metadata={
        "description": "Id of the offer, item, enterprise or category."})
    group_name = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "Its name as it is today (an offer: \"Offer <id> of <enterprise>\")."})
    enterprise_id = ma.fields.Integer(required=True, allow_none=True, metadata={
        "description": "The partner enterprise (null when grouped by category)."})


class PartnerEquipmentSchema(ma.Schema):
    from_ = ma.fields.Date(data_key="from", required=True)
    to = ma.fields.Date(required=True)
    school_id = ma.fields.Integer(required=True)
    group_by = ma.fields.String(required=True)
    granularity = ma.fields.String(required=True, allow_none=True)
    rows = ma.fields.List(ma.fields.Nested(PartnerRowSchema), required=True)
    totals = ma.fields.Nested(PartnerFiguresSchema, required=True, metadata={
        "description": "All partner equipment, summed."})


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


# An operator's correction of a base's past opening hours (reports/corrections.py) --------

class OpeningHoursCorrectionSchema(BaseSchema):
    effective_from = ma.fields.Date(required=True, validate=DAYS, metadata={
        "description": "First local day corrected; may be in the past."})
    until = ma.fields.Date(validate=DAYS, metadata={
        "description": "Last local day corrected (inclusive); absent: every day from "
                       "effective_from on."})
    opening_hours = ma.fields.List(ma.fields.Nested(OpeningHoursSchema), required=True,
                                   validate=validate.Length(max=70), metadata={
        "description": "The week that was (or is) in force over the corrected days."})
    reason = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("until") is not None and data["until"] < data["effective_from"]:
            raise ma.ValidationError("Must not be before effective_from.", "until")


class RebuiltPeriodSchema(ma.Schema):
    granularity = ma.fields.String(required=True)
    period_start = ma.fields.Date(required=True)
    run_id = Integer(allow_none=True, metadata={
        "description": "The report run (trigger correction) that rebuilt it; null if it "
                       "failed (status failed)."})
    status = ma.fields.String(required=True, metadata={"enum": ["succeeded", "failed"]})


class OpeningHoursCorrectionResultSchema(ma.Schema):
    base_id = Integer(required=True)
    effective_from = ma.fields.Date(required=True)
    until = ma.fields.Date(allow_none=True, required=True)
    opening_hours = ma.fields.List(ma.fields.Nested(OpeningHoursSchema), required=True)
    reason = ma.fields.String(required=True)
    audit_entry_id = Integer(required=True, metadata={
        "description": "The audit entry recording the correction (the base's organisation "
                       "reads it)."})
    rebuilt = ma.fields.List(ma.fields.Nested(RebuiltPeriodSchema), required=True, metadata={
        "description": "Every stored report period the corrected days touch, rebuilt."})


DRILL_FIGURES = ("booked", "used", "no_show", "cancelled", "late_cancellation", "lapsed")


class DrilldownQueryArgsSchema(PageArgsSchema, ReportScopeArgsSchema):
    """Which figure's reservations: a heat-map cell (weekday and hour) or a figure of the
    utilisation report, over the local days [from, to) and the scope."""

    SORTABLE = ("starts_at", "hours", "equipment_name", "id")

    class Meta(PageArgsSchema.Meta):
        exclude = ("bom",)  # JSON only

    sort = ma.fields.String(load_default="starts_at", metadata={
        "description": "starts_at, hours, equipment_name or id; prefix with '-' for "
                       "descending."})
    equipment_id = Integer(validate=ID)
    weekday = Integer(validate=validate.Range(min=1, max=7), metadata={
        "description": "ISO weekday of a heat-map cell (1 = Monday); with hour."})
    hour = Integer(validate=validate.Range(min=0, max=23), metadata={
        "description": "Local hour of a heat-map cell (0-23); with weekday."})
    figure = ma.fields.String(validate=validate.OneOf(DRILL_FIGURES), metadata={
        "description": "The utilisation figure (booked by default; a cell is booked hours)."})

    @ma.validates_schema
    def _cell(self, data, **kwargs):
        if ("weekday" in data) != ("hour" in data):
            missing = "hour" if "weekday" in data else "weekday"
            raise ma.ValidationError("Give weekday and hour together.", missing)
        if "weekday" in data and data.get("figure", "booked") != "booked":
            raise ma.ValidationError("A heat-map cell holds booked hours only.", "figure")


class DrilledReservationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    equipment_id = ma.fields.Integer(required=True)
    equipment_name = ma.fields.String(required=True)
    base_id = ma.fields.Integer(required=True)
    base_name = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True, metadata={"description": "The base's zone."})
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    status = ma.fields.String(required=True)
    holder_name = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "null for an operator: the platform reads nobody inside an "
                       "organisation by name (docs/tenancy.md), only the organisation."})
    holder_organisation_name = ma.fields.String(required=True)
    hours = ma.fields.Float(required=True, metadata={
        "description": "This reservation's share of the figure: its booked (used) hours in "
                       "the cell or the days, within the available hours, time two "
                       "reservations overlap counted for the earlier; for a counted figure "
                       "(no_show, cancelled, late_cancellation, lapsed) its length."})


class DrilldownPageSchema(page_schema(DrilledReservationSchema, "DrilledReservationPage")):
    hours = ma.fields.Float(required=True, metadata={
        "description": "Sum over all matches: the figure itself (the cell's booked_hours of "
                       "/reports/heatmap; booked_hours or used_hours of /reports/utilisation "
                       "for the same days and scope); for a counted figure `total` is it."})
    figure = ma.fields.String(required=True)
