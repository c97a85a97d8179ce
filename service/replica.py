"""Reads that may go to a streaming replica (DATABASE_REPLICA_URL) while it is fresh enough.

Reports, the heat map and the dashboard's figures are read-only and may show data a few
seconds old; bookings and rule checks may not, and never come here. A view passes its read to
`read(work)`: `work(session)` runs on the replica when its staleness is within
REPLICA_MAX_STALENESS_SECONDS, else on the primary (no replica, replica down or lagging), and
the answer says which (`BenchShare-Read-From`, `BenchShare-Staleness-Seconds`).

Staleness is measured by comparing the replica's replayed WAL position with the primary's
`pg_current_wal_lsn()`, not by the replica's own view of itself: a replica whose WAL receiver
was cut off believes itself current. Replayed everything the primary had written: 0 (an idle
replica is fresh). Behind: at most the age of the last primary position this process saw it
reach, and at most the time since the last commit it replayed; the smaller of the two.
Each process measures at most once a second (MEASURE_EVERY_SECONDS), in the request that
finds the measurement due; the others use the last one.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from flask import after_this_request, current_app, has_app_context, has_request_context
from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from .db import POOL_RECYCLE_SECONDS, _check_on_checkout, db

log = logging.getLogger(__name__)
T = TypeVar("T")

EXTENSION = "benchshare.replica"
MEASURE_EVERY_SECONDS = 1.0
# After the replica could not be reached, the requests of the next seconds go to the primary
# without trying it again: an unreachable host costs up to CONNECT_TIMEOUT_SECONDS per try.
RETRY_DOWN_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 2
# Primary positions seen, about one a second: enough to date a replica a few minutes behind.
POSITIONS_KEPT = 600

READ_FROM = "BenchShare-Read-From"
STALENESS = "BenchShare-Staleness-Seconds"
# The OpenAPI description of both headers, for the views that read through `read`.
READ_HEADERS = {
    READ_FROM: {"schema": {"type": "string", "enum": ["replica", "primary"]},
                "description": "Where the figures were read: the streaming replica "
                               "(DATABASE_REPLICA_URL) while it is at most "
                               "REPLICA_MAX_STALENESS_SECONDS behind, else the primary."},
    STALENESS: {"schema": {"type": "number", "minimum": 0},
                "description": "How many seconds behind the primary the data read may be, as "
                               "measured at most a second before (0 from the primary, and "
                               "from a replica that had replayed all the primary had "
                               "written)."},
}

# Which database a connection reads: its name and its cluster's system identifier (the same
# on a primary and its streaming replicas; NULL where a managed service withholds it).
_IDENTITY = """current_database(),
       CASE WHEN has_function_privilege('pg_control_system()', 'EXECUTE')
            THEN (SELECT system_identifier::text FROM pg_control_system()) END"""
_PRIMARY = f"SELECT pg_current_wal_lsn()::text, {_IDENTITY}"
_POSITIONS = f"""
SELECT pg_last_wal_replay_lsn()::text,
       EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8,
       {_IDENTITY}
"""


def lsn(text: str) -> int:
    """A WAL position ('16/B374D848') as a number, to compare and subtract."""
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def staleness_of(replayed: int, primary: int, seen: list[tuple[float, int]], now: float,
                 since_replayed_commit: float | None) -> float | None:
    """Seconds the replica may be behind: 0 when it replayed `primary` (the primary's position
    just read); else the smaller of the age of the last position in `seen` ((monotonic time,
    position) pairs read from the primary) it has replayed, and `since_replayed_commit`.
    None: nothing tells (then it is not used)."""
    if replayed >= primary:
        return 0.0
    bounds = [now - at for at, position in seen if position <= replayed]
    if since_replayed_commit is not None:
        bounds.append(since_replayed_commit)
    return max(0.0, min(bounds)) if bounds else None


def _same_database(primary: list, replica: list) -> bool:
    """Same database name, and the same cluster where both tell theirs."""
    (name, cluster), (replica_name, replica_cluster) = primary, replica
    return name == replica_name and (None in (cluster, replica_cluster)
                                     or cluster == replica_cluster)


class Replica:
    """One process's view of the replica: its engine (made lazily, again after a fork) and
    its last measured staleness."""

    def __init__(self, url: str, max_staleness: float):
        self.url = url
        self.max_staleness = max_staleness
        self._engine: Engine | None = None
        self._pid: int | None = None
        self._measuring = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._staleness: float | None = None
        self._next_measure = 0.0  # monotonic time
        self._seen: deque[tuple[float, int]] = deque(maxlen=POSITIONS_KEPT)

    def engine(self) -> Engine:
        """This process's engine to the replica. After gunicorn's fork the parent's engine
        (and its sockets) stays the parent's: the child makes its own."""
        if self._engine is None or self._pid != os.getpid():
            if self._engine is not None:
                self._engine.dispose(close=False)
                self._reset()
            connect_args = {"options": "-c timezone=UTC"}
            if "connect_timeout" not in make_url(self.url).query:
                connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
            engine = create_engine(self.url, pool_recycle=POOL_RECYCLE_SECONDS, pool_timeout=2,
                                   connect_args=connect_args)
            event.listen(engine, "checkout", _check_on_checkout)
            # Reads only: no transaction to begin, hold a snapshot in, or end.
            self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
            self._pid = os.getpid()
        return self._engine

    def staleness(self, primary: Engine) -> float | None:
        """The staleness last measured, measured now when due; None: unknown or unreachable."""
        now = time.monotonic()
        if now >= self._next_measure and self._measuring.acquire(blocking=False):
            try:
                if time.monotonic() >= self._next_measure:
                    self._staleness = self._measure(primary)
                    wait = MEASURE_EVERY_SECONDS if self._staleness is not None \
                        else RETRY_DOWN_SECONDS
                    self._next_measure = time.monotonic() + wait
            finally:
                self._measuring.release()
        return self._staleness

    def _measure(self, primary: Engine) -> float | None:
        engine = self.engine()
        try:
            with primary.connect() as conn:
                at = time.monotonic()
                text, *primary_is = conn.exec_driver_sql(_PRIMARY).one()
                position = lsn(text)
            self._seen.append((at, position))
            with engine.connect() as conn:
                replayed, since_commit, *replica_is = conn.exec_driver_sql(_POSITIONS).one()
        except (DBAPIError, PoolTimeout) as exc:
            log.warning("replica unavailable, reading from the primary: %s",
                        str(exc).splitlines()[0])
            return None
        if replayed is None:
            log.warning("DATABASE_REPLICA_URL is not a standby (no WAL replayed); "
                        "reading from the primary")
            return None
        if not _same_database(primary_is, replica_is):
            # Another database (or another cluster's standby) replays as well as ours: its
            # positions would pass for fresh, and the reports would show someone else's data.
            log.error("DATABASE_REPLICA_URL is not a replica of the primary's database "
                      "(it reads database %r of cluster %s; the primary is %r of cluster %s); "
                      "reading from the primary", replica_is[0], replica_is[1] or "unknown",
                      primary_is[0], primary_is[1] or "unknown")
            return None
        return staleness_of(lsn(replayed), position, list(self._seen), time.monotonic(),
                            since_commit)

    def down(self) -> None:
        """A read on it failed: the primary until it is measured again."""
        self._staleness = None
        self._next_measure = time.monotonic() + RETRY_DOWN_SECONDS


def _replica() -> Replica | None:
    """This app's replica in this process; None when DATABASE_REPLICA_URL is unset."""
    url = current_app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return None
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        found = current_app.extensions.setdefault(EXTENSION, Replica(
            url, float(current_app.config.get("REPLICA_MAX_STALENESS_SECONDS", 30))))
    return found


def replica_engine() -> Engine | None:
    """This process's engine to the replica, None without one (the tests watch it)."""
    replica = _replica()
    return None if replica is None else replica.engine()


def staleness_seconds() -> float | None:
    """How far behind the primary the replica is, as this process last measured it (measured
    now when due); None: no replica configured, or not reachable."""
    if not has_app_context():
        return None
    replica = _replica()
    return None if replica is None else replica.staleness(db.engine)


def read(work: Callable[[Session], T]) -> T:
    """`work(session)` on the replica when it is within the staleness bound, else on the
    primary's request session; the request's answer says which. A replica that fails during
    the read is given up for this read and the next seconds: the primary answers."""
    replica = _replica() if has_request_context() else None
    staleness = None if replica is None else replica.staleness(db.engine)
    if replica is not None and staleness is not None and staleness <= replica.max_staleness:
        session = Session(bind=replica.engine())
        try:
            result = work(session)
        except (DBAPIError, PoolTimeout) as exc:
            session.close()
            log.warning("a read on the replica failed, reading from the primary: %s",
                        str(exc).splitlines()[0])
            replica.down()
        except BaseException:  # a refusal (403, 422) or a bug: the answer is not a read
            session.close()
            raise
        else:
            _answer("replica", staleness, session)
            return result
    result = work(db.session)
    if has_request_context():
        _answer("primary", 0.0, None)
    return result


def _answer(source: str, staleness: float, session: Session | None) -> None:
    @after_this_request
    def say_where(response):
        # Closed only now: the view serialises what it read after `read` returns.
        if session is not None:
            session.close()
        response.headers[READ_FROM] = source
        response.headers[STALENESS] = f"{staleness:.3f}"
        return response
