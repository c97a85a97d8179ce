"""What the OpenAPI document tells a client about every answer: statuses, headers, rules."""

from __future__ import annotations

import inspect
from datetime import date
from http import HTTPStatus

import marshmallow as ma
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from .http import BaseSchema, PageArgsSchema

ENTITY_TAGS = r'^\s*(\*|(W/)?"[0-9]{1,18}"(\s*,\s*(W/)?"[0-9]{1,18}")*)\s*$'
ETAG_HEADER = {"description": "The version of the resource, for If-Match and If-None-Match.",
               "schema": {"type": "string", "pattern": r'^"[0-9]{1,18}"$'}}
LOCATION_HEADER = {"description": "URL of the created resource.",
                   "schema": {"type": "string", "format": "uri-reference"}}
IF_MATCH = {"in": "header", "name": "If-Match", "required": False,
            "schema": {"type": "string", "pattern": ENTITY_TAGS}}
IF_MATCH_WRITE = "Act only if the resource is still at one of these versions (ETag values); " \
                 "otherwise 412 stale_etag with current_etag. Not a list of entity tags: 400."
IF_MATCH_READ = "Answer only if the resource is at one of these versions; otherwise 412 " \
                "precondition_failed (problem details with current_etag). A value that is " \
                "not a list of entity tags names no version: 412 too."
# A read takes any text in its conditional headers (never a 400): not tags, it matches none.
READ_TAGS = {"type": "string"}
IF_NONE_MATCH = {"in": "header", "name": "If-None-Match", "required": False,
                 "schema": READ_TAGS,
                 "description": "304 Not Modified, without a body, if the resource is still at "
                                "one of these versions (a value that is not a list of entity "
                                "tags names none: the resource is answered)."}
WRITES = ("post", "put", "patch", "delete")
BODY_METHODS = ("post", "put", "patch")
# Why each status is declared where it is; the rules below follow service/http.py,
# service/errors.py and service/accounts/auth.py.
WHY = {
    400: "Malformed JSON, a body nested too deeply, or a malformed header (If-Match, "
         "Idempotency-Key).",
    401: "Not signed in, or the bearer token is unknown, expired or revoked.",
    403: "Your role or organisation may not do this (the code says which rule).",
    404: "No such resource that you may see (ids out of range too).",
    409: "Conflicts with the current state (the code says which), or a database constraint "
         "(already_exists, still_referenced, conflict with its `constraint`).",
    412: "If-Match does not name the current version (current_etag says which is).",
    413: "The request body is larger than the service accepts.",
    415: "A body that is not application/json.",
    422: "A field, parameter or rule of the request is not valid; `errors` names the fields. "
         "Beyond each field's schema: an id in the body must name a row you may see "
         "(\"Does not exist.\", \"Not in your school.\", \"No such reservation.\"), `to` "
         "must be after `from` and ends_at after starts_at (invalid_span), a time zone must "
         "be an IANA name (invalid_timezone).",
}


class Answers(BasePlugin):
    """An apispec plugin completing each operation with the answers the service gives it,
    read from the view and the rules every request meets (it runs after the marshmallow
    plugin, so query schemas are parameters by then)."""

    def __init__(self, app: Flask):
        super().__init__()
        self._app = app

    def init_spec(self, spec) -> None:
        # The marshmallow plugin is initialised first (flask-smorest lists it before ours).
        converter = next(p for p in spec.plugins if isinstance(p, MarshmallowPlugin)).converter
        most = self._app.config["PAGE_SIZE_MAX"]

        def page_size_most(converter, field, **kwargs) -> dict:
            """page_size's configured maximum, which its validator reads at request time."""
            if field.name == "page_size" and isinstance(field.parent, PageArgsSchema):
                return {"maximum": most}
            return {}

        for rule in (page_size_most, days_pattern, storable_text):
            converter.add_attribute_function(rule)

    def schema_helper(self, name, definition, schema=None, **kwargs):
        """A schema's rule across its members that no field can state (its JSON_SCHEMA, e.g.
        exactly one of two members), merged into what the marshmallow plugin wrote."""
        extra = getattr(schema, "JSON_SCHEMA", None)
        return dict(extra) if extra else None

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        view_class = getattr(self._app.view_functions[rule.endpoint], "view_class", None)
        for method, operation in operations.items():
            view = getattr(view_class, method, None)
            if view is not None:
                document(operation, method=method, has_path_ids=bool(rule.arguments),
                         view=inspect.unwrap(view))
                state_rules(operation)


def reads(view) -> tuple[set[str], set]:
    """The names a view's code uses and the constants it holds."""
    code = view.__code__
    constants, pending = set(), list(code.co_consts)
    while pending:  # a dict literal's keys are one tuple constant
        constant = pending.pop()
        if isinstance(constant, tuple):
            pending.extend(constant)
        elif isinstance(constant, str):
            constants.add(constant)
    return set(code.co_names), constants


def document(operation: dict, *, method: str, has_path_ids: bool, view) -> None:
    """Declare on one operation every status and header the service answers it with."""
    names, constants = reads(view)
    sends_etag = bool(names & {"with_etag", "etag"})
    honours_if_match = "if_match_versions" in names
    responses = operation.setdefault("responses", {})
    statuses = {503}
    if operation.get("security") != []:  # [] is "no sign-in"; absent, the bearer default
        statuses |= {401, 403}
    if has_path_ids:
        statuses.add(404)
    if method in BODY_METHODS:
        statuses |= {400, 413, 415}
    if method in WRITES:
        # A write may meet a constraint only PostgreSQL checks (service/errors.py).
        statuses |= {409, 422}
    if honours_if_match:
        statuses |= {400, 412}
        _add_parameter(operation, {**IF_MATCH, "description": IF_MATCH_WRITE})
    if method == "get" and sends_etag:
        statuses.add(412)
        _add_parameter(operation, {**IF_MATCH, "schema": READ_TAGS, "description": IF_MATCH_READ})
        _add_parameter(operation, IF_NONE_MATCH)
        responses.setdefault(304, {"description": "Not Modified (If-None-Match).",
                                   "headers": {"ETag": ETAG_HEADER}})
    if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
        # A malformed key is a 400; a retry while the first is running, 409 with Retry-After.
        statuses |= {400, 409, 422}
    present = {int(status) for status in responses if str(status).isdigit()}
    for status in sorted(statuses - present):
        responses[status] = HTTPStatus(status).name
    for status, response in responses.items():
        if not str(status).startswith("2") or not isinstance(response, dict):
            continue
        headers = response.setdefault("headers", {})
        if sends_etag and int(status) != 204:
            headers["ETag"] = ETAG_HEADER
        if int(status) == 201 and "Location" in constants:
            headers["Location"] = LOCATION_HEADER
        if not headers:
            del response["headers"]


def state_rules(operation: dict) -> None:
    """Say in the document the rules a parameter's schema cannot: a required `to` must be
    after a required `from` (every such operation refuses otherwise, 422 naming `to`)."""
    query = {p["name"]: p for p in operation.get("parameters", [])
             if isinstance(p, dict) and p.get("in") == "query"}
    if query.get("from", {}).get("required") and query.get("to", {}).get("required"):
        to = query["to"]
        said = to.get("description", "")
        if "after from" not in said.lower():
            to["description"] = f"{said} Must be after from.".strip()


# The years a day or an instant may fall in (service/fields.py Instant, DAYS ranges).
YEARS_1970_TO_2199 = r"(19[7-9][0-9]|2[01][0-9]{2})"
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2199, 12, 31)
# PostgreSQL text cannot hold NUL: every request's text refuses it (http.unstorable_text).
NO_NUL = r"^[^\u0000]*$"


def days_pattern(converter, field, ret, **kwargs) -> dict:
    """A day limited to 1970-01-01..2199-12-31 (said as x-minimum/x-maximum, which
    generators ignore) as a pattern on its year too."""
    if any(isinstance(v, ma.validate.Range) and v.min == FIRST_DAY and v.max == LAST_DAY
           for v in field.validators) and "pattern" not in ret:
        return {"pattern": f"^{YEARS_1970_TO_2199}-"}
    return {}


def storable_text(converter, field, ret, **kwargs) -> dict:
    """Free text of a request (not a date, enum or otherwise patterned string): no NUL."""
    if (isinstance(field, ma.fields.String) and isinstance(field.root, BaseSchema)
            and not {"pattern", "format", "enum"} & ret.keys()):
        return {"pattern": NO_NUL}
    return {}


def _add_parameter(operation: dict, parameter: dict) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("in") == "header" and p.get("name") == parameter["name"]
               for p in parameters if isinstance(p, dict)):
        parameters.append(parameter)


def rowid_schema(converter) -> dict:
    """An id in a URL: 1 to bigint's maximum; any other number answers 404 (no such row)."""
    return {"type": "integer", "minimum": 1, "maximum": converter.max,
            "description": "A row id, 1 to 2^63-1; an id outside that range, or of no row you "
                           "may see, answers 404."}
