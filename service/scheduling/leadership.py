"""One scheduler leads at a time: a lease in `scheduler_leases`, timed by the database's clock.

How it holds:

- Taking and renewing are one statement (an upsert): it writes the row when there is none, when
  its lease ran out (`expires_at < now()`), or when we hold it already; otherwise it changes
  nothing. PostgreSQL serialises the writes on the row, so two processes never both succeed.
- Every time on the row is the database's `now()`: no two machines' clocks are ever compared.
  The process counts its own lead from *before* it sent the statement, on its monotonic clock,
  so it believes it leads a little less long than the database lets it (clock rates agree to
  a few parts per million); a leader that cannot renew stops starting jobs before a standby
  may take over.
- A standby runs the same statement every renew interval, so after a leader dies (kill -9
  included) one takes over within lease + renew seconds of the dead leader's last renewal.
  A leader that stops hands the lease over at once (`resign`): then within one renew interval.
- This is the first fence; the per-job advisory locks in `service.scheduler.run_job` remain the
  second (a run an old leader still has under way is not started twice).
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import socket
import threading
import time
from datetime import timedelta

from sqlalchemy import Engine, case, create_engine, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError

from .models import SchedulerLease

log = logging.getLogger("benchshare.leadership")

SCHEDULER = "scheduler"  # the row the scheduled jobs' leadership lives in

# This process's elector (`elect`), for `is_leader`.
_process_elector: Elector | None = None


def holder_id() -> str:
    """Who we are, as the lease names us: "{hostname}:{pid}:{short random}" (the random part
    tells a restarted process that got the same pid, e.g. PID 1 in a container, from its
    predecessor)."""
    suffix = f":{os.getpid()}:{secrets.token_hex(3)}"
    return socket.gethostname()[:200 - len(suffix)] + suffix


def _take_or_renew(name: str, holder: str, lease_seconds: float):
    """The one statement that takes an expired (or absent) lease, or renews our own."""
    now = func.now()
    row = insert(SchedulerLease).values(
        name=name, holder=holder, acquired_at=now, renewed_at=now,
        expires_at=now + timedelta(seconds=lease_seconds))
    ours = SchedulerLease.holder == row.excluded.holder
    return row.on_conflict_do_update(
        index_elements=[SchedulerLease.name],
        set_={"holder": row.excluded.holder,
              # A renewal keeps the time the lead began; a takeover starts it afresh.
              "acquired_at": case((ours, SchedulerLease.acquired_at),
                                  else_=row.excluded.acquired_at),
              "renewed_at": row.excluded.renewed_at,
              "expires_at": row.excluded.expires_at},
        where=ours | (SchedulerLease.expires_at < now),
    ).returning(SchedulerLease.acquired_at)


class Elector:
    """Takes, renews and gives up one process's lease; `leading()` says whether jobs may start.

    `start()` runs `attempt()` every `renew_seconds` in a thread of its own (leader and standby
    alike); `resign()` stops that and hands the lease over.
    """

    def __init__(self, engine: Engine, *, lease_seconds: float, renew_seconds: float,
                 holder: str | None = None, name: str = SCHEDULER, clock=time.monotonic):
        if not 0 < renew_seconds < lease_seconds:
            raise ValueError("the renew interval must be shorter than the lease")
        self.engine = engine
        self.lease_seconds = lease_seconds
        self.renew_seconds = renew_seconds
        self.holder = holder or holder_id()
        self.name = name
        self._clock = clock
        # Forked children (gunicorn's workers) inherit a copy of this object: they lead nothing.
        self._pid = os.getpid()
        self._deadline: float | None = None  # on our monotonic clock: we surely lead until then
        self._logged_leading = False
        self._seen_leader: str | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._resigned = False

    def leading(self) -> bool:
        """Whether this process leads now (false once the lease may have run out unrenewed)."""
        deadline = self._deadline
        return (deadline is not None and os.getpid() == self._pid
                and self._clock() < deadline)

    def attempt(self) -> bool:
        """Take or renew the lease once; whether we lead now."""
        sent = self._clock()
        try:
            with self.engine.begin() as connection:
                taken = connection.execute(
                    _take_or_renew(self.name, self.holder, self.lease_seconds)).first()
                other = None if taken else connection.scalar(
                    select(SchedulerLease.holder).where(SchedulerLease.name == self.name))
        except SQLAlchemyError as exc:
            # Keep the lead we had: it runs out by itself at the deadline, and a later attempt
            # may still renew it in time.
            # Named with the database's first line: "not reachable" was also said of a lock
            # wait cut by statement_timeout and of a schema not migrated yet.
            log.warning("scheduler lease %s: could not take or renew it (%s: %s)", self.name,
                        type(exc).__name__, _first_line(exc))
            self._note(None)
            return self.leading()
        if taken:
            self._deadline = sent + self.lease_seconds
        else:
            self._deadline = None  # someone else's lease is running: ours ran out
        self._note(None if taken else other)
        return self.leading()

    def _note(self, other: str | None) -> None:
        """Log a change of leadership as this process sees it."""
        leading = self.leading()
        if leading and not self._logged_leading:
            log.info("scheduler lease %s: gained by %s (lease %g s, renewed every %g s)",
                     self.name, self.holder, self.lease_seconds, self.renew_seconds)
        elif not leading and self._logged_leading:
            log.warning("scheduler lease %s: lost by %s (%s); no more jobs start here",
                        self.name, self.holder,
                        f"now held by {other}" if other else "not renewed in time")
        if not leading and other and other != self._seen_leader:
            log.info("scheduler lease %s: %s stands by; %s leads", self.name, self.holder, other)
        self._logged_leading = leading
        self._seen_leader = other if not leading else self.holder

    def start(self) -> Elector:
        """Attempt now, then every renew interval in a daemon thread, until `resign`."""
        self.attempt()
        self._thread = threading.Thread(target=self._keep, name=f"lease-{self.name}",
                                        daemon=True)
        self._thread.start()
        return self

    def _keep(self) -> None:
        while not self._stopping.wait(self.renew_seconds):
            self.attempt()

    def resign(self) -> None:
        """Start no more jobs and hand the lease over at once (a standby takes it at its next
        attempt). Safe to call twice, and a no-op in a forked child."""
        if os.getpid() != self._pid or self._resigned:
            return
        self._resigned = True
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=self.lease_seconds)
        self._deadline = None
        try:
            with self.engine.begin() as connection:
                handed = connection.execute(
                    update(SchedulerLease)
                    .where(SchedulerLease.name == self.name,
                           SchedulerLease.holder == self.holder,
                           SchedulerLease.expires_at >= func.now())
                    .values(expires_at=func.now())).rowcount
        except SQLAlchemyError as exc:
            # The lease then runs out by itself, within lease seconds.
            log.warning("scheduler lease %s: %s could not hand it over (%s); it ends by itself",
                        self.name, self.holder, type(exc).__name__)
            handed = 0
        if handed:
            log.info("scheduler lease %s: handed over by %s", self.name, self.holder)
        self._logged_leading = False


def _first_line(exc: SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else "no detail"


def own_engine(url, lease_seconds: float) -> Engine:
    """The elector's engine: a connection of its own, so jobs that use up the app's pool cannot
    keep the leader from renewing; no statement outlasts a lease. Nor does a transaction left
    open by an elector cut off between its renewal and the commit (its machine off the network:
    no FIN, no RST): the server ends it after half a lease of silence, and with it the lock on
    the lease's row that would keep every standby out until TCP keepalives give up (hours)."""
    return create_engine(
        url, pool_size=1, max_overflow=1, pool_pre_ping=True, pool_timeout=lease_seconds,
        connect_args={"connect_timeout": max(2, math.ceil(lease_seconds)),
                      "options": f"-c timezone=UTC -c statement_timeout="
                                 f"{math.ceil(lease_seconds * 1000)}"
                                 f" -c idle_in_transaction_session_timeout="
                                 f"{math.ceil(lease_seconds * 500)}"})


def elect(url, config) -> Elector:
    """Start this process's elector on the database at `url` (see `is_leader`)."""
    global _process_elector
    lease = config["SCHEDULER_LEASE_SECONDS"]
    _process_elector = Elector(own_engine(url, lease), lease_seconds=lease,
                               renew_seconds=config["SCHEDULER_RENEW_SECONDS"]).start()
    return _process_elector


def process_holder() -> str | None:
    """The holder id this process's elector (or, in a forked gunicorn worker, its arbiter's)
    takes the lease under; None where no elector runs (for the metrics)."""
    return None if _process_elector is None else _process_elector.holder


def is_leader() -> bool:
    """Whether this process leads the scheduled jobs now (false where no elector runs)."""
    return _process_elector is not None and _process_elector.leading()


def current_leader(session) -> dict | None:
    """The unexpired lease, by the database's clock: holder, acquired_at, expires_at; or None."""
    # The statement's time, not now(): that is the time the caller's transaction began.
    lease = session.execute(
        select(SchedulerLease.holder, SchedulerLease.acquired_at, SchedulerLease.expires_at)
        .where(SchedulerLease.name == SCHEDULER,
               SchedulerLease.expires_at >= func.statement_timestamp())
    ).first()
    return None if lease is None else dict(lease._mapping)
