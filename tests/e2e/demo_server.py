"""The app served over real HTTP on a free port, on a freshly migrated and demo-loaded database:
what a newcomer gets from `benchshare serve --demo`, for the end-to-end tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import make_server

from service import create_app, schema
from service.config import PROJECT_ROOT
from service.db import db
from service.seeding import load_demo

from ..conftest import MIGRATIONS_DIR, TEST_CONFIG


@contextmanager
def demo_server(fresh_database, name: str) -> Iterator[tuple[str, Flask]]:
    """(base URL, app) of the app serving database `name`, migrated and demo-loaded."""
    url = fresh_database(name)
    schema.upgrade(MIGRATIONS_DIR, url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        load_demo(db.session, PROJECT_ROOT / "seeds")
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.engine.dispose()
