"""Shapes of the audit history API, one schema per direction."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from ..catalogue.schemas import ID
from ..http import Instant, Integer, PageArgsSchema, page_schema
from .models import ACTIONS
from .subjects import ENTITIES


class AuditEntrySchema(ma.Schema):
    id = Integer(required=True)
    at = ma.fields.AwareDateTime(required=True, metadata={
        "description": "When the change was made (its transaction's instant), in UTC."})
    organisation_id = Integer(required=True, allow_none=True, metadata={
        "description": "The organisation the changed thing belongs to; null for the "
                       "platform's own things (equipment categories, a removed organisation)."})
    actor_id = Integer(required=True, allow_none=True, metadata={
        "description": "Who made the change; null for the scheduler and commands."})
    entity = ma.fields.String(required=True, metadata={"enum": list(ENTITIES)})
    entity_id = Integer(required=True, metadata={
        "description": "The changed row's id; for rows keyed by several columns (a quota, a "
                       "base's co-owner, an offer's item or span) its parent's id, the other "
                       "key columns listed in changes."})
    action = ma.fields.String(required=True, metadata={"enum": list(ACTIONS)})
    changes = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.Raw(allow_none=True), validate=validate.Length(
            equal=2)), required=True, metadata={
            "description": "Each changed field -> [before, after]: before is null on a "
                           "creation, after on a deletion. Instants, days and times are ISO "
                           "8601 text, amounts decimal text; password and token hashes show "
                           "as \"***\", never their value."})


class AuditQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("at", "id")
    sort = ma.fields.String(load_default="-at", metadata={
        "enum": [f"{sign}{key}" for key in SORTABLE for sign in ("-", "")],
        "description": "Field to sort by (at, id); prefix with '-' for descending. Newest "
                       "first by default."})
    entity = ma.fields.String(validate=validate.OneOf(ENTITIES), metadata={
        "description": "Only changes of this kind of thing."})
    entity_id = Integer(validate=ID, metadata={"description": "Only changes of this row."})
    actor_id = Integer(validate=ID, metadata={"description": "Only changes made by this user."})
    from_ = Instant(data_key="from", metadata={"description": "Changes at or after this."})
    to = Instant(metadata={"description": "Changes before this; after from."})

    @ma.validates_schema
    def _span(self, data, **kwargs):
        if "from_" in data and "to" in data and data["to"] <= data["from_"]:
            raise ma.ValidationError("Must be after from.", "to")


AuditEntryPageSchema = page_schema(AuditEntrySchema, "AuditEntryPageSchema")
