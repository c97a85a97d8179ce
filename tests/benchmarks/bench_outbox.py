"""Benchmark of the notification outbox (issue 11): how fast one delivery run empties a backlog.

Run from the repository root (a standalone script, not a pytest test):

    .venv/bin/python -m tests.benchmarks.bench_outbox [--notices 48000] [--repeats 3]
        [--latency-ms 1]

On a fresh embedded PostgreSQL, --notices pending notices (the default: 60 s of booking at
800 a second, the issue's target) are delivered by one call of the scheduled job's body with
the default settings, in --repeats interleaved rounds of each mailer:

- `log`: no SMTP host, every notice is a log line (INFO, written to /dev/null), as in a setup
  without mail;
- `smtp-1` and `smtp-4`: a stand-in SMTP server answering each message after --latency-ms (1 ms
  by default, about a relay on the same host; real SMTP is I/O bound), with 1 and with 4
  senders, to show what the sender threads buy.

Each round starts from the same backlog, all pending (reset and vacuumed). Printed per mailer:
the median and range of notices/s of the run, and the seconds the backlog took. The target:
the backlog delivered within 60 s; the exit status is 0 when the `log` and `smtp-4` medians meet
it, 1 otherwise.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import smtplib
import statistics
import tempfile
import time

from sqlalchemy import text

from service import create_app, embedded, schema
from service.config import PROJECT_ROOT
from service.db import db
from service.notifications.delivery import deliver_notifications
from service.notifications.mail import Mailer

TARGET_SECONDS = 60


class SlowSMTP:
    """A connection that takes `latency` seconds to accept each message."""

    latency = 0.001

    def __init__(self, host, port, timeout):
        time.sleep(self.latency)

    def starttls(self):
        pass

    def login(self, username, password):
        pass

    def send_message(self, message):
        message.as_bytes()  # the serialising a real send does
        time.sleep(self.latency)

    def quit(self):
        pass

    close = quit


def _seed(notices: int) -> None:
    db.session.execute(text(
        "INSERT INTO organisations (name, kind, version) VALUES ('Outbox School', 'school', 1)"))
    db.session.execute(text(
        "INSERT INTO users (organisation_id, email, full_name, role, password_hash, version) "
        "SELECT (SELECT id FROM organisations WHERE name = 'Outbox School'), "
        "'s' || n || '@outbox.example', 'Student ' || n, 'student', 'x', 1 "
        "FROM generate_series(1, 100) n"))
    db.session.execute(text(
        "INSERT INTO notifications (user_id, kind, subject, body, data) "
        "SELECT (SELECT min(id) FROM users) + n % 100, 'confirmed', "
        "'Reservation confirmed: Lathe ' || n, repeat('A notice body. ', 12), '{}' "
        "FROM generate_series(1, :n) n"), {"n": notices})
    db.session.commit()


def _reset() -> None:
    db.session.execute(text("UPDATE notifications SET delivery = 'pending', sent_at = NULL"))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE notifications"))


def _one_run(app, mailer: Mailer, senders: int) -> tuple[int, float]:
    config = app.config
    with app.app_context():
        _reset()
        started = time.perf_counter()
        sent = deliver_notifications(db.session, mailer=mailer,
                                     batch=config["NOTIFICATION_BATCH_SIZE"],
                                     rounds=config["NOTIFICATION_BATCHES_PER_RUN"],
                                     senders=senders)
        took = time.perf_counter() - started
        db.session.remove()
    return sent, took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=48_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=1.0)
    args = parser.parse_args()
    SlowSMTP.latency = args.latency_ms / 1000
    smtplib.SMTP = SlowSMTP  # this process only: the benchmark's stand-in server

    data_dir = tempfile.mkdtemp(prefix="benchshare-bench-outbox-")
    try:
        url = embedded.start(data_dir, database="benchshare")
        schema.upgrade(str(PROJECT_ROOT / "migrations"), url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False,
                          "LOG_LEVEL": "INFO"})
        devnull = open(os.devnull, "w")  # noqa: SIM115 - open for the whole run
        for handler in logging.getLogger("benchshare").handlers:
            handler.setStream(devnull)
        with app.app_context():
            _seed(args.notices)
        default_senders = app.config["NOTIFICATION_SENDERS"]
        mailers = {"log": (Mailer(), default_senders),
                   "smtp-1": (Mailer(host="smtp.bench", starttls=False), 1),
                   f"smtp-{default_senders}": (Mailer(host="smtp.bench", starttls=False),
                                               default_senders)}
        took: dict[str, list[float]] = {name: [] for name in mailers}
        for repeat in range(args.repeats):
            for name, (mailer, senders) in mailers.items():
                load = os.getloadavg()[0]
                sent, seconds = _one_run(app, mailer, senders)
                assert sent == args.notices, (name, sent)
                took[name].append(seconds)
                print(f"round {repeat + 1} {name:>8}: {sent / seconds:8.0f} notices/s "
                      f"({seconds:.2f} s, load {load:.2f})", flush=True)
        print(f"\n{args.notices} pending notices, batch {app.config['NOTIFICATION_BATCH_SIZE']}, "
              f"SMTP latency {args.latency_ms} ms, {args.repeats} interleaved rounds")
        print(f"{'mailer':>8} {'notices/s median':>17} {'range':>17} {'seconds':>8}")
        passed = True
        for name, runs in took.items():
            rates = sorted(args.notices / s for s in runs)
            median = statistics.median(runs)
            print(f"{name:>8} {args.notices / median:17.0f} {rates[0]:8.0f}-{rates[-1]:<8.0f} "
                  f"{median:8.2f}")
            if name != "smtp-1" and median > TARGET_SECONDS:
                passed = False
        print(f"target: the backlog delivered within {TARGET_SECONDS} s: "
              f"{'pass' if passed else 'FAIL'}")
        with app.app_context():
            db.engine.dispose()
        return 0 if passed else 1
    finally:
        embedded.stop(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
