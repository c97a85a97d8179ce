"""Shapes of judging a span before booking: the items bookable then, a series' preview."""

from __future__ import annotations

import marshmallow as ma

from ..api import ProblemSchema
from ..calendar import statuses
from ..calendar.wallclock import END_OF_DAY
from ..catalogue.schemas import CODE, DAYS, ID, ClosingTime, LocalTime
from ..http import Integer, PageArgsSchema, page_schema

ZONE = {"description": "The item's zone (its base's, IANA name), whose offsets the instants "
                       "here carry.", "example": "Asia/Shanghai"}

# A booking starts as one of the statuses not yet under way.
STATUS_NOW = {"enum": list(statuses.NOT_UNDER_WAY), "description": (
    "What a booking made now would become: pending when the item (or the offer it is booked "
    "under) asks for approval; null when refused.")}
REFUSAL = ("The problem POST /reservations would answer the caller for this span (status, "
           "code, title, detail and the code's extension members: docs/booking-rules.md"
           "#judging-a-span-before-booking); null when bookable.")

# The refusals booking a span can meet, each with its extension members (said on every
# operation that answers them).
REFUSALS = (
    "Booking refusals and their extension members: reservation_conflict "
    "(conflicting_span, timezone), equipment_blacked_out (conflicting_span, timezone), "
    "quota_exceeded (quota, limit, booked_hours, frees_at, timezone), qualification_required "
    "(category_id, category_code, category_name, granted_by; unqualified_attendees and "
    "unqualified for a class), beyond_booking_horizon (booking_horizon_days, latest_start), "
    "not_on_slot_grid (slot_minutes, timezone), duration_out_of_range (min_duration_minutes, "
    "max_duration_minutes), outside_opening_hours, base_closed and outside_offer_window "
    "(timezone), offer_budget_exceeded (weekly_hours_budget, counted_hours, week_starts_at, "
    "timezone), equipment_unavailable (equipment_status), starts_in_past, too_many_attendees, "
    "not_offered_to_your_school.")


class Refusal(ma.fields.Nested):
    """A problem object as the service renders it (service/errors.py), documented as the
    Problem schema and passed through as built: every member it carries reaches the client."""

    def __init__(self, **kwargs):
        # `nullable` said in metadata, not allow_none: apispec would document null as "any
        # object" beside the Problem schema; this way the document reads "Problem or null".
        super().__init__(ProblemSchema, required=True,
                         metadata={"description": REFUSAL, "nullable": True}, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class BookableQueryArgsSchema(PageArgsSchema):
    """page and page_size, but no sort: bookable items come first, then by name."""

    class Meta(PageArgsSchema.Meta):
        exclude = ("sort",)

    on = ma.fields.Date(required=True, validate=DAYS, metadata={
        "description": "The local day, in each item's base's zone."})
    from_ = LocalTime(data_key="from", required=True, format="%H:%M", metadata={
        "description": "Local start, HH:MM, on `on` in each item's base's zone."})
    to = ClosingTime(required=True, metadata={
        "description": "Local end, HH:MM, or 24:00 for midnight at the end of `on`."})
    base_id = Integer(validate=ID, metadata={
        "description": "Only this base's items (404 for a base you do not see)."})
    category = ma.fields.String(validate=CODE, metadata={"description": "Category code."})

    @ma.validates_schema
    def _to_after_from(self, data, **kwargs):
        if "from_" in data and "to" in data and data["to"] != END_OF_DAY \
                and data["to"] <= data["from_"]:
            raise ma.ValidationError("Must be after from.", "to")


class JudgedItemSchema(ma.Schema):
    id = Integer(required=True)
    name = ma.fields.String(required=True)
    base_id = Integer(required=True)
    base_name = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True, metadata=dict(ZONE))
    category_code = ma.fields.String(required=True)
    category_name = ma.fields.String(required=True)
    owner_name = ma.fields.String(required=True)
    requires_approval = ma.fields.Boolean(required=True)
    requires_qualification = ma.fields.Boolean(required=True)


class JudgedSpanSchema(ma.Schema):
    equipment = ma.fields.Nested(JudgedItemSchema, required=True)
    starts_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "The span's start (UTC; `timezone` is the item's zone)."})
    ends_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "The span's end (UTC; `timezone` is the item's zone)."})
    timezone = ma.fields.String(required=True, metadata=dict(ZONE))
    bookable = ma.fields.Boolean(required=True)
    status = ma.fields.String(required=True, allow_none=True, metadata=STATUS_NOW)
    refusal = Refusal()


BookablePageSchema = page_schema(JudgedSpanSchema, "BookablePageSchema")


class PreviewOccurrenceSchema(ma.Schema):
    date = ma.fields.Date(required=True, metadata={"description": "The local day."})
    starts_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "UTC, like every instant in answers; `timezone` is the item's zone."})
    ends_at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "UTC, like every instant in answers; `timezone` is the item's zone."})
    bookable = ma.fields.Boolean(required=True)
    status = ma.fields.String(required=True, allow_none=True, metadata=STATUS_NOW)
    refusal = Refusal()


class SeriesPreviewSchema(ma.Schema):
    equipment_id = Integer(required=True)
    timezone = ma.fields.String(required=True, metadata=dict(ZONE))
    occurrences = ma.fields.List(ma.fields.Nested(PreviewOccurrenceSchema), required=True)
    bookable = Integer(required=True, metadata={"description": "Sessions that would be booked."})
    refused = Integer(required=True, metadata={"description": "Sessions that would be refused."})
