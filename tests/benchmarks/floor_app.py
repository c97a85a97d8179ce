"""The floor of the hot-path benchmark: a bare Flask app, one `SELECT 1` through a pool.

Served by the same gunicorn as the app (`tests.benchmarks.floor_app:create_app()`, same worker
count, same database from DATABASE_URL): what a request costs on this stack with no framework
of ours around it. SQLAlchemy's pool on psycopg 3, without pre-ping; each worker opens its own
engine after the fork.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify
from sqlalchemy import create_engine, text

from service.config import sqlalchemy_url


def create_app() -> Flask:
    app = Flask(__name__)
    url = sqlalchemy_url(os.environ["DATABASE_URL"])
    engines = {}

    def engine():
        pid = os.getpid()  # gunicorn may import the app before forking: one engine per worker
        if pid not in engines:
            engines.clear()
            engines[pid] = create_engine(url, pool_pre_ping=False)
        return engines[pid]

    @app.get("/floor")
    def floor():
        with engine().connect() as conn:
            value = conn.execute(text("SELECT 1")).scalar_one()
        return jsonify(ok=True, value=value)

    @app.get("/readyz")
    def ready():
        return jsonify(status="ready")

    return app
