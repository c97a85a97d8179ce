"""Impact and contribution in the tenancy matrix: every actor x each enterprise's figures.

E1 (`enterprise`) offers to school A, E2 (`other_enterprise`) to school B. An enterprise's
impact is its staff's alone (everyone else 404, as for an object they may not see); its
contribution statement also shows to the admins of a school it offered to, that school's rows
only; only those admins confirm (other roles 403, other schools' admins 404).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

ACTORS = ("anonymous", "student", "instructor", "admin", "enterprise_staff", "manager",
          "other_staff", "other_manager", "other_student", "other_instructor", "other_admin",
          "operator")
SHANGHAI = ZoneInfo("Asia/Shanghai")
HIDDEN = (404, "not_found")
ROLE = (403, "role_not_allowed")


def expect(default, **per_role):
    table = dict.fromkeys(ACTORS, default)
    table["anonymous"] = (401, "not_authenticated")
    table.update(per_role)
    return table


@pytest.fixture(scope="module")
def exchange(shared_make, shared_session):
    """Each enterprise's approved March 2025 offer to its school, with one 2 h session: built
    once, each case rolled back after it (tests/worlds.py)."""
    make, session = shared_make, shared_session
    world = make.world()
    for enterprise, school, item, staff, student in (
            (world.enterprise, world.school, world.enterprise_equipment, "enterprise_staff",
             "student"),
            (world.other_enterprise, world.other_school, world.other_enterprise_equipment,
             "other_staff", "other_student")):
        offer = make.offer(enterprise, school, [item], created_by=world.users[staff],
                           windows=[{"starts_on": date(2025, 3, 3),
                                     "ends_on": date(2025, 3, 7),
                                     "spans": [(d, time(9), time(12)) for d in range(1, 6)]}])
        starts = datetime(2025, 3, 4, 9, tzinfo=SHANGHAI)
        make.reservation(item, world.users[student], starts, starts + timedelta(hours=2),
                         offer=offer)
    session.commit()
    return world


def _headers(world, role):
    return {} if role == "anonymous" else world.headers(role)


def _check(response, expected, body_ok=None):
    status, code = expected
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    if code:
        assert body["code"] == code
    elif body_ok:
        assert body_ok(body)


IMPACT = {"enterprise": expect(HIDDEN, enterprise_staff=(200, None), manager=(200, None)),
          "other_enterprise": expect(HIDDEN, other_staff=(200, None),
                                     other_manager=(200, None)),
          "school": expect(HIDDEN)}


@pytest.mark.parametrize("target", sorted(IMPACT))
@pytest.mark.parametrize("role", ACTORS)
def test_impact(shared_client, exchange, role, target):
    w = exchange
    org = getattr(w, target)
    response = shared_client.get(f"/api/v1/organisations/{org.id}/impact",
                                 query_string={"from": "2025-03-01", "to": "2025-04-01"},
                                 headers=_headers(w, role))
    _check(response, IMPACT[target][role],
           lambda body: body["organisation_id"] == org.id
           and body["totals"]["hours_booked"] == 2.0 and body["totals"]["hours_offered"] == 15.0)


CONTRIBUTION = {
    "enterprise": expect(HIDDEN, enterprise_staff=(200, None), manager=(200, None),
                         admin=(200, None)),
    "other_enterprise": expect(HIDDEN, other_staff=(200, None), other_manager=(200, None),
                               other_admin=(200, None)),
}


@pytest.mark.parametrize("target", sorted(CONTRIBUTION))
@pytest.mark.parametrize("role", ACTORS)
def test_contribution(shared_client, exchange, role, target):
    w = exchange
    org = getattr(w, target)
    school = w.school if target == "enterprise" else w.other_school
    response = shared_client.get(f"/api/v1/organisations/{org.id}/contribution",
                                 query_string={"year": 2025}, headers=_headers(w, role))
    _check(response, CONTRIBUTION[target][role],
           lambda body: [(r["month"], r["school_id"], r["hours_booked"]) for r in body["rows"]]
           == [("2025-03", school.id, 2.0)])


CONFIRM = {
    "enterprise": expect(ROLE, admin=(201, None), other_admin=HIDDEN),
    "other_enterprise": expect(ROLE, other_admin=(201, None), admin=HIDDEN),
}


@pytest.mark.parametrize("target", sorted(CONFIRM))
@pytest.mark.parametrize("role", ACTORS)
def test_confirm(shared_client, exchange, role, target):
    w = exchange
    org = getattr(w, target)
    response = shared_client.post(f"/api/v1/organisations/{org.id}/contribution/confirmations",
                                  json={"month": "2025-03"}, headers=_headers(w, role))
    _check(response, CONFIRM[target][role],
           lambda body: body["enterprise_id"] == org.id and body["month"] == "2025-03"
           and body["confirmed_by_id"] == w.users[role].id)
