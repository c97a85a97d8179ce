"""Cross-cutting HTTP: request ids, access log, body checks, ETags, pages, the Blueprint."""

from __future__ import annotations

import functools
import logging
import re
import time
import uuid
from collections.abc import Mapping
from http import HTTPStatus

import marshmallow as ma
from flask import Flask, current_app, g, request
from flask.sessions import SessionInterface
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser, abort
from werkzeug.routing import IntegerConverter

from . import metrics
from .errors import DomainError, Invalid, problem
from .fields import Boolean, Instant, Integer  # noqa: F401 (the schemas' fields, here too)
from .request_bodies import UPLOADS, has_body, refuse_oversized_body, start_upload

access_log = logging.getLogger("benchshare.request")

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
ENTITY_TAG = re.compile(r'\s*(?:W/)?"([^"]*)"\s*')
VERSION = re.compile(r"[0-9]{1,18}")
# No body of ours nests beyond a few levels; deeper is hostile, and checks that walk a body
# (ours, marshmallow's) recurse, so the limit must sit well below Python's stack.
MAX_JSON_DEPTH = 32


class StrictParser(FlaskParser):
    """Query strings are validated like bodies (an unknown parameter is a 422); bodies nest
    at most MAX_JSON_DEPTH levels."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def _raw_load_json(self, req):
        # Refused here, as an abort: webargs reads a JSONDecodeError on an empty document as
        # "no body", which turned a too-deep body into "Missing data" or a silent PATCH no-op.
        try:
            data = super()._raw_load_json(req)
            if not nests_deeper_than(data, MAX_JSON_DEPTH):
                return data
        except RecursionError:
            pass  # deeper than the parser itself can follow
        abort(400, messages={"json": [f"Nested deeper than {MAX_JSON_DEPTH} levels."]})


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = StrictParser()

    def arguments(self, schema, *, location: str = "json", required: bool = True, **kwargs):
        """As flask-smorest's, and a body the document marks required is required: a
        request without one is a 422 naming the body, not a quiet no-op. A schema class is
        instantiated once, here: webargs would build (and deep-copy the fields of) a new
        instance on every request."""
        if isinstance(schema, type) and issubclass(schema, ma.Schema):
            schema = schema()
        parse = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return parse

        def decorate(view):
            parsed = parse(view)

            @functools.wraps(parsed)
            def needs_body(*args, **kw):
                if not has_body():
                    raise Invalid("This request needs a JSON body.", code="body_required",
                                  errors={"_body": ["Missing."]})
                return parsed(*args, **kw)

            return needs_body

        return decorate

    def problems(self, *statuses: int):
        """Document the problem+json answers a view gives besides its success. The 422 of
        its arguments comes from flask-smorest; 401/403/404/409/412/503 and the rest that
        follow from the request's shape are added by service/openapi.py."""

        def decorate(view):
            for status in statuses:
                view = self.alt_response(status, response=HTTPStatus(status).name)(view)
            return view

        return decorate


class BaseSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True

    @ma.pre_load
    def _refuse_unstorable_text(self, data, **kwargs):
        # PostgreSQL text holds neither NUL nor lone surrogates: name the field, don't crash.
        if isinstance(data, Mapping):
            bad = {key: [problem] for key, value in data.items()
                   if (problem := unstorable_text(value))}
            if bad:
                raise ma.ValidationError(bad)
        return data


def nests_deeper_than(value, limit: int) -> bool:
    """Whether lists and objects in a parsed JSON value nest more than `limit` levels."""
    level, current = 0, [value]
    # Level by level, not recursively: the point is not to exhaust the stack on hostile input.
    while current := [item for item in current if isinstance(item, (list, dict))]:
        level += 1
        if level > limit:
            return True
        current = [child for item in current
                   for child in (item.values() if isinstance(item, dict) else item)]
    return False


def unstorable_text(value) -> str | None:
    """Why a (possibly nested) value holds text PostgreSQL cannot store, or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return "Must not contain NUL characters."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Must be valid Unicode text."
        return None
    if isinstance(value, Mapping):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        return next((p for item in value if (p := unstorable_text(item))), None)
    return None


# ---------------------------------------------------------------- ETags and If-Match

def etag(version: int) -> str:
    return f'"{version}"'


def with_etag(obj, status: int = 200):
    """A view's return value carrying the object's ETag."""
    return obj, status, {"ETag": etag(obj.version)}


def if_match_versions() -> list[int] | None:
    """Versions the client's If-Match accepts; None when the header is absent or `*`."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    versions = []
    for part in raw.split(","):
        match = ENTITY_TAG.fullmatch(part)
        if not match or not VERSION.fullmatch(match.group(1)):
            raise DomainError(
                "If-Match must list entity tags as returned in ETag, e.g. \"3\".",
                code="invalid_header", errors={"If-Match": ["Not a list of entity tags."]},
            )
        versions.append(int(match.group(1)))
    return versions


# ---------------------------------------------------------------- pages

class PageArgsSchema(BaseSchema):
    """page / page_size / sort; subclasses add filters and set SORTABLE."""

    SORTABLE: tuple[str, ...] = ("id",)

    page = Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000),
                             metadata={"description": "Page number, from 1."})
    page_size = Integer(load_default=20, validate=ma.validate.Range(min=1), metadata={
        "description": "Items per page, from 1 to PAGE_SIZE_MAX (100 unless configured)."})
    sort = ma.fields.String(load_default="id", metadata={
        "description": "Field to sort by; prefix with '-' for descending."})

    @ma.validates("page_size")
    def _page_size_allowed(self, value: int, **kwargs) -> None:
        most = current_app.config["PAGE_SIZE_MAX"]
        if value > most:
            raise ma.ValidationError(f"At most {most}.")

    @ma.validates("sort")
    def _known_sort(self, value: str, **kwargs) -> None:
        if value.removeprefix("-") not in self.SORTABLE:
            raise ma.ValidationError(f"Sort by one of: {', '.join(self.SORTABLE)}.")


class StatusEventSchema(ma.Schema):
    """One change of a status (a reservation's, an offer's): who, when, from, to, why."""

    id = Integer(required=True)
    at = ma.fields.AwareDateTime(required=True)
    actor_id = Integer(allow_none=True, required=True, metadata={
        "description": "Null when the system acted (no-show, expiry)."})
    from_status = ma.fields.String(allow_none=True, required=True)
    to_status = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The envelope every collection answers with: items plus total and paging."""
    return type(name, (ma.Schema,), {
        "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
        "total": ma.fields.Integer(required=True),
        "page": ma.fields.Integer(required=True),
        "page_size": ma.fields.Integer(required=True),
    })


# ---------------------------------------------------------------- request hooks

def _start_request():
    g.started_at = time.perf_counter()
    supplied = request.headers.get("X-Request-ID", "")
    # An unusable id (too long, odd characters) is replaced rather than echoed back into logs.
    g.request_id = supplied if REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex
    if request.endpoint in UPLOADS:  # imports: a file upload, not a JSON body
        return start_upload(current_app.config[UPLOADS[request.endpoint]])
    refuse_oversized_body()
    if request.method in ("POST", "PUT", "PATCH") and has_body() and not request.is_json:
        return problem(415, "unsupported_media_type", "Unsupported Media Type",
                       "Send the body as application/json.",
                       errors={"Content-Type": ["Must be application/json."]})
    return None


def _stale_read(response):
    """A GET whose If-Match does not name the current ETag: 412 as problem details (the
    current tag beside it), never the resource as a 412's body. `*` names any current
    representation (RFC 9110, 13.1.1)."""
    tag, _ = response.get_etag()
    if not request.if_match or request.if_match.contains(tag):  # contains `*` too
        return None
    stale = problem(412, "precondition_failed", "The resource has changed",
                    "If-Match does not name the current version.",
                    errors={"If-Match": ["Not the current entity tag."]},
                    current_etag=response.headers["ETag"])
    stale.headers["ETag"] = response.headers["ETag"]
    return stale


def _conditional_read(response):
    """A GET's If-Match, then its If-None-Match (304). If-Match is ours alone: Werkzeug's
    make_conditional counts `*` as a mismatch and answers that 412 with the resource as
    its body, so it never sees the header (once past `_stale_read`, it holds)."""
    if stale := _stale_read(response):
        return stale
    environ = dict(request.environ)
    environ.pop("HTTP_IF_MATCH", None)
    return response.make_conditional(environ)


def _finish_request(response):
    if request.method == "GET" and response.status_code == 200 and "ETag" in response.headers:
        response = _conditional_read(response)
    response.headers["X-Request-ID"] = g.get("request_id", "")
    # metrics: every answer, by its URL rule and status, and how long it took.
    seconds = time.perf_counter() - g.get("started_at", time.perf_counter())
    metrics.request_answered(request.url_rule, request.method, response.status_code, seconds)
    if access_log.isEnabledFor(logging.INFO):  # built only when written: this runs every time
        duration_ms = (time.perf_counter() - g.get("started_at", time.perf_counter())) * 1000
        access_log.info(
            "%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms,
            extra={"method": request.method, "path": request.path,
                   "status": response.status_code, "duration_ms": round(duration_ms, 2),
                   "request_id": g.get("request_id"), "user_id": g.get("user_id")},
        )
    return response


class NoCookieSessions(SessionInterface):
    """Clients sign in with bearer tokens, never a cookie: Flask's cookie session would build
    a signing serializer for every request and read a cookie nobody sets."""

    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response):
        return None


class RowId(IntegerConverter):
    """`<int:...>` in a URL: an id PostgreSQL's bigint can hold, else no such route (404),
    rather than a number the database refuses."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Install request id, body checks, the access log and bounded ids in URLs."""
    app.url_map.converters["int"] = RowId
    app.session_interface = NoCookieSessions()
    app.before_request(_start_request)
    app.after_request(_finish_request)
