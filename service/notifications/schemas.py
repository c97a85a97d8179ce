"""Shapes of the notifications API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from ..http import Integer, PageArgsSchema, page_schema
from .models import KINDS


class NotificationSchema(ma.Schema):
    id = Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(KINDS)})
    reservation_id = Integer(allow_none=True, required=True)
    subject = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    data = ma.fields.Dict(required=True)
    delivery = ma.fields.String(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    sent_at = ma.fields.AwareDateTime(allow_none=True, required=True)


class NotificationQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "created_at")
    sort = ma.fields.String(load_default="-created_at")
    kind = ma.fields.String(validate=validate.OneOf(KINDS))


NotificationPageSchema = page_schema(NotificationSchema, "NotificationPageSchema")
