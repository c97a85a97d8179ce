"""/readyz tells the outbox's backlog, and stays ready however far behind the outbox is."""

from __future__ import annotations

from datetime import timedelta

from service.config import PROJECT_ROOT
from service.db import utcnow
from service.schema import head_revision

from ..outbox import post_notices

HEAD = head_revision(str(PROJECT_ROOT / "migrations"))


def test_readiness_reports_an_empty_outbox(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "reachable", "schema": HEAD,
                                   "notifications": {
                                       "pending": 0, "oldest_pending_seconds": 0, "sending": 0,
                                       "oldest_sending_seconds": 0, "expired_leases": 0,
                                       "failed": 0}}


def test_readiness_reports_pending_notices_and_how_long_the_first_has_waited(
        client, make, session):
    user = make.user("student", make.organisation("school"))
    ten_minutes_ago = utcnow() - timedelta(minutes=10)
    post_notices(session, [user.id], 1, created_at=ten_minutes_ago)
    post_notices(session, [user.id], 3)
    # Delivered or given up on: not waiting, however old.
    post_notices(session, [user.id], 2, delivery="sent", created_at=utcnow() - timedelta(days=1))
    post_notices(session, [user.id], 1, delivery="failed", created_at=utcnow() - timedelta(days=2))
    post_notices(session, [user.id], 1, delivery="sending", created_at=utcnow() - timedelta(days=3))
    session.commit()

    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200, "a backlog does not take the instance out of rotation"
    assert body["status"] == "ok" and body["database"] == "reachable" and body["schema"] == HEAD
    assert body["notifications"]["pending"] == 4
    # Ten minutes, and the seconds this test took (it takes far less than a minute).
    assert 600 <= body["notifications"]["oldest_pending_seconds"] < 660, body
    assert set(body) == {"status", "database", "schema", "notifications"}


def test_readiness_reports_claimed_notices_the_oldest_claim_and_the_leases_run_out(
        client, make, session):
    user = make.user("student", make.organisation("school"))
    now = utcnow()
    # Claimed a minute ago on a 120-second lease (the default), by a sender still at it...
    post_notices(session, [user.id], 2, delivery="sending", claimed_by="a" * 32, attempts=1,
                 lease_expires_at=now + timedelta(seconds=60))
    # ...and by one that died: its lease ran out ten seconds ago.
    post_notices(session, [user.id], 1, delivery="sending", claimed_by="b" * 32, attempts=1,
                 lease_expires_at=now - timedelta(seconds=10))
    post_notices(session, [user.id], 3, delivery="failed", attempts=3)
    session.commit()

    response = client.get("/readyz")
    assert response.status_code == 200, "claimed and failed notices are reported, not judged"
    notifications = response.get_json()["notifications"]
    # The oldest claim: 130 seconds, and the seconds this test took.
    assert 130 <= notifications.pop("oldest_sending_seconds") < 190, notifications
    assert notifications == {"pending": 0, "oldest_pending_seconds": 0, "sending": 3,
                             "expired_leases": 1, "failed": 3}
