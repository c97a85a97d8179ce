"""Use cases of notifications: write to the outbox, deliver once, list a user's."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..db import utcnow
from .models import Notification

log = logging.getLogger("benchshare.notifications")

SUBJECTS = {
    "confirmed": "Reservation confirmed",
    "pending_approval": "Reservation awaiting approval",
    "approved": "Reservation approved",
    "rejected": "Reservation rejected",
    "cancelled": "Reservation cancelled",
    "reminder": "Reservation starting soon",
    "no_show": "Reservation marked as no-show",
    "waitlist_offer": "A slot you waited for is free",
}


@dataclass(frozen=True)
class Occasion:
    """What a notice says of a reservation: which item, where, and when (in the base's zone)."""

    equipment_id: int
    equipment_name: str
    asset_tag: str
    base_name: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    hold_expires_at: datetime | None = None
    decide_by: datetime | None = None  # when a request the enterprise must decide lapses


def wall_time(instant: datetime, tz: str, *, day: bool = True) -> str:
    """A local time with its offset, so the two 02:30s of an autumn night read apart:
    "2027-10-31 02:30+02:00" (without the date when `day` is false)."""
    local = instant.astimezone(_zone(tz))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M}{offset[:3]}:{offset[3:]}"[0 if day else 11:]


def notice(occasion: Occasion, kind: str, *, reason: str = "") -> dict:
    """The subject, body and data of a notice (the reservation's id is added by its writer)."""
    tz = occasion.timezone
    start, end = occasion.starts_at, occasion.ends_at
    same_day = start.astimezone(_zone(tz)).date() == end.astimezone(_zone(tz)).date()
    body = (f"{SUBJECTS[kind]}: {occasion.equipment_name} ({occasion.asset_tag}) at "
            f"{occasion.base_name}, {wall_time(start, tz)} to "
            f"{wall_time(end, tz, day=not same_day)} ({tz}).")
    if reason:
        body += f" Reason: {reason}"
    if kind == "waitlist_offer" and occasion.hold_expires_at:
        body += f" Confirm it before {wall_time(occasion.hold_expires_at, tz)}."
    if kind == "pending_approval" and occasion.decide_by:
        body += (f" The owner decides by {wall_time(occasion.decide_by, tz)}; undecided, the "
                 "request lapses then.")
    return {"subject": f"{SUBJECTS[kind]}: {occasion.equipment_name}", "body": body,
            "data": {"equipment_id": occasion.equipment_id,
                     "starts_at": occasion.starts_at.isoformat(),
                     "ends_at": occasion.ends_at.isoformat(), "reason": reason}}


def notify(session: Session, *, user_id: int, reservation_id: int, kind: str,
           occasion: Occasion, reason: str = "") -> Notification:
    """Put a notice about a reservation in the outbox (the caller commits)."""
    message = notice(occasion, kind, reason=reason)
    message["data"] = {"reservation_id": reservation_id, **message["data"]}
    notification = Notification(user_id=user_id, kind=kind, reservation_id=reservation_id,
                                **message)
    session.add(notification)
    return notification


def _zone(tz: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(tz)


@dataclass(frozen=True)
class Mailer:
    """SMTP settings; without a host, notices go to the log."""

    host: str | None = None
    port: int = 587
    username: str | None = None
    password: str | None = None
    sender: str = "benchshare@localhost"
    starttls: bool = True

    def send(self, to: str, subject: str, body: str) -> None:
        if not self.host:
            log.info("notification to %s: %s | %s", to, subject, body)
            return
        message = EmailMessage()
        # Header values must not carry line breaks (names are free text).
        subject = " ".join(subject.split())
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def deliver_notifications(session: Session, *, mailer: Mailer, batch: int = 100) -> int:
    """Send pending notices at most once each: claim, commit, send, then mark sent or failed.

    A crash between claim and send leaves a notice 'sending' for good rather than risk a
    second e-mail; concurrent senders skip each other's claimed rows.
    """
    claimed = session.scalars(
        select(Notification).where(Notification.delivery == "pending")
        .order_by(Notification.id).limit(batch).with_for_update(skip_locked=True)).all()
    if not claimed:
        session.rollback()
        return 0
    for notification in claimed:
        notification.delivery = "sending"
    targets = [(n.id, n.user_id, n.subject, n.body) for n in claimed]
    session.commit()
    emails = dict(session.execute(select(User.id, User.email).where(
        User.id.in_({user_id for _, user_id, _, _ in targets}))).all())
    sent = 0
    for notification_id, user_id, subject, body in targets:
        try:
            mailer.send(emails[user_id], subject, body)
            outcome = {"delivery": "sent", "sent_at": utcnow()}
            sent += 1
        except Exception:  # noqa: BLE001 - one bad notice must not strand the others
            log.warning("could not deliver notification %s", notification_id, exc_info=True)
            outcome = {"delivery": "failed"}
        session.execute(update(Notification).where(Notification.id == notification_id)
                        .values(**outcome))
        session.commit()
    return sent
