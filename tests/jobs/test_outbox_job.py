"""The delivery job keeps up: a run empties a backlog, runs often, and concurrent runs send once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import make_url, select

from service import create_app, scheduler, schema
from service.accounts.services import register_organisation, register_user
from service.config import ConfigurationError, from_env
from service.db import db, utcnow
from service.notifications.delivery import deliver_notifications
from service.notifications.models import Notification

from ..conftest import MIGRATIONS_DIR, TEST_CONFIG
from ..outbox import Recorder, empty_outbox, post_notices


@pytest.fixture
def recorder(monkeypatch):
    """The mailer the scheduled job is built with: one that records."""
    mailer = Recorder()
    monkeypatch.setattr(scheduler, "_mailer", lambda config: mailer)
    return mailer


@pytest.fixture
def people(make, session):
    school = make.organisation("school")
    users = [make.user("student", school) for _ in range(4)]
    session.commit()
    return users


def _deliveries() -> Counter:
    return Counter(db.session.scalars(select(Notification.delivery)))


@pytest.mark.slow
def test_a_backlog_of_5000_notices_is_delivered_by_one_job_run(app, people, recorder):
    post_notices(db.session, [u.id for u in people], 5000)
    db.session.commit()
    body = scheduler.jobs(app.config)["deliver_notifications"]

    assert scheduler.run_job(app, "deliver_notifications", body) == 5000
    assert Counter(subject for _, subject in recorder.sent) == {
        f"notice {n}": 1 for n in range(5000)}
    assert _deliveries() == {"sent": 5000}


def test_the_job_takes_its_batch_size_and_rounds_from_the_settings(app, people, recorder):
    post_notices(db.session, [u.id for u in people], 500)
    db.session.commit()
    config = {**app.config, "NOTIFICATION_BATCH_SIZE": 70, "NOTIFICATION_BATCHES_PER_RUN": 3}

    assert scheduler.run_job(app, "deliver_notifications",
                             scheduler.jobs(config)["deliver_notifications"]) == 210
    assert _deliveries() == {"sent": 210, "pending": 290}


def test_the_delivery_job_runs_more_often_than_the_others(app):
    config = {**app.config, "JOB_INTERVAL_SECONDS": 60}
    assert scheduler.trigger("deliver_notifications", config) == {
        "trigger": "interval", "seconds": 5}
    assert scheduler.trigger("expire_holds", config) == {"trigger": "interval", "seconds": 60}
    config["NOTIFICATION_INTERVAL_SECONDS"] = 2
    assert scheduler.trigger("deliver_notifications", config)["seconds"] == 2
    assert scheduler.trigger("send_monthly_summaries", config)["trigger"] == "cron"


def test_the_outbox_settings_have_defaults_and_refuse_nonsense():
    config = from_env({})
    assert (config["NOTIFICATION_INTERVAL_SECONDS"], config["NOTIFICATION_BATCH_SIZE"],
            config["NOTIFICATION_BATCHES_PER_RUN"], config["NOTIFICATION_SENDERS"]) == (
        5, 500, 100, 4)
    assert from_env({"NOTIFICATION_SENDERS": "8"})["NOTIFICATION_SENDERS"] == 8
    for name in ("NOTIFICATION_INTERVAL_SECONDS", "NOTIFICATION_BATCH_SIZE",
                 "NOTIFICATION_BATCHES_PER_RUN", "NOTIFICATION_SENDERS"):
        with pytest.raises(ConfigurationError, match=name):
            from_env({name: "0"})


def test_the_lease_settings_have_defaults_and_refuse_nonsense():
    config = from_env({})
    assert (config["NOTIFICATION_LEASE_SECONDS"], config["NOTIFICATION_MAX_ATTEMPTS"]) == (120, 3)
    assert from_env({"NOTIFICATION_LEASE_SECONDS": "30"})["NOTIFICATION_LEASE_SECONDS"] == 30
    for name in ("NOTIFICATION_LEASE_SECONDS", "NOTIFICATION_MAX_ATTEMPTS"):
        with pytest.raises(ConfigurationError, match=name):
            from_env({name: "0"})


def test_the_job_gives_up_after_the_attempts_the_settings_allow(app, people, recorder):
    """Two notices whose one sender died: with one attempt allowed they end failed, unsent."""
    post_notices(db.session, [u.id for u in people], 2, delivery="sending", claimed_by="dead",
                 attempts=1, lease_expires_at=utcnow() - timedelta(seconds=1))
    db.session.commit()
    config = {**app.config, "NOTIFICATION_MAX_ATTEMPTS": 1}

    assert scheduler.run_job(app, "deliver_notifications",
                             scheduler.jobs(config)["deliver_notifications"]) == 0
    assert recorder.sent == [] and _deliveries() == {"failed": 2}


# ------------------------------------------------- real commits, separate connections

@pytest.fixture(scope="module")
def live(fresh_database):
    """An app on its own database where deliveries commit for real, and three users."""
    url = fresh_database("benchshare_outbox")
    schema.upgrade(MIGRATIONS_DIR, url)
    # Waiting for another sender's row locks fails a statement here rather than hang the test.
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {
        "connect_args": {"options": "-c lock_timeout=20s"}}})
    with app.app_context():
        school = register_organisation(db.session, name="Outbox School", kind="school")
        users = [register_user(db.session, organisation=school, email=f"o{n}@outbox.example",
                               full_name=f"Student {n}", role="student", password="x" * 12)
                 for n in range(3)]
        db.session.commit()
        user_ids = [u.id for u in users]
    yield app, url, user_ids
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def outbox(live):
    """The live app with an empty outbox before and after the test."""
    empty_outbox(live[0])
    yield live
    empty_outbox(live[0])


class Meeting(Recorder):
    """A recorder whose first message waits until the other run's first message is being
    sent too: both runs are then certainly under way at once."""

    def __init__(self, barrier: threading.Barrier):
        super().__init__()
        object.__setattr__(self, "barrier", barrier)
        object.__setattr__(self, "met", False)

    def send(self, to, subject, body):
        with self.lock:
            first = not self.met
            object.__setattr__(self, "met", True)
        if first:
            self.barrier.wait()
        super().send(to, subject, body)


def test_two_runs_at_once_send_every_notice_exactly_once(outbox):
    app, _, user_ids = outbox
    with app.app_context():
        post_notices(db.session, user_ids, 2000)
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(2, timeout=60)
    mailers, counts, errors = [Meeting(barrier), Meeting(barrier)], [None, None], []

    def run(index):
        with app.app_context():
            try:
                counts[index] = deliver_notifications(db.session, mailer=mailers[index],
                                                      batch=50, senders=2)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert all(count > 0 for count in counts) and sum(counts) == 2000, counts
    sent = Counter(subject for mailer in mailers for _, subject in mailer.sent)
    assert sent == {f"notice {n}": 1 for n in range(2000)}
    with app.app_context():
        assert _deliveries() == {"sent": 2000}


def test_notices_another_sender_is_claiming_are_skipped_not_waited_for(outbox):
    app, url, user_ids = outbox
    with app.app_context():
        ids = post_notices(db.session, user_ids, 30)
        db.session.commit()
        db.session.remove()
    uri = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(uri) as other:
        # Another sender, mid-claim: it holds the first five rows in line.
        other.execute("SELECT id FROM notifications WHERE delivery = 'pending' ORDER BY id "
                      "LIMIT 5 FOR UPDATE")
        with app.app_context():
            assert deliver_notifications(db.session, mailer=Recorder(), batch=10) == 25
            waiting = set(db.session.scalars(
                select(Notification.id).where(Notification.delivery == "pending")))
            db.session.remove()
        assert waiting == set(ids[:5])
        other.rollback()
    with app.app_context():
        assert deliver_notifications(db.session, mailer=Recorder()) == 5
        assert _deliveries() == {"sent": 30}
        db.session.remove()
