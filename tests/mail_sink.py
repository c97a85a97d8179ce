"""A real SMTP server for tests: aiosmtpd on a free local port, keeping every message it gets."""

from __future__ import annotations

import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from service.notifications.mail import Mailer


class MailSink:
    """The messages an SMTP server on 127.0.0.1 received (parsed), with a way to wait for one."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()
        self.port = _free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 OK"

    @property
    def mailer(self) -> Mailer:
        """A Mailer that delivers here (plain SMTP: no STARTTLS, no login)."""
        return Mailer(host="127.0.0.1", port=self.port, starttls=False,
                      sender="benchshare@test.example")

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, to: str, timeout: float = 5.0) -> EmailMessage:
        """The latest message to `to`, waiting up to `timeout` seconds for the first one."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while not self.to(to):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no message to {to} within {timeout} s; "
                                         f"got {[m['To'] for m in self.messages]}")
                self._arrived.wait(left)
            return self.to(to)[-1]

    def clear(self) -> None:
        with self._arrived:
            self.messages.clear()

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def body_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.fixture(scope="session")
def _mail_server():
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mail_sink(_mail_server):
    """A real local SMTP server, empty at the start of the test (`.messages`, `.wait_for(to)`,
    `.mailer` to deliver the outbox there)."""
    _mail_server.clear()
    yield _mail_server
    _mail_server.clear()
