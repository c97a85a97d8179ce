"""A database that is away answers 503 database_unavailable with Retry-After, never a 500."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import exc as sa

from service import create_app
from service.accounts import auth
from service.db import db

from ..conftest import TEST_CONFIG

# Nothing listens on port 1: every connection attempt is refused at once.
UNREACHABLE = "postgresql+psycopg://benchshare@127.0.0.1:1/benchshare"


def assert_unavailable(response):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"].isdigit()
    assert int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["status"] == 503 and body["code"] == "database_unavailable"
    assert body["title"] and body["detail"] and body["type"].endswith("/database_unavailable")
    return body


@pytest.fixture(scope="module")
def unreachable_app():
    """An app whose database refuses connections."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": UNREACHABLE})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/api/v1/me", None),  # the token lookup in before_request meets the outage
    ("GET", "/api/v1/equipment?page_size=5", None),
    ("POST", "/api/v1/equipment-categories", {"code": "lasers", "name": "Lasers"}),
    ("POST", "/api/v1/auth/token", {"email": "a@school.example", "password": "x" * 12}),
    ("GET", "/api/v1/me/calendar.ics", None),  # authenticates itself, in the view
])
def test_requests_to_an_unreachable_database_answer_503_with_retry_after(
        unreachable_app, method, path, body):
    response = unreachable_app.test_client().open(
        path, method=method, json=body, headers={"Authorization": "Bearer some-token"})
    assert_unavailable(response)


def test_readiness_still_reports_the_unreachable_database(unreachable_app):
    response = unreachable_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}


def _broken_pipe():
    return psycopg.OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("error", [
    sa.OperationalError("SELECT 1", {}, _broken_pipe()),
    sa.InterfaceError("SELECT 1", {}, psycopg.InterfaceError("connection already closed")),
    sa.DisconnectionError("connection invalidated"),
    sa.TimeoutError("QueuePool limit of size 5 overflow 10 reached, connection timed out"),
    _broken_pipe(),
    sa.InternalError("SELECT 1", {}, psycopg.errors.AdminShutdown("terminating connection"),
                     connection_invalidated=True),
], ids=["sqlalchemy-operational", "sqlalchemy-interface", "disconnection", "pool-timeout",
        "psycopg-operational", "invalidated-connection"])
def test_every_kind_of_lost_database_answers_503(client, world, monkeypatch, error):
    def lookup(session, token):
        raise error

    monkeypatch.setattr(auth, "user_for_token", lookup)
    assert_unavailable(client.get("/api/v1/me", headers=world.headers("student")))


def test_a_failing_rollback_on_the_error_path_still_answers_503(client, world, monkeypatch):
    def lookup(session, token):
        raise sa.OperationalError("SELECT 1", {}, _broken_pipe())

    def rollback():
        raise sa.OperationalError("ROLLBACK", {}, _broken_pipe())

    monkeypatch.setattr(auth, "user_for_token", lookup)
    monkeypatch.setattr(db.session, "rollback", rollback)
    assert_unavailable(client.get("/api/v1/me", headers=world.headers("student")))


@pytest.mark.parametrize("error, status, code", [
    (sa.IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key")),
     409, "already_exists"),
    (sa.DataError("INSERT", {}, psycopg.errors.NumericValueOutOfRange("out of range")),
     422, "invalid_value"),
], ids=["integrity", "data"])
def test_refusals_by_the_database_keep_their_own_answers(client, world, monkeypatch, error,
                                                          status, code):
    def lookup(session, token):
        raise error

    monkeypatch.setattr(auth, "user_for_token", lookup)
    response = client.get("/api/v1/me", headers=world.headers("student"))
    assert response.status_code == status
    assert response.get_json()["code"] == code
    assert "Retry-After" not in response.headers


def test_every_operation_documents_its_503_with_retry_after(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = [(path, method, operation) for path, item in spec["paths"].items()
                  for method, operation in item.items()
                  if method in ("get", "post", "put", "patch", "delete")]
    assert len(operations) >= 30
    undocumented = [f"{method.upper()} {path}" for path, method, operation in operations
                    if operation["responses"].get("503")
                    != {"$ref": "#/components/responses/SERVICE_UNAVAILABLE"}]
    assert undocumented == []
    response = spec["components"]["responses"]["SERVICE_UNAVAILABLE"]
    assert response["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert "application/problem+json" in response["content"]
