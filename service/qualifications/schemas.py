"""Shapes of qualifications on the wire: one schema per direction."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from ..catalogue.schemas import ID
from ..http import BaseSchema, Instant, Integer, PageArgsSchema, page_schema


class QualificationSchema(ma.Schema):
    id = Integer(required=True)
    user_id = Integer(required=True)
    user_name = ma.fields.String(attribute="user.full_name", required=True)
    category_id = Integer(required=True)
    category_code = ma.fields.String(attribute="category.code", required=True)
    granted_by_id = Integer(required=True)
    granted_at = ma.fields.AwareDateTime(required=True)
    expires_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    revoked_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    note = ma.fields.String(required=True)
    is_valid = ma.fields.Boolean(required=True, metadata={
        "description": "Neither revoked nor expired now."})
    version = Integer(required=True)


class QualificationCreateSchema(BaseSchema):
    user_id = Integer(required=True, validate=ID)
    category_id = Integer(required=True, validate=ID)
    expires_at = Instant(load_default=None, allow_none=True, metadata={
        "description": "ISO 8601 with offset, in the future (422 expiry_in_past); omit for "
                       "no expiry."})
    note = ma.fields.String(load_default="", validate=validate.Length(max=500))


class QualificationUpdateSchema(BaseSchema):
    expires_at = Instant(allow_none=True, metadata={
        "description": "ISO 8601 with offset, in the future (422 expiry_in_past); null for "
                       "no expiry."})
    note = ma.fields.String(validate=validate.Length(max=500))


class QualificationQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "granted_at", "expires_at")
    user_id = Integer(validate=ID)
    category_id = Integer(validate=ID)
    valid = ma.fields.Boolean(metadata={"description": "Only valid (or only invalid) ones."})


QualificationPageSchema = page_schema(QualificationSchema, "QualificationPageSchema")
