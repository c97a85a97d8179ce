"""Invitations and password links in the tenancy matrix: every actor x each organisation's
invited person, and the public endpoints answering everyone alike.

A person is invited again only by their own organisation's admin (school) or manager
(enterprise); those who cannot see the person get 404, as for any user they may not see. The
"forgot password" and "choose a password" endpoints are public: the answer is the same signed in
or not, whoever asks.
"""

from __future__ import annotations

import pytest

from .tenancy import ACTORS, HIDDEN, NOT_ORG, ROLE, expect

ACCEPTED = (202, None)
PUBLIC = dict.fromkeys(ACTORS, ACCEPTED)
LINK_INVALID = dict.fromkeys(ACTORS, (422, "link_invalid"))


@pytest.fixture(scope="module")
def invited(shared_make, shared_session):
    """The world, plus a person without a password in school A, in E1 and in school B: built
    once, each case rolled back after it (tests/worlds.py)."""
    make = shared_make
    world = make.world()
    world.extra.update(
        school_invitee=make.user("student", world.school, password=None).id,
        enterprise_invitee=make.user("enterprise_staff", world.enterprise, password=None).id,
        other_school_invitee=make.user("student", world.other_school, password=None).id)
    shared_session.commit()
    return world


CASES = [
    ("POST", "/users/{school_invitee}/invitation", None,
     expect(HIDDEN, student=ROLE, instructor=ROLE, other_student=ROLE, admin=ACCEPTED)),
    ("POST", "/users/{other_school_invitee}/invitation", None,
     expect(HIDDEN, student=ROLE, instructor=ROLE, other_student=ROLE, other_admin=ACCEPTED)),
    ("POST", "/users/{enterprise_invitee}/invitation", None,
     expect(HIDDEN, student=ROLE, instructor=ROLE, other_student=ROLE, manager=ACCEPTED,
            enterprise_staff=NOT_ORG)),
    ("POST", "/auth/password-reset", {"email": "student@nowhere.example"}, PUBLIC),
    ("POST", "/auth/password", {"token": "bsl_not-a-link", "password": "long-enough-1"},
     LINK_INVALID),
]


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("method, template, body, expected", CASES,
                         ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_access_matrix(shared_client, invited, role, method, template, body, expected):
    w = invited
    headers = {} if role == "anonymous" else w.headers(role)
    response = shared_client.open("/api/v1" + template.format(**w.extra), method=method,
                                  headers=headers, json=body)
    status, code = expected[role]
    payload = response.get_json()
    assert response.status_code == status, payload
    if status >= 400:
        assert response.mimetype == "application/problem+json"
        assert payload["code"] == code, payload
    else:
        assert payload == {"status": "accepted"}
