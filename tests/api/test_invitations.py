"""Invitations and password resets: the e-mailed link, read from a real SMTP server, sets a
password once, until it expires; "forgot password" says the same whoever asks."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from service.accounts.models import AccountToken, User
from service.accounts.passwords import UNUSABLE
from service.db import db, utcnow
from service.notifications.delivery import deliver_notifications
from service.notifications.models import Notification
from service.signon.models import IdentityProvider

from ..factories import PASSWORD
from ..mail_sink import body_of
from .accounts import sign_in

NEW_PASSWORD = "a-password-of-my-own"


def deliver(mail_sink) -> int:
    return deliver_notifications(db.session, mailer=mail_sink.mailer)


def token_in(message) -> str:
    link = re.search(r"(\S+)/password#token=(\S+)", body_of(message))
    assert link, body_of(message)
    return link.group(2)


def invite(client, world, email="new.student@school.example", **fields):
    response = client.post("/api/v1/users", headers=world.headers("admin"), json={
        "email": email, "full_name": "New Student", "role": "student", **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def choose(client, token, password=NEW_PASSWORD):
    return client.post("/api/v1/auth/password", json={"token": token, "password": password})


def ask_reset(client, email, **kwargs):
    return client.post("/api/v1/auth/password-reset", json={"email": email}, **kwargs)


def test_an_invited_person_chooses_a_password_through_the_emailed_link_once(
        client, world, mail_sink):
    person = invite(client, world)
    assert db.session.get(User, person["id"]).password_hash == UNUSABLE
    assert sign_in(client, person["email"], "anything-at-all").status_code == 401

    assert deliver(mail_sink) == 1
    message = mail_sink.wait_for(person["email"])
    assert message["Subject"] == "You are invited to BenchShare"
    assert world.school.name in body_of(message)
    token = token_in(message)

    chosen = choose(client, token)
    assert chosen.status_code == 200, chosen.get_json()
    me = client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {chosen.get_json()['access_token']}"})
    assert me.status_code == 200 and me.get_json()["email"] == person["email"]
    assert sign_in(client, person["email"], NEW_PASSWORD).status_code == 200

    again = choose(client, token, "yet-another-password")
    assert again.status_code == 422
    assert again.get_json()["code"] == "link_used"
    assert again.get_json()["errors"] == {"token": ["Ask for a new link."]}
    assert sign_in(client, person["email"], NEW_PASSWORD).status_code == 200


def test_the_link_is_kept_only_as_its_hash_once_the_email_is_sent(client, world, mail_sink):
    invite(client, world)
    deliver(mail_sink)
    token = token_in(mail_sink.messages[-1])
    stored = db.session.scalar(select(AccountToken.token_hash))
    assert token not in stored and len(stored) == 64
    outbox = db.session.scalar(select(Notification.body))
    assert token not in outbox and "/password#token=(sent)" in outbox


def test_an_expired_link_is_refused(client, world, mail_sink):
    invite(client, world)
    deliver(mail_sink)
    token = token_in(mail_sink.messages[-1])
    db.session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()

    response = choose(client, token)
    assert response.status_code == 422
    assert response.get_json()["code"] == "link_expired"


def test_an_unknown_link_is_refused(client):
    response = choose(client, "bsl_made-up")
    assert response.status_code == 422
    assert response.get_json()["code"] == "link_invalid"
    assert response.get_json()["errors"] == {"token": ["Ask for a new link."]}


def test_a_new_invitation_voids_the_older_link(client, world, mail_sink):
    person = invite(client, world)
    deliver(mail_sink)
    first = token_in(mail_sink.wait_for(person["email"]))

    again = client.post(f"/api/v1/users/{person['id']}/invitation",
                        headers=world.headers("admin"))
    assert again.status_code == 202 and again.get_json() == {"status": "accepted"}
    deliver(mail_sink)
    second = token_in(mail_sink.to(person["email"])[-1])

    assert choose(client, first).get_json()["code"] == "link_invalid"
    assert choose(client, second).status_code == 200


def test_someone_with_a_password_is_not_invited_again(client, world):
    student = world.users["student"]
    response = client.post(f"/api/v1/users/{student.id}/invitation",
                           headers=world.headers("admin"))
    assert response.status_code == 409
    assert response.get_json()["code"] == "has_password"


def test_a_disabled_person_is_not_invited_and_their_link_stops_working(
        client, world, mail_sink):
    person = invite(client, world)
    deliver(mail_sink)
    token = token_in(mail_sink.wait_for(person["email"]))
    client.delete(f"/api/v1/users/{person['id']}", headers=world.headers("admin"))

    resend = client.post(f"/api/v1/users/{person['id']}/invitation",
                         headers=world.headers("admin"))
    assert resend.status_code == 409 and resend.get_json()["code"] == "user_disabled"
    assert choose(client, token).get_json()["code"] == "link_invalid"


def test_a_reset_link_sets_a_new_password_and_signs_out_everywhere_else(
        client, world, mail_sink):
    student = world.users["student"]
    old_token = world.tokens["student"]

    response = ask_reset(client, student.email.upper())
    assert response.status_code == 202 and response.get_json() == {"status": "accepted"}
    deliver(mail_sink)
    message = mail_sink.wait_for(student.email)
    assert message["Subject"] == "Your new BenchShare password"

    chosen = choose(client, token_in(message))
    assert chosen.status_code == 200
    assert sign_in(client, student.email, PASSWORD).status_code == 401
    assert sign_in(client, student.email, NEW_PASSWORD).status_code == 200
    assert client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {old_token}"}).status_code == 401
    assert choose(client, token_in(message)).get_json()["code"] == "link_used"


def test_a_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(
        app, client, world, mail_sink):
    floor = app.config["RESET_ANSWER_MS"] / 1000
    started = time.monotonic()
    known = ask_reset(client, world.users["student"].email)
    known_took = time.monotonic() - started
    unknown = ask_reset(client, "nobody@nowhere.example")
    unknown_took = time.monotonic() - started - known_took

    # Neither answers sooner than RESET_ANSWER_MS: writing the link does not show in the time.
    assert known_took >= floor and unknown_took >= floor

    assert (unknown.status_code, unknown.get_json()) == (known.status_code, known.get_json())
    assert {k for k in unknown.headers.keys() if k != "X-Request-ID"} == \
        {k for k in known.headers.keys() if k != "X-Request-ID"}
    assert deliver(mail_sink) == 1
    assert [m["To"] for m in mail_sink.messages] == [world.users["student"].email]


def test_a_disabled_account_gets_no_reset_email(client, world, mail_sink):
    student = world.users["student"]
    client.delete(f"/api/v1/users/{student.id}", headers=world.headers("admin"))

    response = ask_reset(client, student.email)
    assert response.status_code == 202 and response.get_json() == {"status": "accepted"}
    assert deliver(mail_sink) == 0
    assert mail_sink.messages == []


def test_reset_requests_are_throttled_per_email_whoever_it_belongs_to(app, client, world):
    limit = app.config["RESET_MAX_PER_EMAIL"]
    for email in (world.users["student"].email, "nobody@nowhere.example"):
        for _ in range(limit):
            assert ask_reset(client, email).status_code == 202
        refused = ask_reset(client, email)
        assert refused.status_code == 429
        assert refused.get_json()["code"] == "too_many_requests"
        assert 0 < int(refused.headers["Retry-After"]) <= app.config["RESET_WINDOW_SECONDS"]
    # The student got `limit` links, each replacing the one before; nobody else got any.
    assert db.session.scalar(select(func.count()).select_from(AccountToken)) == 1


def test_reset_requests_are_throttled_per_address(app, client):
    limit = app.config["RESET_MAX_PER_ADDRESS"]
    for n in range(limit):
        assert ask_reset(client, f"guess{n}@nowhere.example").status_code == 202
    refused = ask_reset(client, "one-more@nowhere.example")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    other = ask_reset(client, "one-more@nowhere.example",
                      environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 202


def test_links_are_not_listed_among_the_persons_notices(client, world, mail_sink):
    student = world.users["student"]
    ask_reset(client, student.email)
    listed = client.get("/api/v1/me/notifications", headers=world.headers("student"))
    assert listed.status_code == 200
    assert listed.get_json()["items"] == [] and listed.get_json()["unread"] == 0
    assert db.session.scalar(select(Notification.kind)) == "password_reset"


@pytest.mark.parametrize("body, field", [
    ({"token": "x", "password": "short"}, "password"),
    ({"password": NEW_PASSWORD}, "token"),
    ({"token": "x" * 201, "password": NEW_PASSWORD}, "token"),
])
def test_a_malformed_request_to_choose_a_password_names_the_field(client, body, field):
    response = client.post("/api/v1/auth/password", json=body)
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error"
    assert list(response.get_json()["errors"]) == [field]


def test_a_link_sets_no_password_where_the_organisation_signs_on_with_its_own_accounts(
        client, world, mail_sink, session):
    invited = invite(client, world)
    deliver(mail_sink)
    token = token_in(mail_sink.wait_for(invited["email"]))
    session.add(IdentityProvider(
        organisation_id=world.school.id, issuer="https://id.school.example",
        client_id="benchshare", client_secret="secret", password_sign_in=False))
    session.commit()

    refused = choose(client, token)
    assert refused.status_code == 403 and refused.get_json()["code"] == (
        "password_sign_in_disabled")
    assert session.scalar(select(User.password_hash).where(
        User.id == invited["id"])) == UNUSABLE
    # The link stays unused: it works once the school lets passwords in again.
    session.execute(update(IdentityProvider).where(
        IdentityProvider.organisation_id == world.school.id).values(password_sign_in=True))
    session.commit()
    assert choose(client, token).status_code == 200
