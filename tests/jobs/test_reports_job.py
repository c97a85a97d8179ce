"""The reports job: every closed period once, catch-up after downtime, retries, no rewrites,
and one set of rows when two instances run it at once; the rebuild command."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from service import cli, create_app, schema
from service.accounts.models import User
from service.catalogue.models import Equipment
from service.db import db
from service.reports import services
from service.reports.jobs import build_due_reports
from service.reports.models import ReportRun, UtilisationRow

from ..conftest import MIGRATIONS_DIR, TEST_CONFIG
from ..factories import Factory

BERLIN = ZoneInfo("Europe/Berlin")
START = date(2027, 3, 1)  # a Monday, the first of a month
# Wednesday 2027-03-10 noon: nine closed days, one closed week, no closed month.
NOW = datetime(2027, 3, 10, 12, tzinfo=BERLIN)


def _runs(session, **where):
    query = select(ReportRun.granularity, ReportRun.period_start, ReportRun.status,
                   ReportRun.trigger).order_by(ReportRun.id)
    for name, value in where.items():
        query = query.where(getattr(ReportRun, name) == value)
    return session.execute(query).all()


@pytest.fixture
def lab(make, world, session):
    """A Berlin base open on weekdays 08:00-18:00 with one school item."""
    base = make.base(world.school, timezone="Europe/Berlin")
    item = make.equipment(base, world.category, world.school)
    session.commit()
    return item


def test_the_job_builds_every_closed_period_once(session, lab):
    assert build_due_reports(session, NOW, since=START) == 9 + 1
    assert {(g, s) for g, s, *_ in _runs(session, status="succeeded")} == {
        *(("day", START + timedelta(days=n)) for n in range(9)), ("week", START)}
    assert build_due_reports(session, NOW, since=START) == 0, "nothing is built twice"


def test_after_downtime_the_job_catches_up_on_every_missed_period(session, lab):
    build_due_reports(session, NOW, since=START)
    later = NOW + timedelta(days=30)
    # Days 10..38, the weeks of 8 and 15 and 22 and 29 March, and March itself.
    assert build_due_reports(session, later, since=START) == 30 + 4 + 1


def test_a_late_edit_does_not_rewrite_a_closed_period_until_it_is_rebuilt(session, make,
                                                                             world, lab):
    build_due_reports(session, NOW, since=START)
    make.reservation(lab, world.users["student"], datetime(2027, 3, 2, 9, tzinfo=BERLIN),
                     datetime(2027, 3, 2, 11, tzinfo=BERLIN), status="completed")
    session.commit()
    build_due_reports(session, NOW + timedelta(days=1), since=START)

    def booked():
        return session.scalar(select(UtilisationRow.booked_hours).where(
            UtilisationRow.equipment_id == lab.id, UtilisationRow.granularity == "day",
            UtilisationRow.period_start == date(2027, 3, 2)))

    assert booked() == 0
    run = services.build_requested_report(session, "day", date(2027, 3, 2), now=NOW)
    assert (run.trigger, run.status, booked()) == ("rebuild", "succeeded", Decimal(2))


def test_a_failed_run_is_recorded_and_retried_at_the_next_turn(session, lab, monkeypatch):
    real = services._write_periods

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_write_periods", broken)
    assert build_due_reports(session, NOW, since=START, limit=1) == 0
    [(granularity, start, status, trigger)] = _runs(session)
    assert (granularity, start, status, trigger) == ("day", START, "failed", "schedule")
    assert session.scalar(select(ReportRun.error)) == "RuntimeError: disk full"
    monkeypatch.setattr(services, "_write_periods", real)
    assert build_due_reports(session, NOW, since=START, limit=1) == 1
    assert [r.status for r in _runs(session, period_start=START)] == ["failed", "succeeded"]


@pytest.fixture(scope="module")
def live(fresh_database):
    """An app on its own database where every commit is real: one Berlin item, one booking."""
    url = fresh_database("benchshare_reports_race")
    schema.upgrade(MIGRATIONS_DIR, url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        make = Factory(db.session)
        school = make.organisation("school")
        base = make.base(school, timezone="Europe/Berlin")
        item = make.equipment(base, make.category(), school)
        item.created_at = datetime(2027, 3, 2, 9, tzinfo=BERLIN)  # listed with its first use
        student = make.user("student", school)
        make.reservation(item, student, datetime(2027, 3, 2, 9, tzinfo=BERLIN),
                         datetime(2027, 3, 2, 12, tzinfo=BERLIN), status="completed")
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def test_two_instances_running_the_job_at_once_build_each_period_once(live):
    barrier = threading.Barrier(2)
    made = [None, None]

    def instance(index):
        with live.app_context():
            session = db.session
            barrier.wait()
            made[index] = build_due_reports(session, NOW)
            session.remove()

    threads = [threading.Thread(target=instance, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with live.app_context():
        runs = db.session.execute(text(
            "SELECT granularity, period_start, count(*) FROM report_runs "
            "GROUP BY 1, 2 HAVING count(*) > 1")).all()
        rows = db.session.scalar(select(func.count()).select_from(UtilisationRow))
        succeeded = db.session.scalar(select(func.count()).select_from(ReportRun).where(
            ReportRun.status == "succeeded"))
    # From 1 March (the day before the earliest reservation): days 1..9 and the week of 1
    # March, shared out between the instances in whatever way the race fell.
    assert sum(made) == 10, made
    assert runs == []
    assert (succeeded, rows) == (10, 10)


def test_the_build_command_backfills_then_rebuilds_with_a_run_each(live, monkeypatch):
    """Over days already past on the real clock (the command builds closed periods only)."""
    monkeypatch.setattr(cli, "_app", lambda: live)
    with live.app_context():
        db.session.execute(text("DELETE FROM utilisation_rows"))
        db.session.execute(text("DELETE FROM report_runs"))
        make = Factory(db.session)
        item = db.session.scalar(select(Equipment))
        make.reservation(item, db.session.scalar(select(User)),
                         datetime(2026, 11, 3, 9, tzinfo=BERLIN),
                         datetime(2026, 11, 3, 12, tzinfo=BERLIN), status="completed")
        db.session.commit()
    runner = CliRunner()
    first = runner.invoke(cli.main, ["reports", "build", "--from", "2026-11-02", "--to",
                                     "2026-11-04", "--granularity", "day"])
    again = runner.invoke(cli.main, ["reports", "build", "--from", "2026-11-03", "--to",
                                     "2026-11-03", "--granularity", "day"])
    assert (first.exit_code, again.exit_code) == (0, 0), first.output + again.output
    assert "Built 3 period(s), 0 failed" in first.output
    with live.app_context():
        triggers = db.session.execute(select(ReportRun.period_start, ReportRun.trigger)
                                      .order_by(ReportRun.id)).all()
        booked = db.session.scalar(select(UtilisationRow.booked_hours).where(
            UtilisationRow.period_start == date(2026, 11, 3)))
    assert [t for _, t in triggers] == ["backfill"] * 3 + ["rebuild"]
    assert booked == Decimal(3)
