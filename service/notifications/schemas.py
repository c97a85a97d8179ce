"""Shapes of the notifications API."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from ..catalogue.schemas import ID
from ..http import BaseSchema, Boolean, Integer, PageArgsSchema, page_schema
from .models import KINDS

# One request marks at most this many by id (a page of the list is at most PAGE_SIZE_MAX).
MAX_IDS = 1000


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
    read_at = ma.fields.AwareDateTime(allow_none=True, required=True, metadata={
        "description": "When you marked it read; null while unread."})

    @ma.post_dump
    def _without_request_id(self, notification, **kwargs):
        # The id of the request that wrote it is for the operators' logs, not the reader's.
        notification["data"] = {key: value for key, value in notification["data"].items()
                                if key != "request_id"}
        return notification


class NotificationQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "created_at")
    sort = ma.fields.String(load_default="-created_at")
    kind = ma.fields.String(validate=validate.OneOf(KINDS))
    unread = ma.fields.Boolean(truthy={"true"}, falsy={"false"}, metadata={
        "description": "true: only unread notices; false: only read ones; absent: all."})


class NotificationPageSchema(page_schema(NotificationSchema, "NotificationListSchema")):
    unread = ma.fields.Integer(required=True, metadata={
        "description": "How many of your notices are unread, whatever the filters."})


class MarkReadSchema(BaseSchema):
    """Exactly one of `ids` and `all`."""

    # The same rule for the OpenAPI document (service/openapi.py), beside the check below.
    JSON_SCHEMA = {"minProperties": 1, "maxProperties": 1}

    ids = ma.fields.List(Integer(validate=ID), validate=validate.Length(min=1, max=MAX_IDS),
                         metadata={"description": "Your notifications to mark read (ids that "
                                                  "are not yours are ignored)."})
    all = Boolean(validate=validate.Equal(True, error="Must be true (to mark some: ids)."),
                  metadata={"description": "true: mark every notification of yours read."})

    @ma.validates_schema
    def _exactly_one(self, data, **kwargs):
        if "ids" in data and "all" in data:
            raise ma.ValidationError("Give either ids or all, not both.", "all")
        if "ids" not in data and "all" not in data:
            raise ma.ValidationError("Give the ids to mark read, or all: true.", "ids")


class UnreadCountSchema(ma.Schema):
    unread = ma.fields.Integer(required=True, metadata={
        "description": "How many of your notices are unread now."})
