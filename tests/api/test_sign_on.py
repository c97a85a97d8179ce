"""Sign-on with a school's own accounts, against a real OpenID provider over HTTP: a matched
person signs in; forged, stale, replayed and misdirected answers are each refused."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from service.accounts.models import User
from service.classes.models import ClassMember, SchoolClass
from service.signon import oidc
from service.signon.models import SignOnAttempt
from tests.factories import PASSWORD
from tests.oidc_provider import RunningProvider

from .openapi_document import assert_documented
from .problems import assert_problem
from .sign_on import (
    CALLBACK,
    at_provider,
    back_at_benchshare,
    outcome,
    set_up,
    settings,
    sign_on,
    start,
)


@pytest.fixture(scope="module")
def running_provider():
    """The tests' OpenID provider on a free loopback port, for the module."""
    provider = RunningProvider()
    provider.allow_redirect_uri(CALLBACK)
    yield provider
    provider.stop()


@pytest.fixture
def provider(running_provider):
    """The provider, behaving, with BenchShare's caches of it dropped."""
    oidc.forget_cache()
    running_provider.behave()
    yield running_provider
    running_provider.behave()


@pytest.fixture
def school_sign_on(client, world, provider):
    """The school has set up sign-on with the provider; its student is the one at it."""
    set_up(client, world, provider)
    provider.sign_in_as(world.users["student"].email)
    return provider


def test_a_matched_person_signs_on_and_gets_a_working_bearer_token(
        client, world, school_sign_on):
    members = sign_on(client, world.school)
    assert members["token_type"] == "Bearer" and members["expires_at"]
    me = client.get("/api/v1/me",
                    headers={"Authorization": f"Bearer {members['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["email"] == world.users["student"].email


def test_a_provider_taking_the_secret_only_in_the_form_signs_on_too(
        client, world, school_sign_on):
    school_sign_on.take_secret_only_in_the_form()
    assert "access_token" in sign_on(client, world.school)


def test_the_start_sends_pkce_s256_a_state_and_a_nonce(client, world, school_sign_on):
    url = urlsplit(start(client, world.school))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == school_sign_on.issuer + "/authorize"
    assert query["response_type"] == "code" and query["client_id"] == "benchshare"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert "openid" in query["scope"].split() and query["redirect_uri"] == CALLBACK


@pytest.mark.parametrize("fault, reason", [
    ({"iss": "https://impostor.example"}, "iss"),
    ({"aud": "another-client"}, "aud"),
    ({"expired": True}, "exp"),
    ({"nonce": "a-nonce-we-never-sent"}, "nonce"),
    ({"forged": True}, "signature"),
])
def test_an_id_token_failing_a_check_is_refused_naming_it(
        client, world, school_sign_on, fault, reason):
    school_sign_on.misbehave(**fault)
    assert sign_on(client, world.school) == {"error": "sign_on_token_invalid", "reason": reason}


def test_a_replayed_nonce_is_refused(client, world, school_sign_on):
    assert "access_token" in sign_on(client, world.school)
    school_sign_on.misbehave(nonce=school_sign_on.last_nonce)
    assert sign_on(client, world.school) == {"error": "sign_on_token_invalid",
                                             "reason": "nonce"}


def test_a_replayed_state_is_refused_and_its_code_not_even_sent(client, world, school_sign_on):
    callback = at_provider(start(client, world.school))
    assert "access_token" in outcome(back_at_benchshare(client, callback))
    sent = school_sign_on.token_requests
    assert outcome(back_at_benchshare(client, callback)) == {"error": "sign_on_state_invalid"}
    assert school_sign_on.token_requests == sent


def test_a_callback_opened_in_another_browser_is_refused_and_leaves_the_attempt_unused(
        client, world, school_sign_on):
    """Login CSRF: someone starts a sign-on as themselves and sends the callback link to
    another person, to sign them into the sender's account; that browser never started it."""
    callback = at_provider(start(client, world.school))
    other_browser = client.application.test_client()
    assert outcome(back_at_benchshare(other_browser, callback)) == {
        "error": "sign_on_state_invalid"}
    # The browser that started it still finishes it, and then forgets its proof.
    finished = back_at_benchshare(client, callback)
    assert "access_token" in outcome(finished)
    assert "benchshare_sign_on=;" in finished.headers["Set-Cookie"]


def test_the_start_gives_the_browser_an_httponly_proof_for_the_callback_only(
        client, world, school_sign_on):
    response = client.get(f"/api/v1/auth/sign-on/{world.school.id}/start")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("benchshare_sign_on=") and "HttpOnly" in cookie
    assert "Path=/api/v1/auth/sign-on" in cookie and "SameSite=Lax" in cookie


def test_an_expired_or_unknown_or_missing_state_is_refused(
        client, world, school_sign_on, session):
    callback = at_provider(start(client, world.school))
    session.execute(update(SignOnAttempt).values(
        expires_at=SignOnAttempt.created_at - timedelta(seconds=1)))
    session.commit()
    assert outcome(back_at_benchshare(client, callback)) == {"error": "sign_on_state_invalid"}
    for query in ("?code=abc&state=never-issued", "?code=abc", ""):
        response = client.get("/api/v1/auth/sign-on/callback" + query)
        assert outcome(response) == {"error": "sign_on_state_invalid"}


def test_a_refusal_at_the_provider_ends_as_sign_on_failed(client, world, school_sign_on):
    callback = urlsplit(at_provider(start(client, world.school)))
    state = parse_qs(callback.query)["state"][0]
    response = client.get(f"/api/v1/auth/sign-on/callback?error=access_denied&state={state}"
                          "&iss=ignored&session_state=ignored")
    assert outcome(response) == {"error": "sign_on_failed"}


def test_a_person_of_another_organisation_is_refused(client, world, school_sign_on):
    school_sign_on.sign_in_as(world.users["other_student"].email)
    assert sign_on(client, world.school) == {"error": "sign_on_wrong_organisation"}


def test_an_unknown_person_is_refused_when_creation_is_off(client, world, school_sign_on):
    school_sign_on.sign_in_as("newcomer@school.test")
    assert sign_on(client, world.school) == {"error": "sign_on_no_account"}


def test_an_address_the_provider_has_not_verified_is_refused(client, world, school_sign_on):
    school_sign_on.sign_in_as(world.users["student"].email, email_verified=False)
    assert sign_on(client, world.school) == {"error": "sign_on_email_unverified"}


def test_a_disabled_person_is_refused(client, world, school_sign_on, session):
    world.users["student"].is_active = False
    session.commit()
    assert sign_on(client, world.school) == {"error": "account_disabled"}


def test_a_newcomer_is_created_with_the_default_role_language_and_class(
        client, world, provider, session):
    set_up(client, world, provider, create_users=True, default_role="student",
           class_claim="class")
    provider.sign_in_as("Lin.Wei@School.test", name="林伟", locale="zh-CN", **{"class": "CNC 1"})
    members = sign_on(client, world.school)
    me = client.get("/api/v1/me",
                    headers={"Authorization": f"Bearer {members['access_token']}"}).get_json()
    assert (me["email"], me["full_name"], me["role"], me["language"]) == (
        "lin.wei@school.test", "林伟", "student", "zh-Hans")
    user = session.scalar(select(User).where(User.email == "lin.wei@school.test"))
    assert user.organisation_id == world.school.id and user.password_hash == "!"
    joined = session.scalar(select(SchoolClass.name).join(ClassMember).where(
        ClassMember.user_id == user.id))
    assert joined == "CNC 1"
    # The second time, the same person is found, not created again.
    assert "access_token" in sign_on(client, world.school)


def test_a_provider_that_cannot_be_reached_ends_as_unavailable(client, world, provider):
    set_up(client, world, provider)
    provider.misbehave(discovery_issuer="https://elsewhere.example")
    response = client.get(f"/api/v1/auth/sign-on/{world.school.id}/start")
    assert outcome(response) == {"error": "sign_on_provider_unavailable"}


def test_password_sign_in_turned_off_refuses_the_organisations_people_only(
        client, world, provider):
    set_up(client, world, provider, password_sign_in=False)
    refused = client.post("/api/v1/auth/token", json={
        "email": world.users["student"].email, "password": PASSWORD})
    assert_problem(refused, 403, "password_sign_in_disabled")
    wrong = client.post("/api/v1/auth/token", json={
        "email": world.users["student"].email, "password": "not-it"})
    assert_problem(wrong, 401, "invalid_credentials")
    other = client.post("/api/v1/auth/token", json={
        "email": world.users["other_student"].email, "password": PASSWORD})
    assert other.status_code == 200, other.get_json()


# ---------------------------------------------------------------- the settings

def test_the_settings_answer_without_the_secret_and_name_the_redirect_uri(
        client, world, provider):
    created = set_up(client, world, provider, role="admin").get_json()
    assert "client_secret" not in created and created["has_client_secret"] is True
    assert created["redirect_uri"] == CALLBACK and created["email_claim"] == "email"
    url = f"/api/v1/organisations/{world.school.id}/identity-provider"
    shown = client.get(url, headers=world.headers("admin"))
    assert shown.status_code == 200 and shown.headers["ETag"] == '"1"'
    assert "client_secret" not in shown.get_json()


def test_a_replace_honours_if_match_and_keeps_the_secret_left_out(
        client, world, provider, session):
    set_up(client, world, provider)
    url = f"/api/v1/organisations/{world.school.id}/identity-provider"
    body = {"issuer": provider.issuer, "client_id": "benchshare", "password_sign_in": False}
    stale = client.put(url, json=body, headers={**world.headers("admin"), "If-Match": '"7"'})
    assert_problem(stale, 412, "stale_etag")
    replaced = client.put(url, json=body, headers={**world.headers("admin"), "If-Match": '"1"'})
    assert replaced.status_code == 200, replaced.get_json()
    assert replaced.get_json()["password_sign_in"] is False
    provider.sign_in_as(world.users["student"].email)
    assert "access_token" in sign_on(client, world.school)  # the stored secret still works


def test_setting_up_needs_a_secret_an_https_issuer_and_a_role_of_the_organisation(
        client, world, provider):
    url = f"/api/v1/organisations/{world.school.id}/identity-provider"
    headers = world.headers("admin")
    cases = [
        ({"issuer": provider.issuer, "client_id": "c"}, "validation_error", "client_secret"),
        ({**settings(provider), "issuer": "http://idp.example"}, "invalid_issuer", "issuer"),
        ({**settings(provider), "default_role": "enterprise_staff"},
         "role_does_not_fit_organisation", "default_role"),
        ({**settings(provider), "create_users": True}, "default_role_required",
         "default_role"),
    ]
    for body, code, member in cases:
        refused = assert_problem(client.put(url, json=body, headers=headers), 422, code)
        assert member in refused["errors"], refused


def test_removing_sign_on_restores_password_sign_in(client, world, provider):
    set_up(client, world, provider, password_sign_in=False)
    url = f"/api/v1/organisations/{world.school.id}/identity-provider"
    assert_problem(client.delete(url, headers={**world.headers("admin"), "If-Match": '"9"'}),
                   412, "stale_etag")
    assert client.delete(url, headers=world.headers("admin")).status_code == 204
    assert_problem(client.get(url, headers=world.headers("admin")), 404,
                   "identity_provider_not_configured")
    signed_in = client.post("/api/v1/auth/token", json={
        "email": world.users["student"].email, "password": PASSWORD})
    assert signed_in.status_code == 200
    assert_problem(client.get(f"/api/v1/auth/sign-on/{world.school.id}/start"), 404,
                   "identity_provider_not_configured")


def test_the_public_list_names_each_organisation_with_sign_on(client, world, provider):
    assert client.get("/api/v1/auth/sign-on").get_json() == {"items": []}
    set_up(client, world, provider)
    set_up(client, world, provider, organisation=world.enterprise, role="manager")
    listed = client.get("/api/v1/auth/sign-on").get_json()["items"]
    assert sorted((i["organisation_id"], i["start_url"]) for i in listed) == sorted(
        (o.id, f"/api/v1/auth/sign-on/{o.id}/start") for o in (world.school, world.enterprise))
    named = client.get("/api/v1/auth/sign-on", query_string={"q": world.school.name.upper()})
    assert [i["organisation_id"] for i in named.get_json()["items"]] == [world.school.id]
    assert client.get("/api/v1/auth/sign-on?q=%25").get_json() == {"items": []}


def test_the_redirects_and_refusals_are_declared_in_the_document(
        client, world, school_sign_on):
    document = client.get("/api/v1/openapi.json").get_json()
    started = client.get(f"/api/v1/auth/sign-on/{world.school.id}/start")
    assert_documented(document, "GET", "/auth/sign-on/{organisation_id}/start", started)
    called_back = back_at_benchshare(client, at_provider(started.headers["Location"]))
    assert_documented(document, "GET", "/auth/sign-on/callback", called_back)
    school_sign_on.misbehave(expired=True)
    refused = back_at_benchshare(client, at_provider(start(client, world.school)))
    assert_documented(document, "GET", "/auth/sign-on/callback", refused)
    missing = client.get("/api/v1/auth/sign-on/999999/start")
    assert_documented(document, "GET", "/auth/sign-on/{organisation_id}/start", missing)
    url = f"/api/v1/organisations/{world.school.id}/identity-provider"
    stale = client.put(url, json=settings(school_sign_on),
                       headers={**world.headers("admin"), "If-Match": '"5"'})
    assert_documented(document, "PUT", "/organisations/{organisation_id}/identity-provider",
                      stale, sent=["If-Match"])
    off = client.put(url, json=settings(school_sign_on, password_sign_in=False),
                     headers=world.headers("admin"))
    assert_documented(document, "PUT", "/organisations/{organisation_id}/identity-provider",
                      off)
    refused = client.post("/api/v1/auth/token", json={
        "email": world.users["student"].email, "password": PASSWORD})
    assert_documented(document, "POST", "/auth/token", refused)
