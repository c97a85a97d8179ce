"""The tenancy matrix of imports: every actor uploading a roster or an inventory into their own
organisation, another's, the platform's and none. People go in through the organisation's
admin (school) or manager (enterprise) only; equipment through whoever lists the
organisation's equipment (a school's admins, an enterprise's staff), as POST /equipment."""

from __future__ import annotations

import pytest

from .rosters import EQUIPMENT_HEADER, PEOPLE_HEADER, csv_bytes, upload
from .tenancy import ACTORS, HIDDEN, NOT_ORG, ROLE, expect


def people_file(w):
    return csv_bytes(PEOPLE_HEADER, [["new.person@tenancy.example", "New Person",
                                      "student" if w["kind"] == "school" else
                                      "enterprise_staff", "", "", ""]])


def equipment_file(w):
    return csv_bytes(EQUIPMENT_HEADER, [["Press", "TENANCY-1", w["category"], w["base"], "",
                                         "", "", ""]])


CASES = [
    ("people", "school", expect(ROLE, admin=200, other_admin=NOT_ORG, manager=NOT_ORG,
                                other_manager=NOT_ORG)),
    ("people", "enterprise", expect(ROLE, manager=200, admin=NOT_ORG, other_admin=NOT_ORG,
                                    other_manager=NOT_ORG)),
    ("equipment", "school", expect(NOT_ORG, admin=200, student=ROLE, instructor=ROLE,
                                   other_student=ROLE, operator=ROLE)),
    ("equipment", "enterprise", expect(NOT_ORG, enterprise_staff=200, manager=200,
                                       student=ROLE, instructor=ROLE, other_student=ROLE,
                                       operator=ROLE)),
    ("people", "platform", expect(HIDDEN, operator=ROLE)),
    ("equipment", "platform", expect(HIDDEN, operator=ROLE)),
    ("people", "nowhere", expect(HIDDEN)),
]


@pytest.fixture(scope="module")
def import_world(shared_make, shared_session):
    """The tenancy world; each target organisation with a base of its own."""
    world = shared_make.world()
    platform = world.users["operator"].organisation_id
    world.extra["targets"] = {
        "school": {"id": world.school.id, "kind": "school", "base": world.base.name,
                   "category": world.category.code},
        "enterprise": {"id": world.enterprise.id, "kind": "enterprise",
                       "base": world.enterprise_base.name, "category": world.category.code},
        "platform": {"id": platform, "kind": "platform", "base": "-", "category": "-"},
        "nowhere": {"id": 2**62, "kind": "school", "base": "-", "category": "-"},
    }
    shared_session.commit()
    return world


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("kind, target, expected", CASES,
                         ids=[f"{kind} into {target}" for kind, target, _ in CASES])
def test_import_tenancy(shared_client, import_world, role, kind, target, expected):
    w = import_world
    into = w.extra["targets"][target]
    content = people_file(into) if kind == "people" else equipment_file(into)
    headers = {} if role == "anonymous" else w.headers(role)
    response = upload(shared_client, f"/api/v1/organisations/{into['id']}/imports/{kind}",
                      content, headers)
    body = response.get_json()
    status, code = expected[role]
    assert response.status_code == status, body
    if status >= 400:
        assert response.mimetype == "application/problem+json"
        if code is not None:
            assert body["code"] == code, body
    else:
        assert body["organisation_id"] == into["id"] and body["committed"] is False
        assert body["problems"] == [] and body["created"] == 1, body
