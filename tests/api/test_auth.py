"""Signing in, tokens that expire and can be revoked, and password-guessing limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from service.accounts.models import AccessToken
from service.db import utcnow

from ..factories import PASSWORD
from .accounts import sign_in


def test_sign_in_answers_a_bearer_token_that_opens_me(client, world):
    student = world.users["student"]
    response = sign_in(client, student.email.upper())
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_at"].endswith("+00:00")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["id"] == student.id
    assert me.get_json()["role"] == "student"
    assert me.get_json()["organisation_id"] == world.school.id


def test_wrong_password_is_401_invalid_credentials(client, world):
    response = sign_in(client, world.users["student"].email, "not the password")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "invalid_credentials"


def test_unknown_email_looks_like_a_wrong_password(client, world):
    response = sign_in(client, "nobody@test.example")
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_credentials"


def test_repeated_failures_are_refused_with_429_even_with_the_right_password(app, client, world):
    email = world.users["student"].email
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert sign_in(client, email, "guess").status_code == 401
    response = sign_in(client, email)
    assert response.status_code == 429
    assert response.get_json()["code"] == "too_many_login_attempts"
    assert int(response.headers["Retry-After"]) > 0


def test_failures_for_one_account_do_not_lock_out_another(app, client, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(client, world.users["student"].email, "guess")
    assert sign_in(client, world.users["instructor"].email).status_code == 200


def test_request_without_token_is_401_with_www_authenticate(client, world):
    response = client.get("/api/v1/equipment")
    assert response.status_code == 401
    assert response.get_json()["code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_malformed_authorization_header_is_401_naming_the_header(client, world):
    response = client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == "invalid_authorization_header"
    assert "Authorization" in body["errors"]


def test_unknown_token_is_401_invalid_token(client, world):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer bs_nope"})
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"


def test_expired_token_is_401_token_expired(client, session, world):
    session.execute(update(AccessToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()
    response = client.get("/api/v1/me", headers=world.headers("student"))
    assert response.status_code == 401
    assert response.get_json()["code"] == "token_expired"


def test_sign_out_revokes_the_token(client, world):
    headers = world.headers("student")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"


def test_disabling_a_user_ends_their_sessions_and_sign_ins(client, world):
    student = world.users["student"]
    response = client.delete(f"/api/v1/users/{student.id}", headers=world.headers("admin"))
    assert response.status_code == 200
    assert response.get_json()["is_active"] is False
    assert client.get("/api/v1/me", headers=world.headers("student")).status_code == 401
    response = sign_in(client, student.email)
    assert response.status_code == 401
    assert response.get_json()["code"] == "account_disabled"


def test_changing_your_own_password_revokes_your_other_tokens(client, world, make):
    student = world.users["student"]
    other_session = {"Authorization": f"Bearer {make.token(student)}"}
    response = client.post("/api/v1/me/password", headers=world.headers("student"), json={
        "current_password": PASSWORD, "new_password": "a new secret 1"})
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=world.headers("student")).status_code == 200
    assert client.get("/api/v1/me", headers=other_session).get_json()["code"] == "invalid_token"
    assert sign_in(client, student.email, "a new secret 1").status_code == 200
    assert sign_in(client, student.email, PASSWORD).status_code == 401


def test_changing_a_password_needs_the_current_one(client, world):
    student = world.users["student"]
    response = client.post("/api/v1/me/password", headers=world.headers("student"), json={
        "current_password": "not it at all", "new_password": "a new secret 1"})
    body = response.get_json()
    assert (response.status_code, body["code"]) == (403, "invalid_current_password")
    assert body["errors"] == {"current_password": ["Not your current password."]}
    assert sign_in(client, student.email, "a new secret 1").status_code == 401


@pytest.mark.parametrize("actor", ["admin", "other_admin", "operator", "manager"])
def test_nobody_sets_another_persons_password(client, world, actor):
    """The takeover of the hostile pass: another organisation's admin set a password."""
    for target in ("student", "enterprise_staff", "manager"):
        user = world.users[target]
        response = client.patch(f"/api/v1/users/{user.id}", headers=world.headers(actor),
                                json={"password": "taken over 123"})
        body = response.get_json()
        assert response.status_code == 422, body
        assert body["errors"] == {"password": ["Unknown field."]}
        assert sign_in(client, user.email, "taken over 123").status_code == 401
        assert sign_in(client, user.email, PASSWORD).status_code == 200


def test_health_and_docs_are_public(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["database"] == "reachable"
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/equipment" in spec.get_json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.data
