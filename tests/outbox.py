"""Helpers for outbox tests: many notices at once, and mailers that record what they send."""

from __future__ import annotations

import threading

from sqlalchemy import delete, insert

from service.db import db
from service.notifications.mail import Mailer
from service.notifications.models import Notification


def post_notices(session, user_ids: list[int], count: int, **fields) -> list[int]:
    """Put `count` notices in the outbox (subjects "notice 0", "notice 1", ...), spread over
    the users; the caller commits. Returns their ids."""
    rows = [{"user_id": user_ids[n % len(user_ids)], "kind": "confirmed",
             "subject": f"notice {n}", "body": f"body {n}", "data": {}, **fields}
            for n in range(count)]
    return list(session.scalars(insert(Notification).returning(Notification.id), rows))


class Recorder(Mailer):
    """A mailer without a host that keeps (to, subject) of each message it is given; `refuse`
    names addresses whose messages raise as a bad header would."""

    def __init__(self, refuse: tuple[str, ...] = ()):
        super().__init__()
        object.__setattr__(self, "sent", [])
        object.__setattr__(self, "refuse", refuse)
        object.__setattr__(self, "lock", threading.Lock())

    def send(self, to: str, subject: str, body: str) -> None:
        if to in self.refuse:
            raise ValueError(f"bad header for {to}")
        with self.lock:
            self.sent.append((to, subject))


def empty_outbox(app) -> None:
    """Delete every notice, committed, on the app's own session."""
    with app.app_context():
        db.session.execute(delete(Notification))
        db.session.commit()
        db.session.remove()
