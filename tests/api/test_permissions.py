"""The permission matrix of PRODUCT.md section 1, endpoint by endpoint and role by role."""

from __future__ import annotations

import pytest

ROLES = ("anonymous", "student", "instructor", "enterprise_staff", "admin")


def everyone(status):
    return {"anonymous": 401, "student": status, "instructor": status,
            "enterprise_staff": status, "admin": status}


def only(allowed: dict, denied: int = 403):
    return {"anonymous": 401, **{r: denied for r in ROLES[1:]}, **allowed}


# (method, path template, body builder, expected status per role)
CASES = [
    ("GET", "/api/v1/me", None, everyone(200)),
    ("GET", "/api/v1/organisations", None, everyone(200)),
    ("POST", "/api/v1/organisations", lambda w: {"name": "Acme", "kind": "enterprise"},
     only({"admin": 201})),
    ("GET", "/api/v1/organisations/{enterprise}", None, everyone(200)),
    ("PATCH", "/api/v1/organisations/{enterprise}", lambda w: {"description": "Partner"},
     only({"admin": 200})),
    ("DELETE", "/api/v1/organisations/{enterprise}", None, only({"admin": 409})),
    ("GET", "/api/v1/users", None, everyone(200)),
    ("POST", "/api/v1/users", lambda w: {
        "organisation_id": w.school.id, "email": "someone@test.example", "full_name": "S",
        "role": "student", "password": "long enough pw"}, only({"admin": 201})),
    ("GET", "/api/v1/users/{student}", None,
     {"anonymous": 401, "student": 200, "instructor": 200, "enterprise_staff": 404,
      "admin": 200}),
    ("PATCH", "/api/v1/users/{student}", lambda w: {"full_name": "Renamed"},
     only({"admin": 200})),
    ("DELETE", "/api/v1/users/{student}", None,
     {"anonymous": 401, "student": 403, "instructor": 403, "enterprise_staff": 404,
      "admin": 200}),
    ("GET", "/api/v1/training-bases", None, everyone(200)),
    ("POST", "/api/v1/training-bases", lambda w: {
        "name": "New base", "kind": "campus", "organisation_id": w.school.id,
        "timezone": "Asia/Shanghai"}, only({"admin": 201})),
    ("GET", "/api/v1/training-bases/{base}", None, everyone(200)),
    ("PATCH", "/api/v1/training-bases/{base}", lambda w: {"address": "Gate 2"},
     only({"admin": 200})),
    ("DELETE", "/api/v1/training-bases/{base}", None, only({"admin": 409})),
    ("GET", "/api/v1/training-bases/{base}/closures", None, everyone(200)),
    ("POST", "/api/v1/training-bases/{base}/closures", lambda w: {
        "starts_on": "2027-05-01", "ends_on": "2027-05-05", "reason": "Labour Day"},
     only({"admin": 201})),
    ("GET", "/api/v1/equipment-categories", None, everyone(200)),
    ("POST", "/api/v1/equipment-categories", lambda w: {"code": "lasers", "name": "Lasers"},
     only({"admin": 201})),
    ("PATCH", "/api/v1/equipment-categories/{category}", lambda w: {"description": "d"},
     only({"admin": 200})),
    ("GET", "/api/v1/equipment", None, everyone(200)),
    ("GET", "/api/v1/equipment/{equipment}", None, everyone(200)),
    ("POST", "/api/v1/equipment", lambda w: {
        "name": "Cobot", "asset_tag": "COB-1", "base_id": w.enterprise_base.id,
        "category_id": w.category.id}, only({"admin": 201, "enterprise_staff": 201})),
    ("PATCH", "/api/v1/equipment/{enterprise_equipment}", lambda w: {"status": "maintenance"},
     only({"admin": 200, "enterprise_staff": 200})),
    ("PATCH", "/api/v1/equipment/{equipment}", lambda w: {"status": "maintenance"},
     only({"admin": 200})),
    ("DELETE", "/api/v1/equipment/{equipment}", None, only({"admin": 204})),
    ("DELETE", "/api/v1/equipment/{enterprise_equipment}", None,
     only({"admin": 204, "enterprise_staff": 204})),
    ("GET", "/api/v1/qualifications", None,
     {"anonymous": 401, "student": 200, "instructor": 200, "enterprise_staff": 403,
      "admin": 200}),
    ("POST", "/api/v1/qualifications", lambda w: {
        "user_id": w.users["student"].id, "category_id": w.category.id},
     only({"instructor": 201, "admin": 201})),
]


def _path(template: str, world) -> str:
    return template.format(
        enterprise=world.enterprise.id, student=world.users["student"].id,
        base=world.base.id, category=world.category.id, equipment=world.equipment.id,
        enterprise_equipment=world.enterprise_equipment.id)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, template, body, expected", CASES,
                         ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_permission_matrix(client, world, role, method, template, body, expected):
    headers = {} if role == "anonymous" else world.headers(role)
    response = client.open(_path(template, world), method=method, headers=headers,
                           json=body(world) if body else None)
    assert response.status_code == expected[role], response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == response.status_code
