"""The monthly summary: one per enterprise and month, however often or concurrently it runs,
and the outcomes still owed to the schools' admins once with it."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service import scheduler
from service.db import db
from service.impact import jobs
from service.impact.jobs import send_monthly_summaries
from service.impact.models import ImpactSummary
from service.notifications.models import Notification
from service.outcomes.models import Outcome

from ..concurrency.races import app_on_own_database
from ..factories import Factory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Early on 2 April 2025 (UTC): the month summarised is March.
NOW = datetime(2025, 4, 2, 2, 17, tzinfo=UTC)


def march_of_sessions(make, world, session):
    """An approved offer over March asking an outcome per session: two completed sessions,
    one with an outcome (2 h each); and a draft of the other enterprise, never summarised."""
    lathe = world.enterprise_equipment
    offer = make.offer(world.enterprise, world.school, [lathe],
                       created_by=world.users["enterprise_staff"],
                       asks_back="outcome_per_session",
                       windows=[{"starts_on": date(2025, 3, 1), "ends_on": date(2025, 3, 31),
                                 "spans": [(d, time(9), time(12)) for d in range(1, 6)]}])
    sessions = []
    for day in (3, 4):
        starts = datetime(2025, 3, day, 9, tzinfo=SHANGHAI)
        sessions.append(make.reservation(lathe, world.users["student"], starts,
                                         starts + timedelta(hours=2), offer=offer,
                                         checked_in_at=starts,
                                         checked_out_at=starts + timedelta(hours=2)))
    session.add(Outcome(reservation_id=sessions[0].id, author_id=world.users["student"].id,
                        trainee_count=1, hours=2, result="Faced and turned."))
    make.offer(world.other_enterprise, world.school, [world.other_enterprise_equipment],
               created_by=world.users["other_staff"], status="draft")
    session.commit()
    return offer, sessions


def notices(session) -> list[tuple]:
    return sorted((n.kind, n.user_id) for n in session.scalars(
        select(Notification).where(Notification.kind.in_(("impact_summary", "outcomes_owed")))))


def summaries(session) -> list[tuple]:
    return [(s.enterprise_id, s.month) for s in session.scalars(select(ImpactSummary))]


def test_one_summary_and_one_set_of_notices_however_often_it_runs(session, make, world):
    offer, sessions = march_of_sessions(make, world, session)
    assert send_monthly_summaries(session, now=NOW) == 1
    assert send_monthly_summaries(session, now=NOW) == 0
    assert send_monthly_summaries(session, now=NOW + timedelta(days=5)) == 0
    assert summaries(session) == [(world.enterprise.id, date(2025, 3, 1))]
    users = world.users
    assert notices(session) == sorted([
        ("impact_summary", users["enterprise_staff"].id), ("impact_summary", users["manager"].id),
        ("outcomes_owed", users["admin"].id)])
    [summary] = session.scalars(select(ImpactSummary)).all()
    totals = summary.figures["totals"]
    # Mon-Fri mornings of March 2025 in Shanghai: 21 weekdays x 3 h = 63 h offered.
    assert (totals["hours_offered"], totals["hours_booked"], totals["sessions"],
            totals["outcomes_received"]) == ("63.00", "4.00", 2, 1)
    impact = session.scalar(select(Notification).where(Notification.kind == "impact_summary"))
    assert impact.body.startswith(f"{world.enterprise.name} in 2025-03: 63.00 h offered, "
                                  "4.00 h booked, 4.00 h used, 2 session(s)")
    owed = session.scalar(select(Notification).where(Notification.kind == "outcomes_owed"))
    assert (owed.data["count"], owed.data["reservation_ids"], owed.data["enterprise_id"]) == (
        1, [sessions[1].id], world.enterprise.id)


def test_a_summary_made_by_another_run_after_our_check_is_not_made_again(
        session, make, world, monkeypatch):
    # Another instance inserted the row between our look for due enterprises and our insert:
    # ON CONFLICT DO NOTHING returns no row, and nobody is told twice.
    march_of_sessions(make, world, session)
    session.add(ImpactSummary(enterprise_id=world.enterprise.id, month=date(2025, 3, 1),
                              figures={}))
    session.commit()
    monkeypatch.setattr(jobs, "_due", lambda *args: [world.enterprise.id])
    assert send_monthly_summaries(session, now=NOW) == 0
    assert notices(session) == []
    assert len(summaries(session)) == 1


def test_the_next_month_gets_its_own_summary(session, make, world):
    march_of_sessions(make, world, session)
    assert send_monthly_summaries(session, now=NOW) == 1
    # April: the offer's window is over, so no enterprise is due.
    assert send_monthly_summaries(session, now=datetime(2025, 5, 1, 3, tzinfo=UTC)) == 0
    assert summaries(session) == [(world.enterprise.id, date(2025, 3, 1))]


def test_a_monthly_summary_offer_owes_no_outcomes(session, make, world):
    offer, _ = march_of_sessions(make, world, session)
    offer.asks_back = "monthly_summary"
    session.commit()
    assert send_monthly_summaries(session, now=NOW) == 1
    assert {kind for kind, _ in notices(session)} == {"impact_summary"}


def test_the_job_is_scheduled_daily_and_runs_through_the_wrapper(app, session, make, world):
    assert "send_monthly_summaries" in scheduler.jobs(app.config)
    assert scheduler.TRIGGERS["send_monthly_summaries"]["trigger"] == "cron"


@pytest.mark.concurrency
def test_two_instances_running_it_at_once_make_one_summary(fresh_database):
    app = app_on_own_database(fresh_database("benchshare_summary_race"))
    with app.app_context():
        world = Factory(db.session).world()
        march_of_sessions(Factory(db.session), world, db.session)
    barrier = threading.Barrier(2)
    made = [None, None]

    def run(index):
        with app.app_context():
            try:
                barrier.wait()
                made[index] = send_monthly_summaries(db.session, now=NOW)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(made) == [0, 1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImpactSummary)) == 1
        assert [kind for kind, _ in notices(db.session)] == [
            "impact_summary", "impact_summary", "outcomes_owed"]
        db.engine.dispose()
