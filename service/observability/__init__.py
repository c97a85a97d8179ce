"""Metrics for Prometheus: what each process records, what a scrape reads, and serve's part."""

from __future__ import annotations

from flask import Flask

from ..db import db
from . import families


def init_app(app: Flask) -> None:
    """The /metrics page, the pool's gauges and the bookings counted at commit."""
    from .routes import blp

    app.register_blueprint(blp)
    families.install()
    with app.app_context():
        families.watch_pool(db.engine)
