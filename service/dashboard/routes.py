"""The dashboard's page, its scripts and the chart library: plain Flask, outside the API.

The page holds no data: the browser signs in and asks the API, like any other client.
plotly.min.js (4.7 MB) comes from the `plotly` package under a URL that names its version, so
it is cached for good (immutable, with an ETag for revalidation) and sent gzipped to a client
that accepts it (about a third of the size)."""

from __future__ import annotations

import gzip
import hashlib
from functools import cache

from flask import Blueprint, Response, abort, render_template, request, url_for

blp = Blueprint("dashboard", __name__, url_prefix="/dashboard", static_folder="static",
                template_folder="templates", static_url_path="/static")

YEAR = 365 * 24 * 3600
SCRIPTS = ("i18n.js", "table.js", "charts.js", "heatmap.js", "drill.js", "compare.js",
           "panels.js", "app.js")  # api.js is the app's (webapp)


@cache
def _plotly() -> tuple[str, bytes, bytes, str]:
    """(version, the script, the script gzipped, its ETag), read once per process."""
    import plotly
    from plotly.offline import get_plotlyjs

    body = get_plotlyjs().encode("utf-8")
    return (plotly.__version__, body, gzip.compress(body, compresslevel=6, mtime=0),
            hashlib.sha256(body).hexdigest()[:32])


@cache
def _asset_version() -> str:
    """A short digest of the page's own files: their URLs change when they do."""
    digest = hashlib.sha256()
    for name in ("dashboard.css", *SCRIPTS):
        with blp.open_resource(f"static/{name}", "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:12]


@blp.get("")
@blp.get("/")
def page():
    version = _asset_version()
    return render_template(
        "dashboard.html",
        plotly_url=url_for("dashboard.plotly_js", version=_plotly()[0]),
        css_url=url_for("dashboard.static", filename="dashboard.css", v=version),
        app_url=url_for("dashboard.static", filename="app.js", v=version))


@blp.get("/vendor/plotly-<version>.min.js")
def plotly_js(version: str):
    current, body, zipped, etag = _plotly()
    if version != current:
        abort(404)
    gzipped = request.accept_encodings["gzip"] > 0  # "gzip;q=0" refuses it
    response = Response(zipped if gzipped else body, mimetype="text/javascript")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.set_etag(f"{etag}-gz" if gzipped else etag)
    return response.make_conditional(request)
