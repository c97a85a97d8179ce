"""Sign-on in the tenancy matrix: every actor x each organisation's provider settings (two
schools, two enterprises), and the public way in.

Only an organisation's own admin (school) or manager (enterprise) sees and changes its
settings; operators read them; the sign-on list and its start are public.
"""

from __future__ import annotations

import pytest

from service.signon import oidc
from service.signon.models import IdentityProvider
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, RunningProvider

from .tenancy import ACTORS, MEMBER, NOT_ORG, ROLE, expect

ORGANISATIONS = ("school", "other_school", "enterprise", "other_enterprise")
ITS_HEAD = {"school": "admin", "other_school": "other_admin", "enterprise": "manager",
            "other_enterprise": "other_manager"}
# The settings' routes let in admins, enterprise staff (managers are staff) and, to read,
# operators: the other roles are refused by role before any organisation is looked at.
SETTINGS_ROLES = {"admin", "other_admin", "enterprise_staff", "manager", "other_staff",
                  "other_manager"}


def _settings_expectation(organisation: str, success: int, operator_reads: bool) -> dict:
    table = expect(NOT_ORG, operator=(200, None) if operator_reads else ROLE)
    for role in ACTORS:
        if role not in SETTINGS_ROLES and role not in ("anonymous", "operator"):
            table[role] = ROLE
    # A member of the organisation who does not run it: refused by role.
    for role in MEMBER[organisation]:
        if role in SETTINGS_ROLES:
            table[role] = ROLE
    table[ITS_HEAD[organisation]] = (success, None)
    return table


def _cases():
    for organisation in ORGANISATIONS:
        path = f"/organisations/{{{organisation}}}/identity-provider"
        yield "GET", path, _settings_expectation(organisation, 200, True)
        yield "PUT", path, _settings_expectation(organisation, 200, False)
        yield "DELETE", path, _settings_expectation(organisation, 204, False)
        yield "GET", f"/auth/sign-on/{{{organisation}}}/start", dict.fromkeys(
            ACTORS, (302, None))
    yield "GET", "/auth/sign-on", dict.fromkeys(ACTORS, (200, None))


CASES = list(_cases())


@pytest.fixture(scope="module")
def signon_world(shared_make, shared_session):
    """Each of the four organisations has set up sign-on with the tests' provider."""
    provider = RunningProvider()
    oidc.forget_cache()
    world = shared_make.world()
    for organisation in ORGANISATIONS:
        shared_session.add(IdentityProvider(
            organisation_id=getattr(world, organisation).id, issuer=provider.issuer,
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET))
    shared_session.commit()
    world.provider = provider
    yield world
    provider.stop()


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("method, template, expected", CASES,
                         ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_sign_on_tenancy_matrix(shared_client, signon_world, role, method, template,
                                expected):
    w = signon_world
    url = "/api/v1" + template.format(**{o: getattr(w, o).id for o in ORGANISATIONS})
    headers = {} if role == "anonymous" else w.headers(role)
    body = {"issuer": w.provider.issuer, "client_id": CLIENT_ID} if method == "PUT" else None
    response = shared_client.open(url, method=method, headers=headers, json=body)
    status, code = expected[role]
    payload = response.get_json(silent=True)
    assert response.status_code == status, payload
    if status >= 400:
        assert response.mimetype == "application/problem+json"
        assert payload["code"] == code, payload
    elif status == 302:
        assert response.headers["Location"].startswith(w.provider.issuer + "/authorize?")
    elif template == "/auth/sign-on":
        assert len(payload["items"]) >= 4
    elif status == 200:
        assert payload["organisation_id"] == int(url.split("/")[4])
        assert "client_secret" not in payload
