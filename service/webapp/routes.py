"""The app's shell and its static files: every app path answers the same HTML, the router reads it.

The shell holds no data and no inline script or style (the pages' CSP forbids them): the browser
signs in and asks the API like any other client. Static files are served under /app/static; a URL
carrying the current digest (`?v=`) is cached for good, any other revalidates (ETag), and each is
sent gzipped to a client that accepts it. The dashboard imports the app's api.js from here."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request, url_for

blp = Blueprint("webapp", __name__, template_folder="templates")

STATIC = Path(__file__).resolve().parent / "static"
YEAR = 365 * 24 * 3600

# The app's paths (ISSUE 22's table); the router in static/app.js maps each to a page module.
APP_PATHS = (
    "/", "/signin", "/find", "/equipment/<int:item_id>", "/bookings/<int:reservation_id>",
    "/notifications", "/practice", "/calendar", "/class", "/approvals", "/qualifications",
    "/outcomes/new/<int:reservation_id>", "/attendance/<int:reservation_id>",
    "/labels/<int:base_id>",
    # ISSUE 23's workspaces
    "/work", "/offers", "/offers/new", "/offers/<int:offer_id>", "/offers/<int:offer_id>/edit",
    "/fleet", "/received", "/impact", "/partners", "/bases", "/bases/<int:base_id>",
    "/equipment/<int:item_id>/edit", "/people", "/quotas", "/organisations", "/vocabulary",
    # ISSUE 24: going live at a school
    "/password", "/password/forgot", "/signin/complete", "/people/import", "/classes",
    "/classes/<int:class_id>", "/sign-on", "/settings",
)
# The modules app.js imports, and what home imports after it: fetched at once rather than one
# import after another (the same plain URLs the imports name, so each loads once).
PRELOADED = ("api.js", "i18n.js", "ui.js", "refusals.js", "time.js", "bookings.js")
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def _files() -> list[Path]:
    return sorted(path for path in STATIC.rglob("*") if path.is_file())


@cache
def asset_version() -> str:
    """A short digest of every static file: the shell's URLs change when any of them does."""
    digest = hashlib.sha256()
    for path in _files():
        digest.update(str(path.relative_to(STATIC)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@cache
def _asset(name: str) -> tuple[bytes, bytes, str] | None:
    """(body, body gzipped, ETag) of a static file, read once per process; None if absent."""
    path = (STATIC / name).resolve()
    if STATIC not in path.parents or not path.is_file():
        return None
    body = path.read_bytes()
    return (body, gzip.compress(body, compresslevel=9, mtime=0),
            hashlib.sha256(body).hexdigest()[:32])


def shell(**_path_values):
    version = asset_version()
    return render_template(
        "app.html",
        css_url=url_for("webapp.static_file", filename="app.css", v=version),
        app_url=url_for("webapp.static_file", filename="app.js", v=version),
        preload_urls=[url_for("webapp.static_file", filename=name) for name in PRELOADED])


for _rule in APP_PATHS:
    blp.add_url_rule(_rule, view_func=shell, methods=["GET"], endpoint="shell")


@blp.get("/app/static/<path:filename>")
def static_file(filename: str):
    found = _asset(filename)
    if found is None:
        abort(404)
    body, zipped, etag = found
    gzipped = request.accept_encodings["gzip"] > 0  # "gzip;q=0" refuses it
    kind = TYPES.get(Path(filename).suffix) or mimetypes.guess_type(filename)[0]
    response = Response(zipped if gzipped else body, mimetype=kind or "application/octet-stream")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    # A URL naming the current digest never changes; the modules the pages import by plain
    # relative URLs revalidate instead, so a deploy is never half old, half new.
    if request.args.get("v") == asset_version():
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    response.set_etag(f"{etag}-gz" if gzipped else etag)
    return response.make_conditional(request)
