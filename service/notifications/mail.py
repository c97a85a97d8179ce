"""Sending e-mail: SMTP settings, and one connection carrying many messages."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

log = logging.getLogger("benchshare.notifications")


class MailUnreachable(Exception):
    """No connection to the mail server could be opened: nothing of the message left us."""


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
        """Send one message on a connection of its own (or log it, without a host)."""
        if not self.host:
            log.info("notification to %s: %s | %s", to, subject, body)
            return
        with self.connection() as post:
            post.send(to, subject, body)

    @contextmanager
    def connection(self) -> Iterator[Postman]:
        """A sender of many messages: one SMTP connection, opened at the first message and
        opened again after a failure; without a host, each message goes through `send`."""
        postman = Postman(self)
        try:
            yield postman
        finally:
            postman.close()

    def message(self, to: str, subject: str, body: str,
                message_id: str | None = None) -> EmailMessage:
        message = EmailMessage()
        # Header values must not carry line breaks (names are free text).
        subject = " ".join(subject.split())
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Message-ID"] = message_id or make_msgid(domain=self.domain)
        message.set_content(body)
        return message

    @property
    def domain(self) -> str:
        """The domain of the sender's address ("localhost" when it has none)."""
        _, address = parseaddr(self.sender)
        domain = address.rpartition("@")[2].strip()
        return domain if "@" in address and domain else "localhost"

    def message_id(self, notification_id: int) -> str:
        """The Message-ID of a notice's e-mail, the same on every attempt: a second copy
        (a retry after a sender died mid-letter) is then recognisable as the same message."""
        return f"<notification-{notification_id}@{self.domain}>"

    def open(self) -> smtplib.SMTP:
        """A connection to the server, ready to send; MailUnreachable when none opens."""
        smtp = None
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=10)
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            return smtp
        except (OSError, smtplib.SMTPException) as exc:
            if smtp is not None:
                _close(smtp)
            raise MailUnreachable(f"{self.host}:{self.port}: {exc}") from exc


class Postman:
    """Carries messages over one connection of a Mailer's (not shared between threads)."""

    def __init__(self, mailer: Mailer):
        self.mailer = mailer
        self.smtp: smtplib.SMTP | None = None

    def send(self, to: str, subject: str, body: str, message_id: str | None = None) -> None:
        """Send one message; MailUnreachable when no connection opens (the message surely
        did not leave), any other error when it may have."""
        if not self.mailer.host:
            self.mailer.send(to, subject, body)
            return
        message = self.mailer.message(to, subject, body, message_id)
        if self.smtp is None:
            self.smtp = self.mailer.open()
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise  # the server said no to this address; the connection is still good
        except Exception:
            # The connection may be in any state: the next message gets a fresh one.
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            smtp, self.smtp = self.smtp, None
            _close(smtp)


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except Exception:  # noqa: BLE001 - closing a connection that already broke
        smtp.close()
