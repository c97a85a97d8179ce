"""The flask-smorest Api: OpenAPI document, bearer security, problem+json error responses."""

from __future__ import annotations

import http

import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest.utils import prepare_response
from flask_swagger_ui import get_swaggerui_blueprint

from .errors import PROBLEM_JSON

OPENAPI_PATH = "/api/v1/openapi.json"


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every error is rendered. Refusals add extension members
    of their own (RFC 9457 section 3.2), such as `conflicting_span`, `current_etag`,
    `current_status`, `opens_at`, `existing_id`, `constraint`, `quota`, `limit`, `skipped`,
    `conflicting_reservations`, `affected_reservations`, `unqualified_attendees`; a client
    must accept members it does not know."""

    class Meta:
        unknown = ma.INCLUDE  # the document allows the extension members

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    code = ma.fields.String(required=True, metadata={"description": "Stable machine code."})
    errors = ma.fields.Dict(keys=ma.fields.String(), metadata={
        "description": "Field (or header) at fault -> messages."})


class Api(SmorestApi):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        """Errors are rendered by service.errors, not by flask-smorest."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            if status == http.HTTPStatus.SERVICE_UNAVAILABLE:
                response["description"] = "The database is unavailable (database_unavailable)"
                response["headers"] = {"Retry-After": {
                    "description": "Seconds to wait before retrying.",
                    "schema": {"type": "integer", "minimum": 1}}}
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error (problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


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
    api = Api(app, spec_kwargs={"marshmallow_plugin": MarshmallowPlugin()})
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(get_swaggerui_blueprint(
        "/api/docs", OPENAPI_PATH, config={"app_name": "BenchShare API"}))
    return api
