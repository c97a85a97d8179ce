"""The flask-smorest Api: OpenAPI document, bearer security, problem+json error responses."""

from __future__ import annotations

import http

import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest.utils import prepare_response
from flask_swagger_ui import get_swaggerui_blueprint

from . import openapi
from .errors import PROBLEM_JSON
from .fields import Instant
from .http import RowId
from .library_internals import SmorestApiHooks

OPENAPI_PATH = "/api/v1/openapi.json"


class ConflictingSpanSchema(ma.Schema):
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    blocked_until = ma.fields.DateTime(metadata={
        "description": "When the item is free again (after its buffer)."})
    reservation_id = ma.fields.Integer(metadata={
        "description": "Only when you may see the reservation's holder."})


class ListedReservationSchema(ma.Schema):
    reservation_id = ma.fields.Integer(required=True)
    starts_at = ma.fields.DateTime(required=True)
    ends_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True)


class SkippedSessionSchema(ma.Schema):
    date = ma.fields.Date(required=True)
    code = ma.fields.String(required=True, metadata={"description": "Why it was refused."})
    detail = ma.fields.String(required=True)


class OffGridSpanSchema(ma.Schema):
    """A weekly span of an offer's window off an item's slot grid."""

    window = ma.fields.Integer(required=True, metadata={
        "description": "Index of the window (in the list sent, or the offer's)."})
    weekday = ma.fields.Integer(required=True)
    opens = ma.fields.String(required=True, metadata={"description": "HH:MM, local."})
    closes = ma.fields.String(required=True, metadata={"description": "HH:MM (24:00), local."})
    equipment_id = ma.fields.Integer(required=True)
    slot_minutes = ma.fields.Integer(required=True, metadata={
        "description": "The item's slot grid, counted from local midnight."})


class OfferOffGridSchema(ma.Schema):
    offer_id = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)
    off_grid = ma.fields.List(ma.fields.Nested(OffGridSpanSchema), required=True)


class UnqualifiedPersonSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    full_name = ma.fields.String(required=True)


class GranterSchema(UnqualifiedPersonSchema):
    role = ma.fields.String(required=True, metadata={"enum": ["instructor", "admin"]})


def _member(field: ma.fields.Field, codes: str) -> ma.fields.Field:
    field.metadata["description"] = f"With {codes}."  # optional: only those codes carry it
    return field


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every error is rendered. Refusals add the extension
    members listed here (RFC 9457 section 3.2), each only with the codes named beside it;
    a client must still accept members it does not know."""

    class Meta:
        unknown = ma.INCLUDE  # the document allows further extension members
        ordered = True

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    code = ma.fields.String(required=True, metadata={"description": "Stable machine code."})
    errors = ma.fields.Dict(keys=ma.fields.String(), metadata={
        "description": "Field (or header) at fault -> messages."})
    conflicting_span = _member(ma.fields.Nested(ConflictingSpanSchema),
                               "reservation_conflict, equipment_blacked_out")
    conflicting_reservations = _member(ma.fields.List(ma.fields.Nested(
        ListedReservationSchema)), "blackout_conflict (the reservations inside)")
    affected_reservations = _member(ma.fields.List(ma.fields.Dict()),
                                    "bookings_affected (the bookings the new terms drop)")
    skipped = _member(ma.fields.List(ma.fields.Nested(SkippedSessionSchema)),
                      "series_conflict (each session that cannot be booked)")
    current_etag = _member(ma.fields.String(), "stale_etag, precondition_failed")
    current_status = _member(ma.fields.String(),
                             "invalid_transition, reservation_not_completed")
    equipment_status = _member(ma.fields.String(), "equipment_unavailable")
    opens_at = _member(ma.fields.DateTime(), "outside_check_in_window")
    closes_at = _member(ma.fields.DateTime(), "outside_check_in_window")
    starts_at = _member(ma.fields.DateTime(), "check_out_before_start")
    ends_at = _member(ma.fields.DateTime(), "attendance_closed")
    decide_by = _member(ma.fields.DateTime(), "decision_deadline_passed")
    editable_until = _member(ma.fields.DateTime(), "outcome_locked")
    existing_id = _member(ma.fields.Integer(), "qualification_exists")
    offer_id = _member(ma.fields.Integer(),
                       "offer_exists, outside_offer_window, offer_budget_exceeded")
    outcome_id = _member(ma.fields.Integer(), "outcome_exists")
    off_grid = _member(ma.fields.List(ma.fields.Nested(OffGridSpanSchema)),
                       "offer_span_off_grid (each span, item and grid)")
    offers = _member(ma.fields.List(ma.fields.Nested(OfferOffGridSchema)),
                     "offers_off_new_grid (each live offer and its spans off the new grid)")
    retired_items = _member(ma.fields.List(ma.fields.Integer()),
                            "offer_item_retired (the offer's items retired since drafting)")
    category_id = _member(ma.fields.Integer(), "qualification_required")
    category_code = _member(ma.fields.String(), "qualification_required")
    category_name = _member(ma.fields.String(), "qualification_required")
    granted_by = _member(ma.fields.List(ma.fields.Nested(GranterSchema)),
                         "qualification_required (the active instructors, then admins, of the "
                         "holder's school who may grant it; at most 10)")
    unqualified_attendees = _member(ma.fields.List(ma.fields.Integer()),
                                    "qualification_required (attendees lacking it)")
    unqualified = _member(ma.fields.List(ma.fields.Nested(UnqualifiedPersonSchema)),
                          "qualification_required (attendees lacking it, with their names)")
    user_ids = _member(ma.fields.List(ma.fields.Integer()), "not_an_attendee")
    quota = _member(ma.fields.String(metadata={
        "enum": ["active_reservations", "weekly_hours"]}), "quota_exceeded")
    limit = _member(ma.fields.Float(), "quota_exceeded")
    booked_hours = _member(ma.fields.Float(), "quota_exceeded (weekly_hours)")
    frees_at = _member(ma.fields.DateTime(allow_none=True), "quota_exceeded: when it frees "
                       "(active_reservations: the earliest end of the holder's active "
                       "reservations; weekly_hours: the start of the next ISO week in the "
                       "item's zone)")
    booking_horizon_days = _member(ma.fields.Integer(), "beyond_booking_horizon")
    latest_start = _member(ma.fields.DateTime(), "beyond_booking_horizon (the latest start "
                           "bookable now, on the item's slot grid)")
    slot_minutes = _member(ma.fields.Integer(), "not_on_slot_grid (the item's grid, counted "
                           "from local midnight)")
    min_duration_minutes = _member(ma.fields.Integer(), "duration_out_of_range")
    max_duration_minutes = _member(ma.fields.Integer(), "duration_out_of_range")
    counted_hours = _member(ma.fields.Float(), "offer_budget_exceeded")
    weekly_hours_budget = _member(ma.fields.Float(), "offer_budget_exceeded")
    week_starts_at = _member(ma.fields.DateTime(), "offer_budget_exceeded")
    timezone = _member(ma.fields.String(metadata={"example": "Asia/Shanghai"}),
                       "reservation_conflict, equipment_blacked_out, blackout_conflict, "
                       "outside_check_in_window, check_out_before_start, attendance_closed, "
                       "decision_deadline_passed, offer_budget_exceeded, quota_exceeded, "
                       "not_on_slot_grid, outside_opening_hours, base_closed, "
                       "outside_offer_window: the item's zone (IANA "
                       "name). The members' instants stay ISO 8601 in UTC; the detail names "
                       "them as this zone's wall time with its offset, "
                       "'2026-12-08 10:00 (UTC+08:00)'")
    constraint = _member(ma.fields.String(allow_none=True), "already_exists, "
                         "still_referenced, conflict, constraint_violation (the database's)")
    # imports: the refusals of an uploaded roster or inventory
    report = _member(ma.fields.Dict(), "import_has_problems (the ImportReport of the dry run)")
    missing = _member(ma.fields.List(ma.fields.String()),
                      "missing_columns (the required columns the header row lacks)")
    limit_bytes = _member(ma.fields.Integer(), "file_too_large")
    limit_rows = _member(ma.fields.Integer(), "too_many_rows")


RESPONSE_HEADERS = {
    401: {"WWW-Authenticate": {"description": "The Bearer challenge.",
                               "schema": {"type": "string"}}},
    409: {"Retry-After": {"description": "With idempotency_key_in_flight: seconds to wait "
                                         "before retrying.",
                          "schema": {"type": "integer", "minimum": 1}}},
    412: {"ETag": {"description": "On a read: the current version.",
                   "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds until sign-in is allowed again.",
                          "schema": {"type": "integer", "minimum": 1}}},
    503: {"Retry-After": {"description": "Seconds to wait before retrying.",
                          "schema": {"type": "integer", "minimum": 1}}},
}


class Api(SmorestApiHooks, SmorestApi):
    ERROR_SCHEMA = ProblemSchema
    # Every status an operation answers is declared on it (service/openapi.py), so no
    # catch-all "default": a generated client knows each answer by its status.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def register_error_handlers(self) -> None:
        """Errors are rendered by service.errors, not by flask-smorest."""

    def register_responses(self) -> None:
        """The spec's shared responses, one per HTTP status: problem+json, with the headers
        and reasons the service gives."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status in openapi.WHY:
                response["description"] = f"{status.phrase}: {openapi.WHY[status]}"
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            if status == http.HTTPStatus.SERVICE_UNAVAILABLE:
                response["description"] = "The database is unavailable (database_unavailable)"
            if status in RESPONSE_HEADERS:
                response["headers"] = RESPONSE_HEADERS[status]
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)


def sort_values(self, field, **kwargs) -> dict:
    """A list's `sort` parameter: the values its schema accepts, as an enum."""
    sortable = getattr(field.parent, "SORTABLE", None)
    if field.name != "sort" or not sortable:
        return {}
    return {"enum": [value for name in sortable for value in (name, f"-{name}")]}


def range_said(self, field, ret, **kwargs) -> dict:
    """Bounds the schema notes only as x-minimum/x-maximum (days), said in words too."""
    if "x-minimum" not in ret and "x-maximum" not in ret:
        return {}
    rule = f"From {ret.get('x-minimum', 'any')} to {ret.get('x-maximum', 'any')}."
    return {"description": f"{ret['description']} {rule}" if ret.get("description") else rule}


def instant_range(self, field, ret, **kwargs) -> dict:
    """The years an instant may fall in, said where the document shows the field."""
    if not isinstance(field, Instant):
        return {}
    rule = "An ISO 8601 instant with its offset, in the years 1970 to 2199."
    return {"description": f"{ret['description']} {rule}" if ret.get("description") else rule}


def init_app(app: Flask, blueprints) -> Api:
    """Configure the OpenAPI document, register the domain blueprints and the docs page."""
    app.config.setdefault("API_TITLE", "BenchShare")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/")
    app.config.setdefault("OPENAPI_JSON_PATH", OPENAPI_PATH.lstrip("/"))
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "Booking shared vocational training equipment."},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"}}},
    })
    # openapi.Answers declares every status and header of each operation (no "default").
    api = Api(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(),
                                "extra_plugins": [openapi.Answers(app)]})
    api.register_converter(RowId, openapi.rowid_schema)
    api.ma_plugin.converter.add_attribute_function(sort_values)
    api.ma_plugin.converter.add_attribute_function(instant_range)
    api.ma_plugin.converter.add_attribute_function(range_said)
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(get_swaggerui_blueprint(
        "/api/docs", OPENAPI_PATH, config={"app_name": "BenchShare API"}))
    return api
