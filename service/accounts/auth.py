"""Bearer authentication for every request; only a short list of endpoints is public."""

from __future__ import annotations

import functools

from flask import Flask, g, request

from ..db import db
from ..errors import NotSignedIn
from ..i18n import gettext
from .errors import InvalidToken, RoleNotAllowed
from .principal import Principal, user_for_token

PUBLIC_ENDPOINTS = {
    "health.healthz",
    "health.readyz",
    "metrics.scrape",  # metrics: checks METRICS_TOKEN itself
    "api-docs.openapi_json",
    "swagger_ui.show",
    "static",
    # Authenticates itself: a bearer token or the feed's secret key (calendar apps).
    "reservations.MyCalendar",
    # The dashboard's page and files hold no data; its script signs in like any client.
    "dashboard.page",
    "dashboard.static",
    "dashboard.plotly_js",
    # So are the app's shell and its modules (the dashboard imports the app's api.js).
    "webapp.shell",
    "webapp.static_file",
    # signon: the way to a token without a password (the callback authenticates itself).
    "signon.SignOnList",
    "signon.SignOnStart",
    "signon.SignOnCallback",
}
PUBLIC_METHODS = {
    ("accounts.Tokens", "POST"),
    # access: whoever forgot their password, or was invited, has no token yet.
    ("accounts.PasswordReset", "POST"),
    ("accounts.PasswordWithLink", "POST"),
}
_BEARER = "bearer "


def bearer_token() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    if not header.lower().startswith(_BEARER) or not header[len(_BEARER):].strip():
        raise InvalidToken(gettext("Send 'Authorization: Bearer <token>'."),
                           code="invalid_authorization_header",
                           errors={"Authorization": ["Expected a Bearer token."]},
                           headers={"WWW-Authenticate": 'Bearer error="invalid_request"'})
    token = header[len(_BEARER):].strip()
    if len(token) > 200:
        raise InvalidToken(headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return token


def _authenticate():
    g.user = None
    # Unknown routes and wrong methods answer 404/405 whether signed in or not.
    if request.url_rule is None or request.endpoint in PUBLIC_ENDPOINTS:
        return
    if (request.endpoint, request.method) in PUBLIC_METHODS:
        return
    if request.method == "OPTIONS":
        return
    token = bearer_token()
    if token is None:
        raise NotSignedIn(gettext("Sign in and send 'Authorization: Bearer <token>'."),
                          headers={"WWW-Authenticate": "Bearer"})
    g.user = user_for_token(db.session, token)
    g.user_id = g.user.id


def current_user() -> Principal:
    """The signed-in user of this request (a value object; services read it like a User)."""
    user = g.get("user")
    if user is None:
        raise NotSignedIn()
    return user


def roles(*allowed: str):
    """Refuse other roles with 403 before the body is even parsed (services check again)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if current_user().role not in allowed:
                raise RoleNotAllowed(gettext("This needs one of the roles: %(roles)s.",
                                             roles=", ".join(allowed)))
            return view(*args, **kwargs)

        return wrapper

    return decorate


def init_app(app: Flask) -> None:
    app.before_request(_authenticate)
