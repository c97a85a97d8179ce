"""Shapes of the offers API, one schema per direction."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from marshmallow import validate

from ..catalogue.schemas import ID, ClosingTime, LocalTime
from ..http import BaseSchema, Boolean, Integer, PageArgsSchema, StatusEventSchema, page_schema
from .models import ASKS_BACK, OFFER_STATUSES

DAYS = validate.Range(min=date(1970, 1, 1), max=date(2199, 12, 31))
REASON = validate.Length(min=1, max=500)


class OfferSpanSchema(BaseSchema):
    weekday = Integer(required=True, validate=validate.Range(min=1, max=7),
                                metadata={"description": "ISO weekday, 1 = Monday."})
    opens = LocalTime(required=True, format="%H:%M", metadata={
        "description": "Local time of the item's base."})
    closes = ClosingTime(required=True)


class OfferWindowSchema(BaseSchema):
    starts_on = ma.fields.Date(required=True, validate=DAYS, metadata={
        "description": "First local day (in the item's base time zone)."})
    ends_on = ma.fields.Date(required=True, validate=DAYS, metadata={
        "description": "Last local day, inclusive."})
    spans = ma.fields.List(ma.fields.Nested(OfferSpanSchema), required=True,
                           validate=validate.Length(min=1, max=50))


class OfferItemCreateSchema(BaseSchema):
    equipment_id = Integer(required=True, validate=ID, metadata={
        "description": "An item of the offering enterprise."})
    value_per_hour = ma.fields.Float(
        allow_none=True, allow_nan=False, validate=validate.Range(min=0, max=1_000_000),
        metadata={"description": "Declared value per hour, kept to the cent."})


class OfferItemSchema(ma.Schema):
    equipment_id = Integer(required=True)
    equipment_name = ma.fields.String(attribute="equipment.name", required=True)
    base_id = Integer(attribute="equipment.base_id", required=True)
    timezone = ma.fields.String(attribute="equipment.base.timezone", required=True, metadata={
        "description": "The zone the windows are read in for this item."})
    value_per_hour = ma.fields.Float(allow_none=True, required=True)


class AffectedReservationSchema(ma.Schema):
    """A booking under the offer that a change touches (holder's name and school only)."""

    id = Integer(required=True)
    equipment_id = Integer(required=True)
    timezone = ma.fields.String(required=True, metadata={"description": "The item's zone."})
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    status = ma.fields.String(required=True, metadata={"description": "Before the change."})
    holder_name = ma.fields.String(required=True)
    school_name = ma.fields.String(required=True)
    fate = ma.fields.String(required=True, metadata={
        "enum": ["cancelled", "kept"],
        "description": "kept: it starts within the offer's withdrawal notice period."})


class WithdrawalPreviewSchema(ma.Schema):
    offer_id = Integer(required=True)
    affected_reservations = ma.fields.List(ma.fields.Nested(AffectedReservationSchema),
                                           required=True, metadata={
        "description": "What withdrawing now would do to each booking under the offer yet "
                       "to start."})


class OfferSchema(ma.Schema):
    id = Integer(required=True)
    enterprise_id = Integer(required=True)
    enterprise_name = ma.fields.String(attribute="enterprise.name", required=True)
    school_id = Integer(required=True)
    school_name = ma.fields.String(attribute="school.name", required=True)
    status = ma.fields.String(required=True, metadata={"enum": list(OFFER_STATUSES)})
    items = ma.fields.List(ma.fields.Nested(OfferItemSchema), required=True)
    windows = ma.fields.List(ma.fields.Nested(OfferWindowSchema), required=True)
    weekly_hours_budget = Integer(required=True, metadata={
        "description": "Hours per ISO week the school may book in total "
                       "(docs/reports.md#what-an-offers-weekly-budget-counts)."})
    requires_approval = ma.fields.Boolean(required=True)
    approval_hours = Integer(required=True)
    supervisor_on_site = ma.fields.Boolean(required=True)
    supervisor_contact = ma.fields.String(required=True)
    allowed_uses = ma.fields.String(required=True)
    withdrawal_notice_days = Integer(required=True)
    asks_back = ma.fields.String(required=True, metadata={"enum": list(ASKS_BACK)})
    created_by_id = Integer(required=True)
    version = Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)
    affected_reservations = ma.fields.List(
        ma.fields.Nested(AffectedReservationSchema), metadata={
            "description": "Only in the answer to a change or a withdrawal: the bookings under "
                           "the offer it cancelled or kept."})


class OfferChangeArgsSchema(BaseSchema):
    confirm = ma.fields.Boolean(load_default=False, metadata={
        "description": "Go ahead although bookings no longer fit the new terms (409 "
                       "bookings_affected lists them first)."})


def _conditions(defaults: bool) -> dict:
    """The conditions' fields; with defaults for a new offer, without for a change."""
    def d(value):
        return {"load_default": value} if defaults else {}

    return {
        "weekly_hours_budget": Integer(
            required=defaults, validate=validate.Range(min=1, max=168),
            metadata={"description": "Hours per ISO week the school may book in total "
                                     "(docs/reports.md#what-an-offers-weekly-budget-counts)."}),
        "requires_approval": Boolean(**d(False), metadata={
            "description": "Each reservation waits for the enterprise's approval."}),
        "approval_hours": Integer(**d(48), validate=validate.Range(min=1, max=720),
                                            metadata={"description": "Hours to decide."}),
        "supervisor_on_site": Boolean(**d(False)),
        "supervisor_contact": ma.fields.String(**d(""), validate=validate.Length(max=300)),
        "allowed_uses": ma.fields.String(**d(""), validate=validate.Length(max=5000), metadata={
            "description": "Allowed uses or courses, free text."}),
        "withdrawal_notice_days": Integer(
            **d(14), validate=validate.Range(min=0, max=365)),
        "asks_back": ma.fields.String(**d("outcome_per_session"),
                                      validate=validate.OneOf(ASKS_BACK)),
        "items": ma.fields.List(ma.fields.Nested(OfferItemCreateSchema), required=defaults,
                                validate=validate.Length(min=1, max=100)),
        "windows": ma.fields.List(ma.fields.Nested(OfferWindowSchema), required=defaults,
                                  validate=validate.Length(min=1, max=50)),
    }


OfferCreateSchema = BaseSchema.from_dict({
    "school_id": Integer(required=True, validate=ID, metadata={
        "description": "The school the offer is addressed to."}),
    **_conditions(defaults=True)}, name="OfferCreateSchema")

OfferUpdateSchema = BaseSchema.from_dict({
    **_conditions(defaults=False),
    "effective_from": ma.fields.Date(validate=DAYS, metadata={
        "description": "The local day (in each offered item's base zone) from which changed "
                       "items, windows and weekly budget apply; the days before keep theirs. "
                       "Default: the next day. Before today: 422 effective_date_in_past. "
                       "An offer the school never approved is changed in place "
                       "(docs/offers.md#changing-the-terms)."})},
    name="OfferUpdateSchema")


class OfferReasonSchema(BaseSchema):
    reason = ma.fields.String(validate=REASON)


class OfferQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "created_at", "updated_at")
    status = ma.fields.List(ma.fields.String(validate=validate.OneOf(OFFER_STATUSES)),
                            validate=validate.Length(max=len(OFFER_STATUSES)))
    school_id = Integer(validate=ID)
    enterprise_id = Integer(validate=ID)


class OfferHistorySchema(ma.Schema):
    offer_id = Integer(required=True)
    events = ma.fields.List(ma.fields.Nested(StatusEventSchema), required=True)


OfferPageSchema = page_schema(OfferSchema, "OfferPageSchema")
