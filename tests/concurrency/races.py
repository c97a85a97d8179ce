"""Races on databases of their own: an app per database, a barrier releasing the clients at once."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from service import create_app, schema
from service.catalogue.bases import build_base
from service.catalogue.categories import register_category
from service.db import db

from ..conftest import MIGRATIONS_DIR, TEST_CONFIG

CLIENTS = 20
SHANGHAI = ZoneInfo("Asia/Shanghai")


def app_on_own_database(url: str):
    """A migrated app on url whose pool lets every client hold a connection."""
    schema.upgrade(MIGRATIONS_DIR, url)
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                       "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": CLIENTS + 5}})


def open_base_and_category(owner, name: str):
    """A base of owner's open around the clock every day, and a category (the caller commits)."""
    base = build_base(db.session, name=f"{name.title()} Base", kind="campus", organisation=owner,
                      timezone="Asia/Shanghai", opening_hours=[
                          {"weekday": d, "opens": time(0), "closes": time(23, 30)}
                          for d in range(1, 8)])
    return base, register_category(db.session, code=name, name=name.title())


def slot(day: int, hour: int) -> datetime:
    start = (datetime.now(SHANGHAI) + timedelta(days=day)).replace(
        hour=hour, minute=0, second=0, microsecond=0)
    return start


def race(app, requests):
    """Fire every (headers, body) at once from its own thread; return the responses."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def run(index, headers, body):
        client = app.test_client()
        barrier.wait()
        responses[index] = client.post("/api/v1/reservations", json=body, headers=headers)

    threads = [threading.Thread(target=run, args=(i, h, b)) for i, (h, b) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses
