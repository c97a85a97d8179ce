"""Classes and quotas per category in the tenancy matrix: every actor x school A's and school
B's classes, and each organisation's quotas. Two schools probing each other see nothing of
the other's classes (404); only a school's admins change its classes."""

from __future__ import annotations

import pytest

from service.classes.models import ClassMember, SchoolClass
from service.reservations.quotas import put_quota

from .tenancy import ACTORS, HIDDEN, NOT_ORG, ROLE, expect


@pytest.fixture(scope="module")
def classes(shared_make, shared_session):
    """School A's class holding its student, school B's holding its student, and a CNC-like
    quota on school A's students (built once, each case rolled back after it)."""
    world = shared_make.world()
    for key, school, student in (("a", world.school, "student"),
                                 ("b", world.other_school, "other_student")):
        school_class = SchoolClass(organisation_id=school.id, name=f"Class {key}")
        shared_session.add(school_class)
        shared_session.flush()
        shared_session.add(ClassMember(class_id=school_class.id,
                                       user_id=world.users[student].id))
        world.extra[key] = school_class.id
    put_quota(shared_session, organisation_id=world.school.id, role="student", weekly_hours=4,
              active_reservations=None, category_id=world.category.id)
    shared_session.commit()
    return world


SEES_A = ("student", "instructor", "admin")
SEES_B = ("other_student", "other_admin")
NOBODY = ("enterprise_staff", "manager", "other_staff", "other_manager", "operator")


def _listed(world, role):
    if role in SEES_A:
        return ["Class a"]
    if role in SEES_B:
        return ["Class b"]
    return []


def _ok(statuses, **per_role):
    return expect(HIDDEN, **{role: (200, None) for role in statuses}, **per_role)


A_ADMIN_WRITE = expect(HIDDEN, admin=(200, None), student=ROLE, instructor=ROLE)

CASES = {
    "read class a": ("GET", "/classes/{a}", None, _ok(SEES_A)),
    "read class b": ("GET", "/classes/{b}", None, _ok(SEES_B)),
    "class a practice": ("GET", "/classes/{a}/practice?from=2027-03-01&to=2027-03-08", None,
                         _ok(SEES_A)),
    "class b practice": ("GET", "/classes/{b}/practice?from=2027-03-01&to=2027-03-08", None,
                         _ok(SEES_B)),
    "rename class a": ("PATCH", "/classes/{a}", {"name": "Renamed"}, A_ADMIN_WRITE),
    "rename class b": ("PATCH", "/classes/{b}", {"name": "Renamed"},
                       expect(HIDDEN, other_admin=(200, None), other_student=ROLE)),
    "members of class a": ("PUT", "/classes/{a}/members", {"user_ids": []}, A_ADMIN_WRITE),
    "delete class a": ("DELETE", "/classes/{a}", None,
                       expect(HIDDEN, admin=(204, None), student=ROLE, instructor=ROLE)),
    "create a class": ("POST", "/classes", {"name": "New class"},
                       expect(ROLE, admin=(201, None), other_admin=(201, None))),
    "school quota on a category": (
        "PUT", "/organisations/{school}/quotas/student?category={category}",
        {"weekly_hours": 2, "active_reservations": None},
        expect(ROLE, admin=(200, None), other_admin=NOT_ORG)),
    "remove a school's category quota": (
        "DELETE", "/organisations/{school}/quotas/student?category={category}", None,
        expect(ROLE, admin=(204, None), other_admin=NOT_ORG)),
    "enterprise staff quota": (
        "PUT", "/organisations/{enterprise}/quotas/enterprise_staff?category={category}",
        {"weekly_hours": 2, "active_reservations": None},
        expect(ROLE, manager=(200, None), other_manager=NOT_ORG)),
    "read an enterprise's quotas": (
        "GET", "/organisations/{enterprise}/quotas", None,
        expect(HIDDEN, enterprise_staff=(200, None), manager=(200, None))),
}


def _url(world, template):
    return "/api/v1" + template.format(
        a=world.extra["a"], b=world.extra["b"], school=world.school.id,
        enterprise=world.enterprise.id, category=world.category.code)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("role", ACTORS)
def test_classes_and_quotas_by_actor(shared_client, classes, role, case):
    method, template, body, expected = CASES[case]
    headers = {} if role == "anonymous" else classes.headers(role)
    response = shared_client.open(_url(classes, template), method=method, json=body,
                                  headers=headers)
    status, code = expected[role]
    assert response.status_code == status, response.get_data(as_text=True)
    if code:
        assert response.get_json()["code"] == code
    elif status == 200 and template.startswith("/classes/{"):
        assert response.get_json()["class_id" if "practice" in template else "id"] in (
            classes.extra["a"], classes.extra["b"])


@pytest.mark.parametrize("role", [r for r in ACTORS if r != "anonymous"])
def test_each_actor_lists_only_the_classes_of_their_own_school(shared_client, classes, role):
    response = shared_client.get("/api/v1/classes", headers=classes.headers(role))
    assert response.status_code == 200
    assert [c["name"] for c in response.get_json()["items"]] == _listed(classes, role)


def test_a_student_sees_only_themselves_among_the_members(shared_client, classes):
    body = shared_client.get(f"/api/v1/classes/{classes.extra['a']}",
                             headers=classes.headers("student")).get_json()
    assert [m["id"] for m in body["members"]] == [classes.users["student"].id]
