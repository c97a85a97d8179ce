"""The scheduler's leadership: one lease in PostgreSQL, taken, renewed and handed over by its
clock; two electors on real connections with real commits."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from sqlalchemy import create_engine, delete, func, select

from service import scheduler
from service.config import ConfigurationError, from_env
from service.db import db
from service.scheduling import leadership
from service.scheduling.leadership import Elector, current_leader, is_leader
from service.scheduling.models import SchedulerLease

pytestmark = pytest.mark.concurrency

LEASE, RENEW = 1.0, 0.25
UNREACHABLE = "postgresql+psycopg://benchshare@127.0.0.1:1/benchshare?connect_timeout=1"


@pytest.fixture
def engine(app):
    """The suite database's engine (the electors commit for real)."""
    with app.app_context():
        yield db.engine


@pytest.fixture
def lease_name(engine):
    """A leadership of this test's own, removed afterwards."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    yield name
    with engine.begin() as connection:
        connection.execute(delete(SchedulerLease).where(SchedulerLease.name == name))


@pytest.fixture
def elector(engine, lease_name):
    """A factory of electors competing for this test's leadership."""
    made = []

    def make(**overrides) -> Elector:
        made.append(Elector(engine, **{"lease_seconds": LEASE, "renew_seconds": RENEW,
                                       "name": lease_name, **overrides}))
        return made[-1]

    yield make
    for each in made:
        each.resign()


def _lease(engine, name: str):
    with engine.connect() as connection:
        return connection.execute(select(SchedulerLease.__table__, func.now().label("now"))
                                  .where(SchedulerLease.name == name)).one()


def _wait_for_the_database_to_pass(engine, moment) -> None:
    while True:
        with engine.connect() as connection:
            if connection.scalar(select(func.now())) > moment:
                return
        time.sleep(0.05)


def test_of_two_electors_only_the_first_leads_and_the_lease_names_it(engine, elector, lease_name):
    first, second = elector(), elector()
    assert first.attempt() is True
    assert second.attempt() is False
    assert first.leading() and not second.leading()
    lease = _lease(engine, lease_name)
    assert lease.holder == first.holder
    host, pid, random = first.holder.rsplit(":", 2)
    assert host and int(pid) == os.getpid() and len(random) == 6
    assert first.holder != second.holder


def test_the_leader_renews_its_own_lease_and_keeps_the_time_its_lead_began(engine, elector,
                                                                             lease_name):
    leader = elector()
    leader.attempt()
    before = _lease(engine, lease_name)
    _wait_for_the_database_to_pass(engine, before.renewed_at)
    assert leader.attempt() is True
    after = _lease(engine, lease_name)
    assert after.holder == leader.holder
    assert after.acquired_at == before.acquired_at
    assert after.renewed_at > before.renewed_at and after.expires_at > before.expires_at


def test_a_standby_takes_over_a_lease_its_leader_stopped_renewing(engine, elector, lease_name):
    leader, standby = elector(), elector()
    leader.attempt()
    assert standby.attempt() is False
    _wait_for_the_database_to_pass(engine, _lease(engine, lease_name).expires_at)

    assert standby.attempt() is True
    lease = _lease(engine, lease_name)
    assert lease.holder == standby.holder and lease.acquired_at == lease.renewed_at
    # The old leader, back from a pause, finds the lease gone and does not lead.
    assert leader.attempt() is False
    assert not leader.leading()
    assert _lease(engine, lease_name).holder == standby.holder


def test_the_lease_is_timed_by_the_database_clock_alone(engine, elector, lease_name):
    # A standby whose own clock runs an hour ahead still cannot take a lease the database
    # holds unexpired: no process's clock is compared with the row's times.
    leader = elector()
    hour_ahead = elector(clock=lambda: time.monotonic() + 3600)
    with engine.connect() as connection:
        started = connection.scalar(select(func.now()))
    leader.attempt()
    assert hour_ahead.attempt() is False
    lease = _lease(engine, lease_name)
    assert started <= lease.renewed_at <= lease.now
    assert (lease.expires_at - lease.renewed_at).total_seconds() == LEASE


def test_a_leader_that_cannot_renew_stops_leading_when_its_lease_may_have_run_out(elector):
    now = [100.0]
    leader = elector(clock=lambda: now[0])
    assert leader.attempt() is True
    leader.engine = create_engine(UNREACHABLE)  # the database is out of reach from here on
    now[0] += LEASE - 0.01
    assert leader.attempt() is True, "the lead it has is good until the lease runs out"
    now[0] += 0.01
    assert leader.attempt() is False
    assert not leader.leading()


def test_a_leader_counts_its_lease_from_before_it_asked(elector):
    # The database's lease starts when the statement runs, later than the process sent it:
    # counting from the sending, the leader stops believing before the database would let go.
    now = [100.0]

    def slow_clock():
        now[0] += 0.3  # every reading of the clock is 0.3 s later than the one before
        return now[0]

    leader = elector(clock=slow_clock)
    leader.attempt()
    assert leader._deadline == pytest.approx(100.3 + LEASE)


def test_a_leader_that_resigns_hands_over_to_the_standby_at_once(engine, elector, lease_name):
    leader, standby = elector(), elector()
    leader.attempt()
    assert standby.attempt() is False
    leader.resign()
    assert not leader.leading()
    assert standby.attempt() is True, "the standby had to wait for the lease to run out"
    assert _lease(engine, lease_name).holder == standby.holder
    leader.resign()  # a second stop changes nothing
    assert _lease(engine, lease_name).holder == standby.holder


def test_electors_in_their_threads_keep_one_leader_and_a_standby_replaces_a_silent_one(
        engine, elector, lease_name):
    leader, standby = elector().start(), elector().start()
    time.sleep(LEASE * 1.5)  # the leader renewed several times meanwhile
    assert leader.leading() and not standby.leading()

    leader._stopping.set()  # it stops renewing, as a frozen process would
    silent = time.monotonic()
    while not standby.leading():
        assert time.monotonic() - silent < LEASE + RENEW + 1, "no takeover within the bound"
        time.sleep(0.02)
    assert not leader.leading()
    assert _lease(engine, lease_name).holder == standby.holder


def test_a_forked_child_of_the_leader_does_not_lead(elector):
    leader = elector()
    leader.attempt()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # gunicorn's workers are forked from the master that runs the elector
        os.write(write, b"1" if leader.leading() else b"0")
        leader.resign()  # an exiting worker must not hand over its parent's lease
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"0"
    assert leader.leading() and leader.attempt() is True


def test_the_current_leader_is_the_unexpired_lease(engine, app, session):
    with engine.begin() as connection:
        connection.execute(delete(SchedulerLease).where(SchedulerLease.name == "scheduler"))
    assert current_leader(session) is None
    leader = Elector(engine, lease_seconds=LEASE, renew_seconds=RENEW)
    try:
        leader.attempt()
        answer = current_leader(session)
        assert answer == {"holder": leader.holder, "acquired_at": answer["acquired_at"],
                          "expires_at": answer["expires_at"]}
        assert (answer["expires_at"] - answer["acquired_at"]).total_seconds() == LEASE
        leader.resign()
        assert current_leader(session) is None
    finally:
        leader.resign()
        with engine.begin() as connection:
            connection.execute(delete(SchedulerLease).where(SchedulerLease.name == "scheduler"))


def test_is_leader_tells_whether_this_process_leads(engine, monkeypatch):
    monkeypatch.setattr(leadership, "_process_elector", None)
    assert is_leader() is False
    mine = leadership.elect(engine.url, {"SCHEDULER_LEASE_SECONDS": LEASE,
                                         "SCHEDULER_RENEW_SECONDS": RENEW})
    try:
        assert is_leader() is True
    finally:
        mine.resign()
        mine.engine.dispose()
        with engine.begin() as connection:
            connection.execute(delete(SchedulerLease).where(SchedulerLease.name == "scheduler"))
    assert is_leader() is False


def test_the_leader_renews_while_its_jobs_hold_every_connection_of_the_apps_pool(
        engine, monkeypatch):
    monkeypatch.setattr(leadership, "_process_elector", None)
    held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]
    try:
        mine = leadership.elect(engine.url, {"SCHEDULER_LEASE_SECONDS": LEASE,
                                             "SCHEDULER_RENEW_SECONDS": RENEW})
        try:
            time.sleep(LEASE * 1.5)  # renewed (or not) several times meanwhile
            assert is_leader() is True
        finally:
            mine.resign()
            mine.engine.dispose()
    finally:
        for connection in held:
            connection.close()
        with engine.begin() as connection:
            connection.execute(delete(SchedulerLease).where(SchedulerLease.name == "scheduler"))


def test_a_standby_starts_no_job_and_the_leader_does(app, elector):
    leader, standby = elector(), elector()
    leader.attempt()
    standby.attempt()
    calls = []
    assert scheduler._if_leading(standby, app, "demo", lambda s: calls.append(1) or 1) is None
    assert calls == []
    assert scheduler._if_leading(leader, app, "demo", lambda s: calls.append(1) or 1) == 1
    assert calls == [1]


def test_lease_settings_default_to_15_and_5_seconds_and_take_fractions():
    assert (from_env({})["SCHEDULER_LEASE_SECONDS"], from_env({})["SCHEDULER_RENEW_SECONDS"]) \
        == (15, 5)
    config = from_env({"SCHEDULER_LEASE_SECONDS": "2", "SCHEDULER_RENEW_SECONDS": "0.5"})
    assert (config["SCHEDULER_LEASE_SECONDS"], config["SCHEDULER_RENEW_SECONDS"]) == (2, 0.5)


@pytest.mark.parametrize("lease, renew, complaint", [
    ("5", "5", "SCHEDULER_RENEW_SECONDS (5) must be shorter than SCHEDULER_LEASE_SECONDS (5)"),
    ("0", "", "SCHEDULER_LEASE_SECONDS must be a positive number of seconds, got 0"),
    ("nan", "", "SCHEDULER_LEASE_SECONDS must be a positive number of seconds, got nan"),
    ("", "soon", "SCHEDULER_RENEW_SECONDS must be a number of seconds, got 'soon'"),
])
def test_lease_settings_a_leader_could_not_keep_are_refused(lease, renew, complaint):
    with pytest.raises(ConfigurationError) as refused:
        from_env({"SCHEDULER_LEASE_SECONDS": lease, "SCHEDULER_RENEW_SECONDS": renew})
    assert str(refused.value) == complaint


def test_a_leader_cut_off_inside_its_renewal_keeps_the_standby_out_no_longer_than_the_bound(
        engine, lease_name):
    # The leader's machine dropped off the network between its renewal's UPDATE and COMMIT
    # (no FIN, no RST): the server keeps that transaction, and its lock on the lease's row,
    # open until it learns the client is gone (TCP keepalives: two hours by default).
    leader = Elector(leadership.own_engine(engine.url, LEASE), lease_seconds=LEASE,
                     renew_seconds=RENEW, name=lease_name)
    standby = Elector(leadership.own_engine(engine.url, LEASE), lease_seconds=LEASE,
                      renew_seconds=RENEW, name=lease_name)
    try:
        assert leader.attempt() is True
        cut_off = leader.engine.connect()
        cut_off.execute(leadership._take_or_renew(lease_name, leader.holder, LEASE))
        renewed = time.monotonic()
        while not standby.attempt():
            assert time.monotonic() - renewed < LEASE + RENEW + 1, "no takeover within the bound"
            time.sleep(RENEW)
        assert _lease(engine, lease_name).holder == standby.holder
    finally:
        cut_off.invalidate()
        for each in (leader, standby):
            each.engine.dispose()
