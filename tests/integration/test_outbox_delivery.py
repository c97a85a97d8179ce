"""Delivering the outbox in batches: every notice once, bad ones alone, one connection per share."""

from __future__ import annotations

import smtplib
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from service.db import db
from service.notifications.delivery import deliver_notifications
from service.notifications.mail import Mailer
from service.notifications.models import Notification

from ..outbox import Recorder, post_notices


@pytest.fixture
def people(make, session):
    """Three users of one school, committed (to the test's savepoint)."""
    school = make.organisation("school")
    users = [make.user("student", school) for _ in range(3)]
    session.commit()
    return users


def deliveries() -> Counter:
    return Counter(db.session.scalars(select(Notification.delivery)))


def test_a_backlog_larger_than_a_batch_is_delivered_by_one_run(people):
    post_notices(db.session, [u.id for u in people], 1234)
    db.session.commit()
    mailer = Recorder()

    assert deliver_notifications(db.session, mailer=mailer, batch=100, senders=3) == 1234
    assert Counter(subject for _, subject in mailer.sent) == {
        f"notice {n}": 1 for n in range(1234)}
    assert deliveries() == {"sent": 1234}
    assert db.session.scalar(select(Notification.id).where(Notification.sent_at.is_(None))) is None
    assert deliver_notifications(db.session, mailer=mailer, batch=100, senders=3) == 0
    assert len(mailer.sent) == 1234, "nothing is sent twice"


def test_a_run_takes_at_most_its_rounds_of_batches_first_in_line_first(people):
    ids = post_notices(db.session, [u.id for u in people], 250)
    db.session.commit()

    assert deliver_notifications(db.session, mailer=Recorder(), batch=50, rounds=3) == 150
    sent = set(db.session.scalars(select(Notification.id).where(Notification.delivery == "sent")))
    assert sent == set(ids[:150])
    assert deliveries() == {"sent": 150, "pending": 100}


def test_a_refused_address_fails_only_its_own_notices(people):
    good, bad, other = people
    post_notices(db.session, [good.id, bad.id, other.id], 300)
    db.session.commit()
    mailer = Recorder(refuse=(bad.email,))

    assert deliver_notifications(db.session, mailer=mailer, batch=64, senders=4) == 200
    outcome = dict(Counter(db.session.execute(
        select(Notification.user_id, Notification.delivery, Notification.sent_at.is_not(None))
    )))
    assert outcome == {(good.id, "sent", True): 100, (other.id, "sent", True): 100,
                       (bad.id, "failed", False): 100}
    assert {to for to, _ in mailer.sent} == {good.email, other.email}


def test_the_session_reads_the_new_delivery_of_notices_it_holds(people):
    notice = Notification(user_id=people[0].id, kind="confirmed", subject="held", body="b",
                          data={})
    db.session.add(notice)
    db.session.commit()
    assert notice.delivery == "pending"

    assert deliver_notifications(db.session, mailer=Recorder()) == 1
    assert notice.delivery == "sent" and notice.sent_at is not None


class FakeServer:
    """Stands in for smtplib.SMTP: records connections and what each carried; can refuse to
    connect or to log in, drop a connection or refuse a recipient at a given subject."""

    def __init__(self, *, unreachable: Exception | None = None,
                 fail_at: dict[str, Exception] | None = None):
        self.unreachable = unreachable
        self.fail_at = dict(fail_at or {})
        self.connections: list[FakeConnection] = []
        self.lock = threading.Lock()

    def __call__(self, host, port, timeout):
        connection = FakeConnection(self)
        with self.lock:
            self.connections.append(connection)
        if self.unreachable is not None and not isinstance(
                self.unreachable, smtplib.SMTPAuthenticationError):
            raise self.unreachable
        return connection

    def carried(self) -> list[list[str]]:
        return [c.subjects for c in self.connections]


class FakeConnection:
    def __init__(self, server: FakeServer):
        self.server, self.subjects, self.closed = server, [], False

    def starttls(self):
        pass

    def login(self, username, password):
        if self.server.unreachable is not None:
            raise self.server.unreachable

    def send_message(self, message):
        assert not self.closed, "a message on a closed connection"
        with self.server.lock:
            failure = self.server.fail_at.pop(message["Subject"], None)
        if failure is not None:
            raise failure
        self.subjects.append(message["Subject"])

    def quit(self):
        self.closed = True

    close = quit


@pytest.fixture
def smtp(monkeypatch):
    """Install a FakeServer built with the given arguments in place of smtplib.SMTP."""

    def install(**kwargs) -> FakeServer:
        server = FakeServer(**kwargs)
        monkeypatch.setattr(smtplib, "SMTP", server)
        return server

    return install


MAILER = Mailer(host="mail.example", username="bench", password="secret")


def test_each_sender_carries_its_share_over_one_connection(people, smtp):
    server = smtp()
    post_notices(db.session, [u.id for u in people], 40)
    db.session.commit()

    assert deliver_notifications(db.session, mailer=MAILER, batch=500, senders=4) == 40
    assert sorted(len(subjects) for subjects in server.carried()) == [10, 10, 10, 10]
    assert Counter(s for subjects in server.carried() for s in subjects) == {
        f"notice {n}": 1 for n in range(40)}
    assert all(c.closed for c in server.connections)
    assert deliveries() == {"sent": 40}


def test_a_dropped_connection_fails_that_notice_and_the_next_one_reconnects(people, smtp):
    server = smtp(fail_at={"notice 2": smtplib.SMTPServerDisconnected("gone")})
    post_notices(db.session, [people[0].id], 10)
    db.session.commit()

    assert deliver_notifications(db.session, mailer=MAILER, senders=1) == 9
    assert server.carried() == [["notice 0", "notice 1"],
                                [f"notice {n}" for n in range(3, 10)]]
    failed = db.session.scalar(select(Notification.subject)
                               .where(Notification.delivery == "failed"))
    assert failed == "notice 2"
    assert deliveries() == {"sent": 9, "failed": 1}


def test_a_refused_recipient_fails_its_notice_on_the_same_connection(people, smtp):
    refused = smtplib.SMTPRecipientsRefused({"x@example": (550, b"no such user")})
    server = smtp(fail_at={"notice 1": refused})
    post_notices(db.session, [people[0].id], 3)
    db.session.commit()

    assert deliver_notifications(db.session, mailer=MAILER, senders=1) == 2
    assert server.carried() == [["notice 0", "notice 2"]]
    assert deliveries() == {"sent": 2, "failed": 1}


@pytest.mark.parametrize("failure", [ConnectionRefusedError("refused"),
                                     smtplib.SMTPAuthenticationError(535, b"bad credentials")])
def test_an_unreachable_mail_server_leaves_the_notices_pending_and_ends_the_run(
        people, smtp, failure):
    """Nothing of them reached the server, so waiting for a later run cannot send one twice."""
    server = smtp(unreachable=failure)
    post_notices(db.session, [u.id for u in people], 50)
    db.session.commit()

    assert deliver_notifications(db.session, mailer=MAILER, batch=10, senders=2) == 0
    assert len(server.connections) == 2, "one attempt per share of the first batch, no more"
    assert deliveries() == {"pending": 50}
