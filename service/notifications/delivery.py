"""Delivering the outbox: claim a batch, commit, send it on a few connections, mark it at once."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    String,
    bindparam,
    column,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..db import utcnow
from .mail import Mailer, MailUnreachable
from .models import EMAIL_ONLY_KINDS, LINK_TOKEN, Notification

log = logging.getLogger("benchshare.notifications")

# The ORM must not try to mirror these set-based UPDATEs into the session (see _forget).
_CORE = {"synchronize_session": False}
# Inline, not a bound parameter: a prepared statement's generic plan can use the partial
# index ix_notifications_pending only when its predicate is in the statement's text.
PENDING = Notification.delivery == literal_column("'pending'")


@dataclass(frozen=True, order=True)
class Letter:
    """A claimed notice, with everything a sender needs and nothing it could write back."""

    id: int
    to: str
    subject: str
    body: str


@dataclass
class Round:
    """What one sender made of its share of a batch: (id, delivery, sent_at) per notice."""

    outcomes: list[tuple[int, str, datetime | None]] = field(default_factory=list)
    unreachable: bool = False


def deliver_notifications(session: Session, *, mailer: Mailer, batch: int = 500,
                          rounds: int = 100, senders: int = 4) -> int:
    """Send pending notices at most once each: claim, commit, send, then mark sent or failed.

    A crash between claim and send leaves a notice 'sending' for good rather than risk a
    second e-mail; concurrent senders skip each other's claimed rows. A run takes batch after
    batch until nothing is pending, at most `rounds` of them; each batch is shared between
    `senders` threads with one mail connection each, and the next batch is claimed while one
    is on its way. The threads only send: claims and outcomes go through `session`, on the
    caller's thread. When the mail server cannot be reached, the notices not yet handed to it
    go back to 'pending' for a later run. Answers how many were sent.
    """
    letters = claim(session, batch=batch)
    if not letters:
        return 0
    sent = 0
    with ThreadPoolExecutor(max_workers=senders, thread_name_prefix="benchshare-mail") as pool:
        for turn in range(1, rounds + 1):
            in_flight = [pool.submit(_send, mailer, share) for share in _deal(letters, senders)]
            letters = claim(session, batch=batch) if turn < rounds else []
            done = [each.result() for each in in_flight]
            outcomes = [outcome for each in done for outcome in each.outcomes]
            if any(each.unreachable for each in done):
                outcomes += [(letter.id, "pending", None) for letter in letters]
                letters = []
            _mark(session, outcomes)
            sent += sum(1 for _, delivery, _ in outcomes if delivery == "sent")
            if not letters:
                break
    _forget(session)
    return sent


def claim(session: Session, *, batch: int) -> list[Letter]:
    """Move up to `batch` pending notices, first in line first, to 'sending' and commit, so
    no other sender takes them; rows another sender is claiming are skipped, not waited for."""
    first_in_line = (
        select(Notification.id).where(PENDING)
        .order_by(Notification.id).limit(batch).with_for_update(skip_locked=True)
        # Computed once: the rows locked are exactly the rows moved.
        .cte("first_in_line").prefix_with("MATERIALIZED"))
    rows = session.execute(
        update(Notification)
        .where(Notification.id == first_in_line.c.id, User.id == Notification.user_id)
        .values(delivery="sending")
        .returning(Notification.id, User.email, Notification.subject, Notification.body),
        execution_options=_CORE).all()
    session.commit()
    return sorted(Letter(*row) for row in rows)


def _deal(letters: list[Letter], senders: int) -> list[list[Letter]]:
    """The batch in at most `senders` runs of consecutive notices, one per connection."""
    size = -(-len(letters) // senders)
    return [letters[start:start + size] for start in range(0, len(letters), size)]


def _send(mailer: Mailer, letters: list[Letter]) -> Round:
    """Send a share of a batch over one connection (in a sender thread: no database here)."""
    done = Round()
    with mailer.connection() as post:
        for index, letter in enumerate(letters):
            try:
                post.send(letter.to, letter.subject, letter.body)
            except MailUnreachable:
                log.warning("mail server unreachable: %d notices wait for a later run",
                            len(letters) - index, exc_info=True)
                done.outcomes += [(each.id, "pending", None) for each in letters[index:]]
                done.unreachable = True
                break
            except Exception:  # noqa: BLE001 - one bad notice must not strand the others
                # It may have left: never again, at most once.
                log.warning("could not deliver notification %s", letter.id, exc_info=True)
                done.outcomes.append((letter.id, "failed", None))
            else:
                done.outcomes.append((letter.id, "sent", utcnow()))
    return done


def _mark(session: Session, outcomes: list[tuple[int, str, datetime | None]]) -> None:
    """Record a batch's outcomes in one UPDATE and commit."""
    if not outcomes:
        return
    ids, deliveries, sent_ats = (list(each) for each in zip(*outcomes, strict=True))
    given = func.unnest(
        bindparam("ids", ids, type_=ARRAY(BigInteger)),
        bindparam("deliveries", deliveries, type_=ARRAY(String)),
        bindparam("sent_ats", sent_ats, type_=ARRAY(DateTime(timezone=True))),
    ).table_valued(column("id", BigInteger), column("delivery", String),
                   column("sent_at", DateTime(timezone=True))).render_derived()
    session.execute(
        update(Notification)
        .where(Notification.id == given.c.id, Notification.delivery == "sending")
        .values(delivery=given.c.delivery, sent_at=given.c.sent_at),
        execution_options=_CORE)
    # access: a link that set a password stays only in the person's mailbox, never at rest here.
    done = [id_ for id_, delivery in zip(ids, deliveries, strict=True) if delivery != "pending"]
    if done:
        session.execute(
            update(Notification)
            .where(Notification.id.in_(done), Notification.kind.in_(EMAIL_ONLY_KINDS))
            .values(body=func.regexp_replace(Notification.body, LINK_TOKEN, "#token=(sent)",
                                             "g")),
            execution_options=_CORE)
    session.commit()


def _forget(session: Session) -> None:
    """Make the session read again the delivery of the notices it holds: the UPDATEs above
    went past its identity map."""
    for each in list(session.identity_map.values()):
        if isinstance(each, Notification):
            session.expire(each, ["delivery", "sent_at", "body"])


def backlog(session: Session) -> dict:
    """How many notices wait, and how long the first in line has waited (0 when none), in
    whole seconds by the database's clock: two cheap reads of the pending index."""
    count = select(func.count()).select_from(Notification).where(PENDING).scalar_subquery()
    first = (select(Notification.created_at).where(PENDING).order_by(Notification.id)
             .limit(1).scalar_subquery())
    waiting, age = session.execute(
        select(count, func.extract("epoch", func.clock_timestamp() - first))).one()
    return {"pending": waiting, "oldest_pending_seconds": max(0, int(age or 0))}
