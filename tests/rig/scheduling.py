"""The rig's scheduler side: a slow SMTP sink, kill -9 of the scheduler that is delivering, and
what the database and the sink say afterwards (notices lost, takeover, report runs)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from dataclasses import dataclass, field

import psutil
import psycopg
from sqlalchemy import make_url

from tests.mail_sink import MailSink

NOTICE_SUBJECT = "Rig notice "


class SlowSink(MailSink):
    """The tests' SMTP sink, taking `delay` seconds per message (settable while it runs), so
    that a delivery can be caught half-way."""

    delay = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.delay:
            await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def insert_notices(database_url: str, email: str, count: int) -> None:
    """`count` pending notices to one person, each with a subject of its own."""
    with psycopg.connect(libpq(database_url)) as connection:
        connection.execute(
            "INSERT INTO notifications (user_id, kind, subject, body, data)"
            " SELECT u.id, 'confirmed', %s::text || n, 'A notice of the rig.', '{}'"
            " FROM users u, generate_series(1, %s) n WHERE u.email = %s",
            (NOTICE_SUBJECT, count, email))


def deliveries(database_url: str) -> Counter:
    """The rig's notices by delivery state."""
    with psycopg.connect(libpq(database_url)) as connection:
        return Counter(dict(connection.execute(
            "SELECT delivery, count(*) FROM notifications WHERE subject LIKE %s"
            " GROUP BY delivery", (NOTICE_SUBJECT + "%",)).fetchall()))


def lease_holder(database_url: str) -> str | None:
    """The unexpired scheduler lease's holder ("host:pid:random"), None when there is none
    (or no election: the table is empty before the leader's work is merged)."""
    with psycopg.connect(libpq(database_url)) as connection:
        row = connection.execute(
            "SELECT holder FROM scheduler_leases WHERE expires_at > now()"
            " ORDER BY acquired_at DESC LIMIT 1").fetchone()
    return row[0] if row else None


def holder_pid(holder: str | None) -> int | None:
    try:
        return int(holder.split(":")[1]) if holder else None
    except (IndexError, ValueError):
        return None


def connected_to(processes, port: int):
    """The process among `processes` with a TCP connection to 127.0.0.1:port (the scheduler
    delivering to the sink), else None."""
    for process in processes:
        try:
            if any(c.raddr and c.raddr.port == port
                   for c in psutil.Process(process.pid).net_connections("tcp")):
                return process
        except psutil.NoSuchProcess:
            continue
    return None


@dataclass
class NoticeOutcome:
    created: int = 0
    delivered_before_kill: int = 0
    killed: str = ""
    lease_holder_killed: bool | None = None  # the process killed held the scheduler lease
    takeover_seconds: float | None = None  # kill -9 to another holder of the lease
    resumed_seconds: float | None = None  # kill -9 to the next message in the sink
    settled_seconds: float | None = None  # kill -9 to no notice pending or sending
    states: Counter = field(default_factory=Counter)
    received: int = 0  # messages of the rig's notices in the sink, duplicates included
    distinct: int = 0  # distinct notices among them (by subject)
    duplicates_same_message_id: int = 0
    duplicates_other_message_id: int = 0

    @property
    def lost(self) -> int:
        """Created, never in the sink and not visibly marked failed."""
        return self.created - self.distinct - self.states.get("failed", 0)


def _rig_messages(sink: MailSink) -> list:
    return [m for m in list(sink.messages) if str(m["Subject"]).startswith(NOTICE_SUBJECT)]


def kill_leader_mid_delivery(rig, sink: SlowSink, email: str, *, count: int = 200,
                             kill_after: int = 30, delay: float = 0.05,
                             give_up_after: float = 120.0) -> NoticeOutcome:
    """Write `count` notices, let the schedulers deliver them slowly, kill -9 the one
    delivering once `kill_after` arrived, and wait until every notice is sent or failed."""
    outcome = NoticeOutcome(created=count)
    sink.delay = delay
    insert_notices(rig.database_url, email, count)
    deadline = time.monotonic() + give_up_after
    while len(_rig_messages(sink)) < kill_after:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {len(_rig_messages(sink))} notices delivered")
        time.sleep(0.02)
    victim = connected_to(rig.scheduler_processes, sink.port)
    if victim is None:
        raise RuntimeError("no scheduler process is connected to the sink")
    holder = lease_holder(rig.database_url)
    if holder is not None:
        outcome.lease_holder_killed = holder_pid(holder) == victim.pid
    outcome.delivered_before_kill = len(_rig_messages(sink))
    victim.signal(signal.SIGKILL)
    killed_at = time.monotonic()
    victim.wait(timeout=10)
    outcome.killed = f"{victim.name} (pid {victim.pid})"
    seen = len(_rig_messages(sink))
    while time.monotonic() < killed_at + give_up_after:
        now = time.monotonic() - killed_at
        if outcome.takeover_seconds is None and holder is not None:
            current = lease_holder(rig.database_url)
            if current is not None and holder_pid(current) != victim.pid:
                outcome.takeover_seconds = now
        if outcome.resumed_seconds is None and len(_rig_messages(sink)) > seen:
            outcome.resumed_seconds = now
        states = deliveries(rig.database_url)
        if not states.get("pending") and not states.get("sending"):
            outcome.settled_seconds = now
            break
        time.sleep(0.1)
    outcome.states = deliveries(rig.database_url)
    sink.delay = 0.0
    messages = _rig_messages(sink)
    outcome.received = len(messages)
    by_subject: dict[str, list] = {}
    for message in messages:
        by_subject.setdefault(str(message["Subject"]), []).append(message)
    outcome.distinct = len(by_subject)
    for copies in by_subject.values():
        ids = [str(m["Message-ID"]) for m in copies]
        for later in ids[1:]:
            if later == ids[0] and ids[0] != "None":
                outcome.duplicates_same_message_id += 1
            else:
                outcome.duplicates_other_message_id += 1
    return outcome


def report_runs(database_url: str) -> tuple[int, int, int]:
    """(periods built, runs, most runs of one period) of the succeeded report runs."""
    with psycopg.connect(libpq(database_url)) as connection:
        counts = [row[0] for row in connection.execute(
            "SELECT count(*) FROM report_runs WHERE status = 'succeeded'"
            " GROUP BY granularity, period_start").fetchall()]
    return len(counts), sum(counts), max(counts, default=0)
