"""Metrics for Prometheus: the /metrics page, the families read at scrape, serve's part."""

from __future__ import annotations

from flask import Flask

from .. import metrics
from ..db import db


def init_app(app: Flask) -> None:
    """The /metrics page, the pool's gauges and the bookings counted at commit."""
    from .routes import blp

    app.register_blueprint(blp)
    metrics.install()
    with app.app_context():
        metrics.watch_pool(db.engine)
