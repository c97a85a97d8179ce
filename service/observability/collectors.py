"""Families read at scrape time, in the process answering /metrics: outbox, leader, replica.

Each source is read on its own; one that fails (the database is down, say) leaves its families
without samples and says so in benchshare_metrics_source_up, and the scrape still answers.
"""

from __future__ import annotations

import logging

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import DisconnectionError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)

# The outbox's backlog (service.notifications.delivery.backlog): states counted, and the
# states whose oldest notice's age is told.
NOTICE_STATES = ("pending", "sending", "failed")
AGED_STATES = ("pending", "sending")
# Failures that say the database does not answer (rather than a query that went wrong).
UNREACHABLE = (OperationalError, DisconnectionError, PoolTimeout)


class ScrapeCollector:
    """Reads the database (and the replica's lag) once per scrape through `session`."""

    def __init__(self, session):
        self.session = session

    def collect(self):
        up = GaugeMetricFamily(
            "benchshare_metrics_source_up", "Whether a source read at scrape time answered "
            "(1) or failed (0, its families are then without samples).", labels=["source"])
        unreachable = False
        for source, read in (("notifications", self._notifications),
                             ("leader", self._leader), ("replica", self._replica)):
            families = _families(source)
            try:
                if unreachable and source != "replica":
                    # One wait for a database that does not answer (a connect timeout, a
                    # pool's timeout) per scrape, not one per source: three of them would
                    # outlast Prometheus' scrape timeout (10 s), and the scrape, with all
                    # this process recorded, would be lost just when it is wanted.
                    answered = False
                else:
                    answered = read(families, primary_down=unreachable) \
                        if source == "replica" else read(families)
            except (SQLAlchemyError, OSError) as exc:
                log.warning("metrics: %s could not be read: %s", source,
                            str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                self._rollback()
                families = _families(source)  # whatever was half filled is dropped
                answered = False
                unreachable = unreachable or isinstance(exc, UNREACHABLE)
            if answered is not None:  # None: the source is not part of this build
                up.add_metric([source], 1 if answered else 0)
            yield from families
        yield up

    def _rollback(self) -> None:
        try:
            self.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
            pass

    def _notifications(self, families) -> bool:
        from ..notifications.delivery import backlog

        counts, ages, expired = families
        figures = backlog(self.session)
        # Only the keys this outbox answers: the contract's, or the older pending-only ones.
        for state in NOTICE_STATES:
            if state in figures:
                counts.add_metric([state], figures[state])
        for state in AGED_STATES:
            if f"oldest_{state}_seconds" in figures:
                ages.add_metric([state], figures[f"oldest_{state}_seconds"])
        if "expired_leases" in figures:
            expired.add_metric([], figures["expired_leases"])
        return True

    def _leader(self, families) -> bool | None:
        try:
            from ..scheduling.leadership import current_leader, is_leader
        except ImportError:
            return None
        info, since, here = families
        leader = current_leader(self.session)
        if leader is not None:
            info.add_metric([leader["holder"]], 1)
            since.add_metric([leader["holder"]], leader["acquired_at"].timestamp())
        here.add_metric([], 1 if is_leader() or _leads_here(leader) else 0)
        return True

    def _replica(self, families, primary_down: bool = False) -> bool | None:
        try:
            from ..replica import staleness_seconds
        except ImportError:
            return None
        from flask import current_app, has_app_context

        if primary_down and has_app_context() and current_app.config.get(
                "DATABASE_REPLICA_URL"):
            return False  # measured against the primary's position: not now
        (lag,) = families
        seconds = staleness_seconds()
        if seconds is not None:  # None: no replica configured
            lag.add_metric([], seconds)
        return True


def _leads_here(leader: dict | None) -> bool:
    """Whether the leader is this process or, under `serve`, the gunicorn arbiter whose
    in-process scheduler elects (a worker answering the scrape is its child, and inherited
    its elector): compared by the whole holder id, whose random part tells apart two
    processes of one hostname and pid (PID 1 in two containers given the same hostname)."""
    from ..scheduling import leadership

    holder = leadership.process_holder()
    return leader is not None and holder is not None and leader["holder"] == holder


def _families(source: str) -> tuple:
    if source == "notifications":
        return (
            GaugeMetricFamily("benchshare_notifications", "Notices in the outbox by delivery "
                              "state (pending, sending, failed).", labels=["state"]),
            GaugeMetricFamily("benchshare_notifications_oldest_age_seconds", "Age of the "
                              "oldest pending notice, and of the oldest claim in sending, by "
                              "the database's clock (0 when none).", labels=["state"]),
            GaugeMetricFamily("benchshare_notifications_expired_leases", "Notices in sending "
                              "whose sender's lease ran out (picked up at the next run)."),
        )
    if source == "leader":
        return (
            GaugeMetricFamily("benchshare_scheduler_leader", "The scheduler leader holding an "
                              "unexpired lease (1, labelled with its holder id).",
                              labels=["holder"]),
            GaugeMetricFamily("benchshare_scheduler_leader_since_timestamp_seconds", "When "
                              "the current leader took the lease (Unix time).",
                              labels=["holder"]),
            GaugeMetricFamily("benchshare_scheduler_is_leader", "Whether this instance (the "
                              "process answering, or its gunicorn arbiter) leads (1) or not "
                              "(0)."),
        )
    return (GaugeMetricFamily("benchshare_replica_lag_seconds", "How stale the read replica "
                              "is (no sample without a replica)."),)
