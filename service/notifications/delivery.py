"""Delivering the outbox: claim a batch on a lease, commit, send it on a few connections, mark it.

The promise is at least once, with a stable Message-ID: a holder never hearing that their
booking was confirmed is worse than a second copy they can recognise as the same message. A
claim is a lease; a notice whose lease ran out (its sender died, or stalled) is claimed again,
and one claimed `max_attempts` times without an outcome is marked 'failed' for an operator.
"""

from __future__ import annotations

import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    DateTime,
    String,
    bindparam,
    case,
    column,
    func,
    literal_column,
    or_,
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

# The defaults of NOTIFICATION_LEASE_SECONDS and NOTIFICATION_MAX_ATTEMPTS (service/config.py).
LEASE_SECONDS = 120
MAX_ATTEMPTS = 3
# The ORM must not try to mirror these set-based UPDATEs into the session (see _forget).
_CORE = {"synchronize_session": False}
# Inline, not a bound parameter: a prepared statement's generic plan can use the partial
# indexes (ix_notifications_pending, _sending, _failed) only when their predicate is in the
# statement's text.
PENDING = Notification.delivery == literal_column("'pending'")
SENDING = Notification.delivery == literal_column("'sending'")
FAILED = Notification.delivery == literal_column("'failed'")
# A claim whose lease ran out, by the database's clock (no lease: claimed before leases were).
EXPIRED = SENDING & or_(Notification.lease_expires_at < func.now(),
                        Notification.lease_expires_at.is_(None))

# (notification id, claim, delivery, sent_at): what a sender made of one letter.
Outcome = tuple[int, str, str, datetime | None]


@dataclass(frozen=True, order=True)
class Letter:
    """A claimed notice, with everything a sender needs and nothing it could write back."""

    id: int
    to: str
    subject: str
    body: str
    claim: str = ""  # the claim holding it: only that claim's outcome is recorded
    request_id: str | None = None  # of the HTTP request that wrote it, for the logs


@dataclass
class Round:
    """What one sender made of its share of a batch."""

    outcomes: list[Outcome] = field(default_factory=list)
    unreachable: bool = False


def deliver_notifications(session: Session, *, mailer: Mailer, batch: int = 500,
                          rounds: int = 100, senders: int = 4,
                          lease_seconds: float = LEASE_SECONDS,
                          max_attempts: int = MAX_ATTEMPTS) -> int:
    """Send pending notices, and those whose claim's lease ran out: claim on a lease, commit,
    send, then record each outcome (sent, failed, or back to pending) if the claim still holds.

    A run takes batch after batch until nothing is due, at most `rounds` of them; each batch is
    shared between `senders` threads with one mail connection each, and the next batch is
    claimed while one is on its way. The threads only send: claims and outcomes go through
    `session`, on the caller's thread. A sender starts no letter in the last stretch of its
    lease (another run may claim it soon after): those go back to 'pending'. When the mail
    server cannot be reached, the notices not yet handed to it go back to 'pending' too; that
    claim does not count as an attempt. Answers how many were sent.
    """
    deadline = _deadline(lease_seconds)
    letters = claim(session, batch=batch, lease_seconds=lease_seconds, max_attempts=max_attempts)
    if not letters:
        return 0
    sent = 0
    with ThreadPoolExecutor(max_workers=senders, thread_name_prefix="benchshare-mail") as pool:
        for turn in range(1, rounds + 1):
            in_flight = [pool.submit(_send, mailer, share, deadline)
                         for share in _deal(letters, senders)]
            letters = []
            if turn < rounds:
                deadline = _deadline(lease_seconds)
                letters = claim(session, batch=batch, lease_seconds=lease_seconds,
                                max_attempts=max_attempts)
            done = [each.result() for each in in_flight]
            outcomes = [outcome for each in done for outcome in each.outcomes]
            if any(each.unreachable for each in done):
                outcomes += [(letter.id, letter.claim, "pending", None) for letter in letters]
                letters = []
            _mark(session, outcomes)
            sent += sum(1 for _, _, delivery, _ in outcomes if delivery == "sent")
            if not letters:
                break
    _forget(session)
    return sent


def _deadline(lease_seconds: float) -> float:
    """When (monotonic, taken before the claim) a sender stops starting letters of a claim: a
    quarter of the lease, at most 30 seconds, before it ends, so that the letter under way
    (a connection's timeout is 10 seconds) is done before anyone may claim it again."""
    return time.monotonic() + lease_seconds - min(lease_seconds / 4, 30)


def claim(session: Session, *, batch: int, lease_seconds: float = LEASE_SECONDS,
          max_attempts: int = MAX_ATTEMPTS) -> list[Letter]:
    """Claim up to `batch` notices for one sender and commit: first those whose lease ran out
    (first in line first), then pending ones. Each is moved to 'sending' under a new claim
    until the lease ends, and its attempts counted; rows another sender is claiming are
    skipped, not waited for. A notice whose lease ran out after `max_attempts` claims is
    marked 'failed' instead, once and for all."""
    _give_up(session, max_attempts)
    token = uuid.uuid4().hex
    rows = []
    for again, due in ((True, EXPIRED & (Notification.attempts < max_attempts)),
                       (False, PENDING)):
        if len(rows) >= batch:
            break
        first_in_line = (
            select(Notification.id).where(due)
            .order_by(Notification.id).limit(batch - len(rows))
            .with_for_update(skip_locked=True)
            # Computed once: the rows locked are exactly the rows moved.
            .cte("first_in_line").prefix_with("MATERIALIZED"))
        # The lease runs from the claim itself (clock_timestamp), not from the start of the
        # caller's transaction (now), which may be older than a whole lease.
        taken = session.execute(
            update(Notification)
            .where(Notification.id == first_in_line.c.id, User.id == Notification.user_id)
            .values(delivery="sending", claimed_by=token, attempts=Notification.attempts + 1,
                    lease_expires_at=func.clock_timestamp() + timedelta(seconds=lease_seconds))
            .returning(Notification.id, User.email, Notification.subject, Notification.body,
                       Notification.attempts, Notification.data["request_id"].astext),
            execution_options=_CORE).all()
        for id_, *_, attempts, request_id in taken if again else ():
            log.warning("notification %s: its lease ran out, claimed again (attempt %d, "
                        "request %s)", id_, attempts, request_id,
                        extra={"notification_id": id_, "request_id": request_id})
        rows += taken
    session.commit()
    return sorted(Letter(id_, to, subject, body, token, request_id)
                  for id_, to, subject, body, _, request_id in rows)


def _give_up(session: Session, max_attempts: int) -> None:
    """Mark 'failed' the notices whose lease ran out after their last attempt: each may or may
    not have left, and another try would risk sending it once more than anyone meant."""
    spent = (select(Notification.id).where(EXPIRED, Notification.attempts >= max_attempts)
             .with_for_update(skip_locked=True).cte("spent").prefix_with("MATERIALIZED"))
    rows = session.execute(
        update(Notification).where(Notification.id == spent.c.id)
        .values(delivery="failed", claimed_by=None, lease_expires_at=None)
        .returning(Notification.id, Notification.attempts,
                   Notification.data["request_id"].astext),
        execution_options=_CORE).all()
    for id_, attempts, request_id in rows:
        log.error("notification %s: no outcome after %d attempts, marked failed (request %s)",
                  id_, attempts, request_id,
                  extra={"notification_id": id_, "request_id": request_id})
    _strike_links(session, [id_ for id_, *_ in rows])


def _deal(letters: list[Letter], senders: int) -> list[list[Letter]]:
    """The batch in at most `senders` runs of consecutive notices, one per connection."""
    size = -(-len(letters) // senders)
    return [letters[start:start + size] for start in range(0, len(letters), size)]


def _send(mailer: Mailer, letters: list[Letter], deadline: float) -> Round:
    """Send a share of a batch over one connection (in a sender thread: no database here)."""
    done = Round()
    with mailer.connection() as post:
        for index, letter in enumerate(letters):
            if time.monotonic() >= deadline:
                log.warning("the claim's lease is nearly over: %d notices wait for a later run",
                            len(letters) - index)
                done.outcomes += [(each.id, each.claim, "pending", None)
                                  for each in letters[index:]]
                break
            message_id = mailer.message_id(letter.id)
            about = {"notification_id": letter.id, "request_id": letter.request_id,
                     "message_id": message_id}
            try:
                post.send(letter.to, letter.subject, letter.body, message_id)
            except MailUnreachable:
                log.warning("mail server unreachable: %d notices wait for a later run",
                            len(letters) - index, exc_info=True)
                done.outcomes += [(each.id, each.claim, "pending", None)
                                  for each in letters[index:]]
                done.unreachable = True
                break
            except Exception:  # noqa: BLE001 - one bad notice must not strand the others
                # Refused, or cut off mid-message: marked for an operator, not tried again.
                log.warning("could not deliver notification %s (request %s)", letter.id,
                            letter.request_id, exc_info=True, extra=about)
                done.outcomes.append((letter.id, letter.claim, "failed", None))
            else:
                log.info("notification %s sent as %s (request %s)", letter.id, message_id,
                         letter.request_id, extra=about)
                done.outcomes.append((letter.id, letter.claim, "sent", utcnow()))
    return done


def _mark(session: Session, outcomes: list[Outcome]) -> None:
    """Record a batch's outcomes in one UPDATE and commit; only the rows still held by the
    claim each outcome belongs to are written (a late outcome after the lease ran out would
    overwrite another claim's). Back to 'pending' takes back the attempt: nothing left."""
    if not outcomes:
        return
    ids, claims, deliveries, sent_ats = (list(each) for each in zip(*outcomes, strict=True))
    given = func.unnest(
        bindparam("ids", ids, type_=ARRAY(BigInteger)),
        bindparam("claims", claims, type_=ARRAY(String)),
        bindparam("deliveries", deliveries, type_=ARRAY(String)),
        bindparam("sent_ats", sent_ats, type_=ARRAY(DateTime(timezone=True))),
    ).table_valued(column("id", BigInteger), column("claim", String),
                   column("delivery", String),
                   column("sent_at", DateTime(timezone=True))).render_derived()
    written = set(session.scalars(
        update(Notification)
        # 'sending' bound, not inline (unlike SENDING): the rows are found by their ids; the
        # partial index of claims would tempt the planner (its statistics taken while none
        # was claimed) into a scan of every claim per outcome.
        .where(Notification.id == given.c.id, Notification.delivery == "sending",
               Notification.claimed_by == given.c.claim)
        .values(delivery=given.c.delivery, sent_at=given.c.sent_at, claimed_by=None,
                lease_expires_at=None,
                attempts=case((given.c.delivery == "pending", Notification.attempts - 1),
                              else_=Notification.attempts))
        .returning(Notification.id),
        execution_options=_CORE))
    for id_, _, delivery, _ in outcomes:
        if id_ not in written:
            log.warning("notification %s: outcome %r came after its lease ran out; not "
                        "recorded (another claim holds it, or held it)", id_, delivery,
                        extra={"notification_id": id_})
    _strike_links(session, [id_ for id_, _, delivery, _ in outcomes
                            if delivery != "pending" and id_ in written])
    session.commit()


def _strike_links(session: Session, ids: list[int]) -> None:
    """access: a link that set a password stays only in the person's mailbox, never at rest
    here, once its notice is sent or failed for good."""
    if ids:
        session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.kind.in_(EMAIL_ONLY_KINDS))
            .values(body=func.regexp_replace(Notification.body, LINK_TOKEN, "#token=(sent)",
                                             "g")),
            execution_options=_CORE)


def _forget(session: Session) -> None:
    """Make the session read again the delivery of the notices it holds: the UPDATEs above
    went past its identity map."""
    for each in list(session.identity_map.values()):
        if isinstance(each, Notification):
            session.expire(each, ["delivery", "sent_at", "body", "claimed_by",
                                  "lease_expires_at", "attempts"])


def backlog(session: Session, *, lease_seconds: float = LEASE_SECONDS) -> dict:
    """The outbox at a glance, in one statement over its partial indexes, ages in whole
    seconds by the database's clock (0 when none): notices waiting and the first in line's
    wait; claimed ones ('sending', expired leases included) and the oldest claim's age (its
    lease's end less `lease_seconds`); claims whose lease ran out, not yet taken again; and
    notices given up on ('failed')."""
    def count(where):
        return select(func.count()).select_from(Notification).where(where).scalar_subquery()

    now = func.clock_timestamp()
    first = (select(Notification.created_at).where(PENDING).order_by(Notification.id)
             .limit(1).scalar_subquery())
    claimed = select(func.min(Notification.lease_expires_at)).where(SENDING).scalar_subquery()
    expired = SENDING & or_(Notification.lease_expires_at < now,
                            Notification.lease_expires_at.is_(None))
    row = session.execute(select(
        count(PENDING), func.extract("epoch", now - first),
        count(SENDING), func.extract("epoch", now - claimed),
        count(expired), count(FAILED))).one()
    pending, pending_age, sending, lease_left, expired_count, failed = row
    sending_age = (float(lease_left) + lease_seconds) if lease_left is not None else 0
    return {"pending": pending, "oldest_pending_seconds": max(0, int(pending_age or 0)),
            "sending": sending, "oldest_sending_seconds": max(0, int(sending_age)),
            "expired_leases": expired_count, "failed": failed}
