"""Shapes of the impact API, one schema per direction."""

from __future__ import annotations

import re
from datetime import date

import marshmallow as ma
from marshmallow import validate

from ..catalogue.schemas import ID
from ..csv_export import CsvArgsSchema
from ..http import BaseSchema, Integer

DAYS = validate.Range(min=date(1970, 1, 1), max=date(2199, 12, 31))
YEARS = validate.Range(min=1970, max=2199)
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTH_PATTERN = r"^(19[7-9][0-9]|2[01][0-9]{2})-(0[1-9]|1[0-2])$"  # what MONTH + checks accept


class Month(ma.fields.Field):
    """A calendar month as YYYY-MM, read as its first day."""

    default_error_messages = {"invalid": "Not a month (YYYY-MM, 1970-01 to 2199-12)."}

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"type": "string", "pattern": MONTH_PATTERN, "example": "2026-03",
                              **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{value:%Y-%m}"

    def _deserialize(self, value, attr, data, **kwargs):
        match = MONTH.match(value) if isinstance(value, str) else None
        if not match or not 1 <= int(match[2]) <= 12 or not 1970 <= int(match[1]) <= 2199:
            raise self.make_error("invalid")
        return date(int(match[1]), int(match[2]), 1)


def _hours(description: str):
    return ma.fields.Float(required=True, metadata={"description": description})


def _money(description: str):
    return ma.fields.Float(required=True, allow_none=True, metadata={
        "description": f"{description} Null when no value per hour was declared."})


class SkillCountSchema(ma.Schema):
    tag = ma.fields.String(required=True)
    count = ma.fields.Integer(required=True)


class HoursSchema(ma.Schema):
    """The three hour figures impact and the contribution statement state alike."""

    hours_offered = _hours("Window spans inside opening hours, less closures and blackouts, "
                           "while the offer was open (docs/reports.md#offered).")
    hours_booked = _hours("Confirmed, checked-in, completed and no-show reservations under "
                          "the offer, within what it offered (docs/reports.md#booked).")
    hours_used = _hours("Check-in to check-out (or to the end when not checked out), cut to "
                        "the booked span (docs/reports.md#used).")


class ImpactFiguresSchema(HoursSchema):
    sessions = ma.fields.Integer(required=True, metadata={
        "description": "Completed reservations that started in the period."})
    students_trained = ma.fields.Integer(required=True, metadata={
        "description": "Distinct students among holders and attendees of those sessions."})
    no_shows = ma.fields.Integer(required=True)
    outcomes_received = ma.fields.Integer(required=True)
    top_skills = ma.fields.List(ma.fields.Nested(SkillCountSchema), required=True, metadata={
        "description": "The five skills most often recorded in those outcomes."})
    valued_hours_booked = _money("Declared value per hour x hours booked "
                                 "(docs/reports.md#booked).")
    valued_hours_used = _money("Declared value per hour x hours used "
                               "(docs/reports.md#used).")


class ImpactItemSchema(ImpactFiguresSchema):
    equipment_id = Integer(required=True)
    equipment_name = ma.fields.String(required=True)
    base_id = Integer(required=True)
    timezone = ma.fields.String(required=True, metadata={
        "description": "The zone the period's days are read in for this item."})
    value_per_hour = ma.fields.Float(required=True, allow_none=True)


class ImpactOfferSchema(ma.Schema):
    offer_id = Integer(required=True)
    status = ma.fields.String(required=True)
    school_id = Integer(required=True)
    school_name = ma.fields.String(required=True)
    asks_back = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(ImpactItemSchema), required=True)
    totals = ma.fields.Nested(ImpactFiguresSchema, required=True)


class ImpactSchema(ma.Schema):
    organisation_id = Integer(required=True)
    from_ = ma.fields.Date(required=True, data_key="from", attribute="from")
    to = ma.fields.Date(required=True, metadata={"description": "Exclusive."})
    offers = ma.fields.List(ma.fields.Nested(ImpactOfferSchema), required=True)
    totals = ma.fields.Nested(ImpactFiguresSchema, required=True)


class ImpactQueryArgsSchema(CsvArgsSchema):
    first_day = ma.fields.Date(required=True, data_key="from", validate=DAYS, metadata={
        "description": "First local day (in each item's base time zone)."})
    end_day = ma.fields.Date(required=True, data_key="to", validate=DAYS, metadata={
        "description": "The day after the last (exclusive); after from, at most "
                       "IMPACT_PERIOD_MAX_DAYS (366) days later."})


class ContributionFiguresSchema(HoursSchema):
    valued_hours_booked = _money("Declared value per hour x hours booked "
                                 "(docs/reports.md#booked).")
    valued_hours_used = _money("Declared value per hour x hours used "
                               "(docs/reports.md#used).")


class ContributionRowSchema(ContributionFiguresSchema):
    month = Month(required=True)
    school_id = Integer(required=True)
    school_name = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={
        "enum": ["running", "open", "confirmed"],
        "description": "running: not over; open: over, not confirmed; confirmed: frozen."})
    confirmed_by_id = Integer(required=True, allow_none=True)
    confirmed_by_name = ma.fields.String(required=True, allow_none=True)
    confirmed_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class ContributionSchema(ma.Schema):
    organisation_id = Integer(required=True)
    enterprise_name = ma.fields.String(required=True)
    year = ma.fields.Integer(required=True)
    rows = ma.fields.List(ma.fields.Nested(ContributionRowSchema), required=True)
    totals = ma.fields.Nested(ContributionFiguresSchema, required=True)


class ContributionQueryArgsSchema(CsvArgsSchema):
    year = Integer(required=True, validate=YEARS)


class ConfirmationCreateSchema(BaseSchema):
    school_id = Integer(validate=ID, metadata={"description": "Your school (the default)."})
    month = Month(required=True, metadata={"description": "YYYY-MM, a month that has ended."})


class ConfirmationSchema(ma.Schema):
    enterprise_id = Integer(required=True)
    school_id = Integer(required=True)
    month = Month(required=True)
    confirmed_by_id = Integer(required=True)
    confirmed_at = ma.fields.AwareDateTime(required=True)
    figures = ma.fields.Nested(ContributionFiguresSchema, required=True, metadata={
        "description": "Frozen as they were at confirmation."})
