"""Every failure as RFC 9457 problem details: domain errors, HTTP errors, validation, database."""

from __future__ import annotations

import logging

import psycopg.errors
from flask import Flask, g, jsonify, request
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from . import metrics
from .i18n import gettext, lazy_gettext, translated, validation_messages

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
# How long a client should wait before retrying when the database is away. A supervised
# embedded PostgreSQL is back within a few seconds; a pool that timed out needs about as long.
RETRY_AFTER_SECONDS = 5
# The database is down, restarting, unreachable or out of connections: not a bug (500) but a
# moment the client may wait out. psycopg's own class is there for code that uses psycopg
# without SQLAlchemy, whose errors arrive unwrapped.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout,
                        psycopg.OperationalError)


class DomainError(Exception):
    """A refusal the user can understand; subclasses fix the status and a stable code."""

    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str | None = None, *, code: str | None = None,
                 errors: dict | None = None, **extra):
        # A refusal is raised while its request is answered: its detail (gettext, or a lazy
        # string) is read now, in the request's language; the title when there is none.
        self.detail = str(detail) if detail else translated(self.title)
        super().__init__(self.detail)
        if code:
            self.code = code
        self.errors = errors
        self.extra = extra


class Invalid(DomainError):
    status, code, title = 422, "validation_error", "The request is not valid"


class NotSignedIn(DomainError):
    status, code, title = 401, "not_authenticated", "Sign in first"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "You may not do this"


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict with the current state"


class PreconditionFailed(DomainError):
    status, code, title = 412, "precondition_failed", "The resource has changed"


class TooManyRequests(DomainError):
    status, code, title = 429, "too_many_requests", "Too many requests"


# Stable codes for the HTTP errors raised by Flask/Werkzeug themselves.
HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    417: "expectation_failed",
    422: "validation_error",
    428: "precondition_required",
    429: "too_many_requests",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
}


def problem_body(status: int, code: str, title, detail=None,
                 errors: dict | None = None, **extra) -> dict:
    """The problem's members; `title` and `detail` (English text, a lazy string or gettext's
    answer) read in the request's language, `code` and the other members never translated."""
    title = translated(title)
    body = {
        "type": f"https://benchshare.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": str(detail) if detail else title,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def domain_problem_body(exc: DomainError) -> dict:
    extra = {k: v for k, v in exc.extra.items() if k != "headers"}
    return problem_body(exc.status, exc.code, exc.title, exc.detail, exc.errors, **extra)


def problem_response(status: int, body: dict, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem(status: int, code: str, title: str, detail: str | None = None,
            errors: dict | None = None, headers: dict | None = None, **extra):
    return problem_response(status, problem_body(status, code, title, detail, errors, **extra),
                            headers)


# Werkzeug's names of the HTTP errors, as problem titles in the reader's language.
HTTP_TITLES = {
    400: lazy_gettext("Bad Request"),
    401: lazy_gettext("Unauthorized"),
    403: lazy_gettext("Forbidden"),
    404: lazy_gettext("Not Found"),
    405: lazy_gettext("Method Not Allowed"),
    406: lazy_gettext("Not Acceptable"),
    409: lazy_gettext("Conflict"),
    412: lazy_gettext("Precondition Failed"),
    413: lazy_gettext("Request Entity Too Large"),
    415: lazy_gettext("Unsupported Media Type"),
    422: lazy_gettext("Unprocessable Entity"),
    428: lazy_gettext("Precondition Required"),
    429: lazy_gettext("Too Many Requests"),
}


def _flatten_webargs_messages(messages) -> dict:
    """webargs nests messages by location ({"json": {...}}); clients want field -> [messages]."""
    flat: dict = {}
    if not isinstance(messages, dict):
        return {"_body": messages if isinstance(messages, list) else [str(messages)]}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for name, value in fields.items():
                flat[str(name)] = value if isinstance(value, (list, dict)) else [str(value)]
        else:
            flat[f"_{location}"] = fields if isinstance(fields, list) else [str(fields)]
    return validation_messages(flat)


def handle_domain_error(exc: DomainError):
    metrics.refused(exc.code, request.url_rule)  # metrics: refusals by code
    return problem_response(exc.status, domain_problem_body(exc), exc.extra.get("headers"))


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    code = HTTP_CODES.get(status, "http_error")
    errors = None
    detail = exc.description
    data = getattr(exc, "data", None) or {}
    if status == 422 and "messages" in data:
        errors = _flatten_webargs_messages(data["messages"])
        detail = gettext("Some fields are not valid; see errors.")
    elif status == 400 and "messages" in data:
        code = "malformed_json"
        detail = gettext("The request body is not valid JSON.")
        errors = _flatten_webargs_messages(data["messages"])
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return problem(status, code, HTTP_TITLES.get(status, exc.name), detail, errors, headers)


def _rollback() -> None:
    from .db import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the answer must still go out
        log.warning("rollback after a database error failed", exc_info=True)


def handle_integrity_error(exc: IntegrityError):
    """A constraint PostgreSQL enforced that no pre-check caught: a conflict, never a 500."""
    _rollback()
    orig = exc.orig
    constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
    if isinstance(orig, psycopg.errors.UniqueViolation):
        return problem(409, "already_exists", lazy_gettext("Already exists"),
                       gettext("Another record already has this value."), constraint=constraint)
    if isinstance(orig, (psycopg.errors.ForeignKeyViolation, psycopg.errors.RestrictViolation)):
        return problem(409, "still_referenced", lazy_gettext("Referenced elsewhere"),
                       gettext("The record is referenced by, or refers to, a record that does "
                               "not allow this change."), constraint=constraint)
    if isinstance(orig, psycopg.errors.ExclusionViolation):
        return problem(409, "conflict", lazy_gettext("Conflict"),
                       gettext("The change overlaps an existing record."), constraint=constraint)
    return problem(422, "constraint_violation", lazy_gettext("Constraint violated"),
                   gettext("The change breaks a data rule."), constraint=constraint)


def handle_stale(exc: StaleDataError):
    _rollback()
    return problem(412, "precondition_failed", lazy_gettext("The resource has changed"),
                   gettext("Someone else changed this record meanwhile; fetch it again and "
                           "retry."))


def handle_database_unavailable(exc: Exception):
    """The database cannot answer now: 503 with Retry-After, whatever the request was."""
    _rollback()
    # One line, no traceback: during an outage every request lands here.
    log.warning("database unavailable on %s %s (request %s): %s", request.method, request.path,
                g.get("request_id"), str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return problem(503, "database_unavailable", lazy_gettext("Database unavailable"),
                   gettext("The database cannot be reached right now; retry in a few seconds."),
                   headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def handle_data_error(exc: DBAPIError):
    if exc.connection_invalidated:
        return handle_database_unavailable(exc)
    _rollback()
    if isinstance(exc.orig, (psycopg.errors.DataError,)):
        return problem(422, "invalid_value", lazy_gettext("Invalid value"),
                       gettext("A value is out of the range the database accepts."))
    return handle_unexpected(exc)


def handle_unexpected(exc: Exception):
    _rollback()
    log.exception("unhandled error on %s %s (request %s)", request.method, request.path,
                  g.get("request_id"))
    return problem(500, "internal_error", lazy_gettext("Internal server error"),
                   gettext("Something went wrong on our side; the request id identifies it."))


def init_app(app: Flask) -> None:
    """Route every error through the problem+json renderer."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(StaleDataError, handle_stale)
    app.register_error_handler(DBAPIError, handle_data_error)
    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
