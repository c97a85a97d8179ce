"""Shapes of the idle-equipment API, one schema per direction."""

from __future__ import annotations

import marshmallow as ma

from ..catalogue.schemas import ID
from ..http import BaseSchema, Integer
from ..reports.schemas import CODE
from .rules import SUGGESTIONS


class IdleQueryArgsSchema(BaseSchema):
    owner_id = Integer(validate=ID, metadata={"description": "Owner organisation id."})
    base_id = Integer(validate=ID, metadata={"description": "The item's training base."})
    category = ma.fields.String(validate=CODE, metadata={"description": "Category code."})


class DraftOfferCreateSchema(BaseSchema):
    school_id = Integer(required=True, validate=ID, metadata={
        "description": "The school the draft offer is addressed to."})


def _hours(description: str):
    return ma.fields.Float(required=True, metadata={"description": description})


class IdleFindingSchema(ma.Schema):
    id = Integer(required=True, metadata={"description": "The finding's id (draft an offer "
                                                          "from it)."})
    equipment_id = Integer(required=True)
    equipment_name = ma.fields.String(required=True)
    base_id = Integer(required=True)
    base_name = ma.fields.String(required=True)
    category = ma.fields.String(required=True, metadata={"description": "Category code."})
    category_name = ma.fields.String(required=True)
    owner_organisation_id = Integer(required=True)
    owner_name = ma.fields.String(required=True)
    week_start = ma.fields.Date(required=True, metadata={
        "description": "Monday of the last week judged (local, in the base's zone)."})
    weeks = Integer(required=True, metadata={"description": "How many weeks were judged."})
    threshold = ma.fields.Float(required=True, metadata={
        "description": "Each week's utilisation was strictly under this ratio."})
    available_hours = _hours("Available hours over the judged weeks "
                             "(docs/reports.md#available).")
    booked_hours = _hours("Booked hours over the judged weeks (docs/reports.md#booked).")
    free_hours = _hours("Available hours not booked, over the judged weeks "
                        "(docs/reports.md#available, docs/reports.md#booked).")
    utilisation = ma.fields.Float(required=True, metadata={
        "description": "booked / available over the judged weeks (docs/reports.md#booked, "
                       "docs/reports.md#available)."})
    suggestion = ma.fields.String(required=True, metadata={
        "enum": sorted(set(SUGGESTIONS.values())),
        "description": "offer_to_schools (an enterprise's item: draft an offer from it) or "
                       "share_or_move (a school's item: share it with partner enterprises or "
                       "move it)."})


class IdleReportSchema(ma.Schema):
    week_start = ma.fields.Date(required=True, allow_none=True, metadata={
        "description": "Monday of the last judged week; null when no recent week was judged "
                       "with findings."})
    weeks = Integer(required=True, metadata={"description": "IDLE_WEEKS, as now set."})
    threshold = ma.fields.Float(required=True, metadata={
        "description": "IDLE_THRESHOLD, as now set."})
    items = ma.fields.List(ma.fields.Nested(IdleFindingSchema), required=True)
