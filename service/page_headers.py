"""Security headers: the pages' Content-Security-Policy and friends, nosniff everywhere.

Pages are the app (`/` and its paths, `/app/static/...`, blueprint `webapp`) and the dashboard
(`/dashboard...`). They run only their own scripts (no inline script, no eval), are never
framed and send no Referer. The dashboard also allows inline styles: plotly sets `style`
attributes and injects a stylesheet as it draws. Every other answer (the API, health,
/api/docs) gets nosniff and Referrer-Policy only: the Swagger UI page runs an inline script,
and an API answer is not a page.
"""

from __future__ import annotations

from flask import Flask, Response, request

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'")
DASHBOARD_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
EVERY_ANSWER = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
PAGE_ONLY = {"X-Frame-Options": "DENY",
             "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}
# The app's paths (ISSUE22): the shell is served for each, its files under /app/static/.
APP_PATHS = ("/signin", "/find", "/equipment/", "/bookings/", "/notifications", "/practice",
             "/calendar", "/class", "/approvals", "/qualifications", "/outcomes/",
             "/attendance/", "/labels/", "/app/")
APP_BLUEPRINT, DASHBOARD_BLUEPRINT = "webapp", "dashboard"


def _under(path: str, prefix: str) -> bool:
    return path == prefix.rstrip("/") or path.startswith(prefix.rstrip("/") + "/")


def policy_for(path: str, blueprint: str | None) -> str | None:
    """The Content-Security-Policy of the page at `path` (served by `blueprint`), or None
    for what is not a page."""
    if blueprint == DASHBOARD_BLUEPRINT or _under(path, "/dashboard"):
        return DASHBOARD_POLICY
    if blueprint == APP_BLUEPRINT or path == "/" or any(_under(path, p) for p in APP_PATHS):
        return PAGE_POLICY
    return None


def _secure(response: Response) -> Response:
    for name, value in EVERY_ANSWER.items():
        response.headers.setdefault(name, value)
    policy = policy_for(request.path, request.blueprint)
    if policy is not None:
        response.headers["Content-Security-Policy"] = policy
        response.headers.update(PAGE_ONLY)
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every answer, errors included (after_request sees those too)."""
    app.after_request(_secure)
