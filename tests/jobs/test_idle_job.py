"""The idle-equipment job: run through the scheduler's wrapper with its settings, once a week's
notice however often it runs, and one set of findings when two instances run it at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service import scheduler
from service.config import ConfigurationError, from_env
from service.db import db
from service.idle.models import IdleFinding
from service.idle.services import find_idle_equipment
from service.notifications.models import Notification

from ..concurrency.races import app_on_own_database
from ..factories import Factory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def last_closed_monday():
    """The Monday of the last week over in Shanghai (the only zone of these tests' bases)."""
    today = datetime.now(SHANGHAI).date()
    return today - timedelta(days=today.weekday() + 7)


def lab(make, world, session):
    """Two school items in use for ten weeks at the school's base (weekdays 08:00-18:00,
    50 h a week): `quiet` booked 2 h in the last week, `busy` 20 h every week."""
    quiet = make.equipment(world.base, world.category, world.school, name="Quiet drill")
    busy = make.equipment(world.base, world.category, world.school, name="Busy press")
    session.flush()
    quiet.created_at = busy.created_at = datetime.now(UTC) - timedelta(weeks=10)
    last = last_closed_monday()
    for n in range(6):
        tuesday = last - timedelta(weeks=n) + timedelta(days=1)
        start = datetime.combine(tuesday, time(8), SHANGHAI)
        make.reservation(busy, world.users["student"], start, start + timedelta(hours=10))
        make.reservation(busy, world.users["student"], start + timedelta(days=1),
                         start + timedelta(days=1, hours=10))
    start = datetime.combine(last + timedelta(days=2), time(9), SHANGHAI)
    make.reservation(quiet, world.users["student"], start, start + timedelta(hours=2))
    session.commit()
    return quiet, busy


def run(app, config=None):
    body = scheduler.jobs(config or app.config)["judge_idle_equipment"]
    return scheduler.run_job(app, "judge_idle_equipment", body)


def found(session):
    return set(session.scalars(select(IdleFinding.equipment_id).where(
        IdleFinding.week_start == last_closed_monday())))


def idle_notices(session):
    return session.scalars(select(Notification).where(
        Notification.kind == "idle_equipment")).all()


def test_the_job_judges_the_last_complete_weeks_and_tells_the_admins_once(app, session, make,
                                                                         world):
    quiet, busy = lab(make, world, session)
    assert run(app) == 1, "the quiet item; the world's own items are too new to judge"
    assert found(session) == {quiet.id}
    [notice] = idle_notices(session)
    assert notice.user_id == world.users["admin"].id
    assert "Quiet drill" in notice.body and "198.0 h free of 200.0 h" in notice.body
    assert notice.data["week_start"] == last_closed_monday().isoformat()
    assert run(app) == 1 and len(idle_notices(session)) == 1, "a daily rerun tells no one again"


def test_the_job_follows_the_threshold_and_weeks_settings(app, session, make, world):
    quiet, busy = lab(make, world, session)
    assert run(app, {**app.config, "IDLE_THRESHOLD": 0.5}) == 2, "40 % is under 50 %"
    assert found(session) == {quiet.id, busy.id}
    assert session.scalar(select(IdleFinding.threshold).where(
        IdleFinding.equipment_id == busy.id)) == 0.5
    assert run(app, {**app.config, "IDLE_THRESHOLD": 0.4}) == 1, "40 % is not under 40 %"
    assert found(session) == {quiet.id}
    # Over one week the quiet item's 2 h are 4 %: still under 5 %; over four, 1 %.
    assert run(app, {**app.config, "IDLE_WEEKS": 1, "IDLE_THRESHOLD": 0.05}) == 1
    assert session.scalar(select(IdleFinding.weeks).where(
        IdleFinding.equipment_id == quiet.id)) == 1


def test_the_job_is_scheduled_daily():
    trigger = scheduler.TRIGGERS["judge_idle_equipment"]
    assert trigger["trigger"] == "cron" and "day_of_week" not in trigger


def test_the_settings_default_and_are_checked():
    config = from_env({})
    assert (config["IDLE_THRESHOLD"], config["IDLE_WEEKS"]) == (0.15, 4)
    config = from_env({"IDLE_THRESHOLD": "0.3", "IDLE_WEEKS": "6"})
    assert (config["IDLE_THRESHOLD"], config["IDLE_WEEKS"]) == (0.3, 6)
    for name, value in (("IDLE_THRESHOLD", "1.5"), ("IDLE_THRESHOLD", "-0.1"),
                        ("IDLE_THRESHOLD", "nan"), ("IDLE_THRESHOLD", "15%"),
                        ("IDLE_WEEKS", "0"), ("IDLE_WEEKS", "two")):
        with pytest.raises(ConfigurationError, match=name):
            from_env({name: value})


@pytest.mark.concurrency
def test_two_instances_judging_at_once_keep_one_finding_and_one_notice(fresh_database):
    app = app_on_own_database(fresh_database("benchshare_idle_race"))
    with app.app_context():
        make = Factory(db.session)
        world = make.world()
        quiet, _ = lab(make, world, db.session)
    barrier = threading.Barrier(2)
    told = [None, None]

    def judge(index):
        with app.app_context():
            try:
                barrier.wait()
                told[index] = find_idle_equipment(db.session, weeks=4,
                                                  threshold=0.15).owners_told
            finally:
                db.session.remove()

    threads = [threading.Thread(target=judge, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(told) == [0, 1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IdleFinding)) == 1
        assert found(db.session) == {quiet.id}
        assert len(idle_notices(db.session)) == 1
        db.engine.dispose()
