"""Use cases of notifications: write to the outbox, deliver once, list a user's."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
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


def notify_about(session: Session, reservation, kind: str, *, user_id: int | None = None,
                 reason: str = "") -> Notification:
    """Put a notice about a reservation in the outbox (the caller commits)."""
    notification = Notification(**notice(reservation, kind, user_id=user_id, reason=reason))
    session.add(notification)
    return notification


def notice(reservation, kind: str, *, user_id: int | None = None, reason: str = "") -> dict:
    """The outbox row (as column values) telling a user what happened to a reservation."""
    equipment = reservation.equipment  # an Equipment or a BookingTarget: the same attributes
    tz = equipment.timezone
    start = reservation.starts_at.astimezone(_zone(tz))
    end = reservation.ends_at.astimezone(_zone(tz))
    body = (f"{SUBJECTS[kind]}: {equipment.name} ({equipment.asset_tag}) at "
            f"{equipment.base_name}, {start:%Y-%m-%d %H:%M}-{end:%H:%M} ({tz}).")
    if reason:
        body += f" Reason: {reason}"
    if kind == "waitlist_offer" and reservation.hold_expires_at:
        body += (" Confirm it before "
                 f"{reservation.hold_expires_at.astimezone(_zone(tz)):%Y-%m-%d %H:%M}.")
    return {
        "user_id": user_id or reservation.holder_id, "kind": kind,
        "reservation_id": reservation.id, "subject": f"{SUBJECTS[kind]}: {equipment.name}",
        "body": body, "data": {"reservation_id": reservation.id, "equipment_id": equipment.id,
                               "starts_at": reservation.starts_at.isoformat(),
                               "ends_at": reservation.ends_at.isoformat(), "reason": reason}}


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
