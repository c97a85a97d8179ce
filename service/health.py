"""Liveness and readiness probes, public and outside the API document."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from .db import db
from .drain import is_draining
from .notifications.delivery import backlog
from .schema import current_revision, head_revision

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz():
    """Ready when the database answers and its schema is at the migrations' head; tells
    the outbox's backlog too (pending, sending and failed notices, the oldest ages, claims
    whose lease ran out: notifications.delivery.backlog) without failing on it."""
    head = head_revision(current_app.config["MIGRATIONS_DIR"])
    # rig: a server told to stop says so first, while it still serves, so that whatever routes
    # traffic here looks away before it stops accepting (service/drain.py).
    if is_draining(current_app):
        return jsonify(status="draining"), 503
    try:
        current = current_revision(db.engine)
    except SQLAlchemyError as exc:
        current_app.logger.warning("readiness: database unreachable: %s", exc)
        return jsonify(status="unavailable", database="unreachable"), 503
    if current != head:
        return jsonify(status="unavailable", database="reachable",
                       schema=current, expected_schema=head), 503
    try:
        # Reported, not judged: a backlog says the outbox is behind, not that this instance
        # cannot serve, and taking instances out of rotation would not empty it any faster.
        notifications = backlog(
            db.session, lease_seconds=current_app.config.get("NOTIFICATION_LEASE_SECONDS", 120))
    except SQLAlchemyError as exc:
        current_app.logger.warning("readiness: database unreachable: %s", exc)
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="reachable", schema=current,
                   notifications=notifications)
