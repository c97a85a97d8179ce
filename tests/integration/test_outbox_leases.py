"""Claims on notices are leases: a dead sender's notices go out later, a late outcome is not
recorded over another claim's, a notice that never gets an outcome ends 'failed', and every
copy of a notice's e-mail carries the same Message-ID."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import select, text

from service import create_app, schema
from service.accounts.services import register_organisation, register_user
from service.db import db
from service.notifications.delivery import backlog, claim, deliver_notifications
from service.notifications.models import Notification

from ..conftest import MIGRATIONS_DIR, TEST_CONFIG
from ..outbox import Recorder, empty_outbox, post_notices


@pytest.fixture(scope="module")
def live(fresh_database):
    """An app on its own database where claims and outcomes commit for real, and one user."""
    url = fresh_database("benchshare_leases")
    schema.upgrade(MIGRATIONS_DIR, url)
    config = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url}
    app = create_app(config)
    with app.app_context():
        school = register_organisation(db.session, name="Lease School", kind="school")
        user = register_user(db.session, organisation=school, email="holder@leases.example",
                             full_name="Hilde Holder", role="student", password="x" * 12)
        db.session.commit()
        user_id = user.id
    yield app, config, user_id
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def outbox(live):
    """The live app, its config and its user, with an empty outbox before and after."""
    empty_outbox(live[0])
    yield live
    empty_outbox(live[0])


def post(app, user_id, count: int) -> list[int]:
    with app.app_context():
        ids = post_notices(db.session, [user_id], count)
        db.session.commit()
        db.session.remove()
    return ids


def rows(app) -> dict[int, tuple]:
    """Each notice's (delivery, claimed_by, attempts), read on a connection of its own."""
    with app.app_context():
        found = {id_: (delivery, claimed_by, attempts) for id_, delivery, claimed_by, attempts
                 in db.session.execute(select(Notification.id, Notification.delivery,
                                              Notification.claimed_by, Notification.attempts))}
        db.session.remove()
    return found


def end_leases(app) -> None:
    """What time does to a claim: its lease is over (by the database's clock)."""
    with app.app_context():
        db.session.execute(text("UPDATE notifications SET lease_expires_at = now() - "
                                "interval '1 second' WHERE delivery = 'sending'"))
        db.session.commit()
        db.session.remove()


def run(app, **kwargs) -> int:
    with app.app_context():
        try:
            return deliver_notifications(db.session, **kwargs)
        finally:
            db.session.remove()


def outbox_backlog(app) -> dict:
    with app.app_context():
        try:
            return backlog(db.session)
        finally:
            db.session.remove()


# A sender that dies (kill -9) right after its first message reached the mail server, before
# it could record anything.
DYING_SENDER = """
import json, os, signal, smtplib, sys
from service import create_app
from service.db import db
from service.notifications.delivery import deliver_notifications
from service.notifications.mail import Mailer

config, port = json.loads(sys.argv[1]), int(sys.argv[2])
send_message = smtplib.SMTP.send_message

def send_then_die(self, *args, **kwargs):
    send_message(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)

smtplib.SMTP.send_message = send_then_die
with create_app(config).app_context():
    deliver_notifications(db.session, senders=1, mailer=Mailer(
        host="127.0.0.1", port=port, starttls=False, sender="benchshare@test.example"))
"""


def test_the_notices_of_a_sender_killed_mid_delivery_go_out_once_its_lease_runs_out(
        outbox, mail_sink):
    app, config, user_id = outbox
    first, *others = ids = post(app, user_id, 3)

    died = subprocess.run([sys.executable, "-c", DYING_SENDER, json.dumps(config),
                           str(mail_sink.port)], capture_output=True, text=True, timeout=60)
    assert died.returncode == -9, died.stderr
    assert [m["Subject"] for m in mail_sink.messages] == ["notice 0"]
    claims = {claimed_by for _, claimed_by, _ in rows(app).values()}
    assert {d for d, _, _ in rows(app).values()} == {"sending"} and len(claims) == 1
    assert None not in claims
    # While the dead sender's lease runs, nobody takes its notices.
    assert run(app, mailer=mail_sink.mailer) == 0
    assert outbox_backlog(app) | {"oldest_sending_seconds": 0} == {
        "pending": 0, "oldest_pending_seconds": 0, "sending": 3, "oldest_sending_seconds": 0,
        "expired_leases": 0, "failed": 0}

    end_leases(app)
    assert outbox_backlog(app)["expired_leases"] == 3
    assert run(app, mailer=mail_sink.mailer) == 3

    assert rows(app) == {id_: ("sent", None, 2) for id_ in ids}
    assert Counter(m["Subject"] for m in mail_sink.messages) == {
        "notice 0": 2, "notice 1": 1, "notice 2": 1}
    # The copy sent twice is recognisably the same message: one Message-ID on both attempts,
    # the notice's own.
    assert sorted((m["Subject"], m["Message-ID"]) for m in mail_sink.messages) == [
        ("notice 0", f"<notification-{first}@test.example>"),
        ("notice 0", f"<notification-{first}@test.example>"),
        *((f"notice {n}", f"<notification-{id_}@test.example>")
          for n, id_ in enumerate(others, start=1))]
    assert outbox_backlog(app) == {
        "pending": 0, "oldest_pending_seconds": 0, "sending": 0, "oldest_sending_seconds": 0,
        "expired_leases": 0, "failed": 0}


class Held(Recorder):
    """A recorder whose first message waits for `go` (having set `arrived`); with `refuse_all`
    every message then raises, as a refused one does (an outcome of 'failed')."""

    def __init__(self, refuse_all: bool = False):
        super().__init__()
        for name, value in (("arrived", threading.Event()), ("go", threading.Event()),
                            ("refuse_all", refuse_all)):
            object.__setattr__(self, name, value)

    def send(self, to, subject, body):
        if not self.arrived.is_set():
            self.arrived.set()
            assert self.go.wait(30), "never let go"
        if self.refuse_all:
            raise ValueError("refused")
        super().send(to, subject, body)


def test_a_stalled_senders_late_outcome_is_not_recorded_over_the_claim_that_took_over(outbox):
    app, _, user_id = outbox
    ids = post(app, user_id, 4)
    stalled, successor = Held(refuse_all=True), Held()
    threads = [threading.Thread(target=run, args=(app,), kwargs={"mailer": mailer, "senders": 1})
               for mailer in (stalled, successor)]

    threads[0].start()
    assert stalled.arrived.wait(30)
    stalled_claim = {claimed_by for _, claimed_by, _ in rows(app).values()}
    end_leases(app)  # the stalled sender outlived its lease
    threads[1].start()
    assert successor.arrived.wait(30)
    taken_over = rows(app)
    successor_claim = {claimed_by for _, claimed_by, _ in taken_over.values()}
    assert successor_claim.isdisjoint(stalled_claim) and len(successor_claim) == 1
    assert {(d, attempts) for d, _, attempts in taken_over.values()} == {("sending", 2)}

    stalled.go.set()  # its outcome ('failed', every one) comes late
    threads[0].join(30)
    assert rows(app) == taken_over, "the late outcome changed nothing"

    successor.go.set()
    threads[1].join(30)
    assert rows(app) == {id_: ("sent", None, 2) for id_ in ids}
    assert len(successor.sent) == 4 and stalled.sent == []


def test_a_notice_claimed_max_attempts_times_without_an_outcome_ends_failed(outbox):
    app, _, user_id = outbox
    [notice] = post(app, user_id, 1)
    for attempt in (1, 2, 3):
        with app.app_context():  # a sender claims it, then dies before any outcome
            assert [letter.id for letter in claim(db.session, batch=10, max_attempts=3)] == [
                notice]
            db.session.remove()
        assert rows(app)[notice][0::2] == ("sending", attempt)
        end_leases(app)

    mailer = Recorder()
    assert run(app, mailer=mailer, max_attempts=3) == 0
    assert mailer.sent == [], "not tried a fourth time"
    assert rows(app) == {notice: ("failed", None, 3)}
    assert outbox_backlog(app) == {
        "pending": 0, "oldest_pending_seconds": 0, "sending": 0, "oldest_sending_seconds": 0,
        "expired_leases": 0, "failed": 1}
    assert run(app, mailer=mailer) == 0 and rows(app)[notice][0] == "failed"


class Slow(Recorder):
    """A recorder whose first message takes `seconds`."""

    def __init__(self, seconds: float):
        super().__init__()
        object.__setattr__(self, "seconds", seconds)

    def send(self, to, subject, body):
        if not self.sent:
            time.sleep(self.seconds)
        super().send(to, subject, body)


def test_a_sender_starts_no_letter_in_the_last_stretch_of_its_lease(outbox):
    """A 2-second lease stops new letters at 1.5 s; the first letter takes 1.6 s, so the other
    five go back in line, without counting as an attempt, for the next run."""
    app, _, user_id = outbox
    first, *rest = post(app, user_id, 6)
    mailer = Slow(1.6)

    assert run(app, mailer=mailer, senders=1, lease_seconds=2) == 1
    assert [subject for _, subject in mailer.sent] == ["notice 0"]
    assert rows(app) == {first: ("sent", None, 1), **{id_: ("pending", None, 0) for id_ in rest}}
    assert run(app, mailer=mailer, senders=1, lease_seconds=2) == 5


def test_a_lease_runs_from_the_claim_not_from_the_start_of_its_transaction(outbox):
    app, _, user_id = outbox
    post(app, user_id, 2)
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # a transaction begun before the claim ...
        time.sleep(1.2)  # ... and open longer than the lease
        letters = claim(db.session, batch=10, lease_seconds=1.0)
        assert len(letters) == 2
        # Claimed just now on a one-second lease: not yet over.
        assert backlog(db.session, lease_seconds=1.0)["expired_leases"] == 0
        db.session.remove()
