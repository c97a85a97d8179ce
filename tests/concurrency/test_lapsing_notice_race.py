"""Runs of the lapsing-request job overlapping on separate connections (two schedulers whose
advisory lock was lost) still tell each approver once per request."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service import create_app, schema
from service.accounts.services import register_organisation, register_user
from service.catalogue.bases import build_base
from service.catalogue.categories import register_category
from service.catalogue.equipment import build_equipment
from service.db import db
from service.notifications.models import Notification
from service.reservations import booking, jobs

from ..conftest import MIGRATIONS_DIR, TEST_CONFIG

RUNS = 8
REQUESTS = 6
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 1, 4, 9, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def requests(fresh_database):
    """An app on its own database (real commits) with REQUESTS pending requests starting in an
    hour, on items of a school with two approvers."""
    url = fresh_database("benchshare_lapsing_race")
    schema.upgrade(MIGRATIONS_DIR, url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": RUNS + 5}})
    with app.app_context():
        school = register_organisation(db.session, name="Lapse School", kind="school")
        base = build_base(db.session, name="Lapse Base", kind="campus", organisation=school,
                          timezone="Asia/Shanghai", opening_hours=[
                              {"weekday": d, "opens": time(0), "closes": time(23, 30)}
                              for d in range(1, 8)])
        category = register_category(db.session, code="lapse", name="Lapse")
        people = {role: register_user(db.session, organisation=school, full_name=role,
                                      email=f"{role}@lapse.example", role=role,
                                      password="x" * 12)
                  for role in ("student", "instructor", "admin")}
        for n in range(REQUESTS):
            item = build_equipment(db.session, name=f"Press {n}", asset_tag=f"LAPSE-{n}",
                                   base_id=base.id, category_id=category.id,
                                   owner_organisation_id=school.id, requires_approval=True)
            db.session.commit()
            booking.reserve(db.session, people["student"], equipment_id=item.id,
                            starts_at=NOW + timedelta(hours=1),
                            ends_at=NOW + timedelta(hours=2), now=NOW - timedelta(days=1))
        approvers = [people["instructor"].id, people["admin"].id]
    yield app, approvers
    with app.app_context():
        db.engine.dispose()


def test_overlapping_runs_tell_each_approver_once_per_request(requests):
    app, approvers = requests
    barrier = threading.Barrier(RUNS)
    told, errors = [], []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                told.append(jobs.send_lapsing_notices(db.session, lead_minutes=120, now=NOW))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(told) == REQUESTS
    with app.app_context():
        counts = db.session.execute(
            select(Notification.user_id, Notification.reservation_id, func.count())
            .where(Notification.kind == "request_lapsing")
            .group_by(Notification.user_id, Notification.reservation_id)).all()
        assert len(counts) == REQUESTS * len(approvers)
        assert {user_id for user_id, _, _ in counts} == set(approvers)
        assert {count for _, _, count in counts} == {1}
        # A later run finds nothing left to tell.
        assert jobs.send_lapsing_notices(db.session, lead_minutes=120, now=NOW) == 0
        db.session.remove()
