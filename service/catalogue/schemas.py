"""Shapes of the catalogue API, one schema per direction."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import validate

from ..calendar.wallclock import END_OF_DAY
from ..http import BaseSchema, Boolean, Instant, Integer, PageArgsSchema, page_schema
from ..i18n import label_field
from .models import BASE_KINDS, EQUIPMENT_STATUSES

NAME = validate.Length(min=1, max=200)
NAME_ZH = validate.Length(max=200)
TEXT = validate.Length(max=5000)
ID = validate.Range(min=1, max=2**63 - 1)


# What strptime's %H:%M reads (one or two digits each), as the document's patterns.
HH_MM = r"(2[0-3]|[01][0-9]|[0-9]):([0-5][0-9]|[0-9])"
# A close is that, but not midnight at the start of the day, or 24:00.
CLOSING = (r"^(24:00|(2[0-3]|1[0-9]|0?[1-9]):([0-5][0-9]|[0-9])"
           r"|0?0:([0-5][1-9]|[1-5]0|[1-9]))$")


class LocalTime(ma.fields.Time):
    """A wall-clock time of the base's own zone: '08:00' or '08:00:00', never with an offset."""

    def __init__(self, **kwargs):
        if kwargs.get("format") == "%H:%M":
            kwargs["metadata"] = {"pattern": f"^{HH_MM}$", **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.tzinfo is not None:
            raise ma.ValidationError("Give a local time without an offset.")
        return parsed


class ClosingTime(LocalTime):
    """The local time a span closes: '18:00', or '24:00' for midnight at the end of its day
    (held as END_OF_DAY). '00:00' is refused: a span cannot close before it opens."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("metadata", {}).setdefault("pattern", CLOSING)
        kwargs["metadata"].setdefault(
            "description", "Local time of closing, HH:MM; 24:00 is midnight at the end of "
                           "the day (a span ending at 24:00 and one starting at 00:00 the next "
                           "day are one continuous span).")
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value == END_OF_DAY:
            return "24:00"
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "24:00":
            return END_OF_DAY
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed == END_OF_DAY:
            raise ma.ValidationError("A span closes at 24:00 at the end of its day, not 00:00.")
        return parsed


DAYS = validate.Range(min=date(1970, 1, 1), max=date(2199, 12, 31))


# ---------------------------------------------------------------- training bases

class OpeningHoursSchema(BaseSchema):
    """One span of a weekday."""

    weekday = Integer(required=True, validate=validate.Range(min=1, max=7),
                                metadata={"description": "ISO weekday, 1 = Monday."})
    opens = LocalTime(required=True, format="%H:%M", metadata={
        "description": "Local time of opening, HH:MM, 00:00 to 23:59."})
    closes = ClosingTime(required=True, metadata={
        "description": "Local time of closing, HH:MM, after opens; 24:00 is midnight at the "
                       "end of the day (joined to a span opening at 00:00 the next day). The "
                       "spans of one weekday do not overlap: else 422 invalid_opening_hours, "
                       "each problem named per day."})


class OpeningHoursChangeSchema(ma.Schema):
    effective_from = ma.fields.Date(required=True, metadata={
        "description": "First local day of this week."})
    opening_hours = ma.fields.List(ma.fields.Nested(OpeningHoursSchema), required=True)


class TrainingBaseSchema(ma.Schema):
    id = Integer(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(BASE_KINDS)})
    organisation_id = Integer(required=True, metadata={
        "description": "The organisation that runs the base."})
    co_owner_ids = ma.fields.List(Integer(), required=True, metadata={
        "description": "Organisations that co-own a co-built base and may place equipment."})
    address = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    opening_hours = ma.fields.List(
        ma.fields.Nested(OpeningHoursSchema), required=True, attribute="answered_hours",
        metadata={"description": "The week in force on opening_hours_on: today in the base's "
                                 "zone, or the day asked for with ?on=."})
    opening_hours_on = ma.fields.Date(required=True, attribute="answered_day", metadata={
        "description": "The local day opening_hours are in force on."})
    opening_hours_changes = ma.fields.List(
        ma.fields.Nested(OpeningHoursChangeSchema), required=True, attribute="hours_changes",
        metadata={"description": "Each later day the week changes, with the week from then "
                                 "on (after today: the changes scheduled)."})
    version = Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


class TrainingBaseCreateSchema(BaseSchema):
    name = ma.fields.String(required=True, validate=NAME)
    kind = ma.fields.String(required=True, validate=validate.OneOf(BASE_KINDS))
    organisation_id = Integer(validate=ID, metadata={
        "description": "The organisation that runs the base: yours (the default)."})
    co_owner_ids = ma.fields.List(Integer(validate=ID), load_default=list,
                                  validate=validate.Length(max=50), metadata={
        "description": "Co-built bases only: the other organisations that co-own it and may "
                       "place their equipment there."})
    address = ma.fields.String(load_default="", validate=TEXT)
    timezone = ma.fields.String(required=True, validate=validate.Length(min=1, max=64),
                                metadata={"description": "IANA time zone, e.g. Asia/Shanghai."})
    description = ma.fields.String(load_default="", validate=TEXT)
    opening_hours = ma.fields.List(ma.fields.Nested(OpeningHoursSchema), load_default=list,
                                   validate=validate.Length(max=70))


class TrainingBaseUpdateSchema(BaseSchema):
    name = ma.fields.String(validate=NAME)
    kind = ma.fields.String(validate=validate.OneOf(BASE_KINDS))
    co_owner_ids = ma.fields.List(Integer(validate=ID),
                                  validate=validate.Length(max=50), metadata={
        "description": "Replaces the co-owners; one whose equipment stands there stays (409)."})
    address = ma.fields.String(validate=TEXT)
    timezone = ma.fields.String(validate=validate.Length(min=1, max=64))
    description = ma.fields.String(validate=TEXT)
    opening_hours = ma.fields.List(ma.fields.Nested(OpeningHoursSchema),
                                   validate=validate.Length(max=70), metadata={
        "description": "The week from opening_hours_from on; everything in force from that "
                       "day (changes scheduled after it too) is replaced, days before it "
                       "never."})
    opening_hours_from = ma.fields.Date(validate=DAYS, metadata={
        "description": "First local day (in the base's zone) the new opening_hours apply: "
                       "today or later (422 effective_date_in_past); default tomorrow."})


class TrainingBaseGetArgsSchema(BaseSchema):
    on = ma.fields.Date(validate=DAYS, metadata={
        "description": "Answer the opening hours in force on this local day (default today)."})


class TrainingBaseQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "name")
    kind = ma.fields.String(validate=validate.OneOf(BASE_KINDS))
    organisation_id = Integer(validate=ID)
    q = ma.fields.String(validate=validate.Length(min=1, max=100))


class ClosureSchema(ma.Schema):
    id = Integer(required=True)
    base_id = Integer(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    reason = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)


class ClosureCreateSchema(BaseSchema):
    starts_on = ma.fields.Date(required=True, validate=DAYS, metadata={
        "description": "First closed day: today (in the base's zone) or later, else 422 "
                       "effective_date_in_past."})
    ends_on = ma.fields.Date(required=True, validate=DAYS,
                             metadata={"description": "Last closed day."})
    reason = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))

    @ma.validates_schema
    def _ordered(self, data, **kwargs):
        if data["ends_on"] < data["starts_on"]:
            raise ma.ValidationError("Must not be before starts_on.", "ends_on")


class ClosureQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "starts_on")
    from_ = ma.fields.Date(data_key="from", metadata={
        "description": "Only closures ending on or after this day."})
    to = ma.fields.Date(metadata={"description": "Only closures starting on or before this day."})


# ---------------------------------------------------------------- categories

class CategorySchema(ma.Schema):
    id = Integer(required=True)
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    name_zh = ma.fields.String(required=True, metadata={
        "description": "The name in Simplified Chinese; empty when none was given."})
    label = label_field("name", "name_zh", "The name in the asked language (Accept-Language): "
                        "name_zh for Chinese when given, else name.")
    description = ma.fields.String(required=True)
    version = Integer(required=True)


CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,49}$", error="Lower-case letters, digits, - and _.")


class CategoryCreateSchema(BaseSchema):
    code = ma.fields.String(required=True, validate=CODE)
    name = ma.fields.String(required=True, validate=NAME)
    name_zh = ma.fields.String(load_default="", validate=NAME_ZH, metadata={
        "description": "The name in Simplified Chinese."})
    description = ma.fields.String(load_default="", validate=TEXT)


class CategoryUpdateSchema(BaseSchema):
    code = ma.fields.String(validate=CODE)
    name = ma.fields.String(validate=NAME)
    name_zh = ma.fields.String(validate=NAME_ZH)
    description = ma.fields.String(validate=TEXT)


class CategoryQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "code", "name")
    # The whole vocabulary fits one page by default.
    page_size = Integer(load_default=100, validate=validate.Range(min=1), metadata={
        "description": "Items per page, from 1 to PAGE_SIZE_MAX (100 unless configured)."})


# ---------------------------------------------------------------- equipment

class BookingRulesMixin:
    slot_minutes = Integer(validate=validate.Range(min=5, max=1440), metadata={
        "description": "Slot granularity; bookings start and end on this grid."})
    min_duration_minutes = Integer(validate=validate.Range(min=5, max=10080))
    max_duration_minutes = Integer(validate=validate.Range(min=5, max=10080))
    setup_buffer_minutes = Integer(validate=validate.Range(min=0, max=1440), metadata={
        "description": "Kept free after each use for cleaning and setup."})
    booking_horizon_days = Integer(validate=validate.Range(min=1, max=730), metadata={
        "description": "How far ahead the item can be booked."})
    requires_approval = Boolean()
    requires_qualification = Boolean(metadata={
        "description": "Holders need a valid qualification for the item's category."})
    max_attendees = Integer(validate=validate.Range(min=1, max=500))


class EquipmentSchema(ma.Schema):
    id = Integer(required=True)
    name = ma.fields.String(required=True)
    asset_tag = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(EQUIPMENT_STATUSES)})
    retired_at = ma.fields.AwareDateTime(required=True, allow_none=True, metadata={
        "description": "When it was retired (null: in service); reports keep it up to then."})
    base_id = Integer(required=True)
    base_name = ma.fields.String(attribute="base.name", required=True)
    timezone = ma.fields.String(attribute="base.timezone", required=True)
    category_id = Integer(required=True)
    category_code = ma.fields.String(attribute="category.code", required=True)
    category_label = label_field("category.name", "category.name_zh",
                                 "The category's name in the asked language (Accept-Language).")
    owner_organisation_id = Integer(required=True)
    owner_name = ma.fields.String(attribute="owner.name", required=True)
    slot_minutes = Integer(required=True)
    min_duration_minutes = Integer(required=True)
    max_duration_minutes = Integer(required=True)
    setup_buffer_minutes = Integer(required=True)
    booking_horizon_days = Integer(required=True)
    requires_approval = ma.fields.Boolean(required=True)
    requires_qualification = ma.fields.Boolean(required=True)
    max_attendees = Integer(required=True)
    version = Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


class EquipmentCreateSchema(BookingRulesMixin, BaseSchema):
    name = ma.fields.String(required=True, validate=NAME)
    asset_tag = ma.fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$", error="Letters, digits and . _ / - only."))
    description = ma.fields.String(load_default="", validate=TEXT)
    status = ma.fields.String(load_default="active", validate=validate.OneOf(EQUIPMENT_STATUSES))
    base_id = Integer(required=True, validate=ID)
    category_id = Integer(required=True, validate=ID)
    owner_organisation_id = Integer(validate=ID, metadata={
        "description": "Defaults to the caller's organisation."})


class EquipmentUpdateSchema(BookingRulesMixin, BaseSchema):
    name = ma.fields.String(validate=NAME)
    asset_tag = ma.fields.String(validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$", error="Letters, digits and . _ / - only."))
    description = ma.fields.String(validate=TEXT)
    status = ma.fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES))
    base_id = Integer(validate=ID)
    category_id = Integer(validate=ID)


class EquipmentQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "name", "asset_tag", "created_at")
    base_id = Integer(validate=ID)
    category_id = Integer(validate=ID)
    category = ma.fields.String(validate=CODE, metadata={"description": "Category code."})
    owner_organisation_id = Integer(validate=ID)
    status = ma.fields.String(validate=validate.OneOf(EQUIPMENT_STATUSES))
    requires_qualification = ma.fields.Boolean()
    q = ma.fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "Text the name or asset tag contains."})
    free_from = Instant(metadata={"description": "With free_to: only items free for the span."})
    free_to = Instant(metadata={"description": (
        "With free_from: only items free for the span. Must be after free_from (422 "
        "validation_error) and at most AVAILABILITY_MAX_DAYS (31 by default) days later "
        "(422 window_too_large).")})

    @ma.validates_schema
    def _free_span(self, data, **kwargs):
        if ("free_from" in data) != ("free_to" in data):
            raise ma.ValidationError("Give free_from and free_to together.", "free_to")
        if "free_from" in data:
            if data["free_to"] <= data["free_from"]:
                raise ma.ValidationError("Must be after free_from.", "free_to")


TrainingBasePageSchema = page_schema(TrainingBaseSchema, "TrainingBasePageSchema")
ClosurePageSchema = page_schema(ClosureSchema, "ClosurePageSchema")
CategoryPageSchema = page_schema(CategorySchema, "CategoryPageSchema")
EquipmentPageSchema = page_schema(EquipmentSchema, "EquipmentPageSchema")
