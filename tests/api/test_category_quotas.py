"""Quotas per role and per category: 4 hours a week on CNC for students refuses the fifth
hour and leaves other categories alone; instructors and an enterprise's staff get quotas
too; the quota on every category keeps working as before."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _monday(hour: int, weeks_ahead: int = 1) -> datetime:
    today = datetime.now(SHANGHAI).replace(minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)
    return monday.replace(hour=hour)


def _book(client, world, role, item, start, hours=1):
    return client.post("/api/v1/reservations", headers=world.headers(role), json={
        "equipment_id": item.id, "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat()})


@pytest.fixture
def workshop(make, world, session):
    """Two CNC machines and a welding bench at school A, open every day 06:00-22:00."""
    base = make.open_base(world.school)
    cnc = make.category(code="cnc-q", name="CNC machining")
    welding = make.category(code="weld-q", name="Welding")
    world.extra.update(
        cnc=cnc, cnc1=make.equipment(base, cnc, world.school, max_duration_minutes=600),
        cnc2=make.equipment(base, cnc, world.school, max_duration_minutes=600),
        bench=make.equipment(base, welding, world.school, max_duration_minutes=600))
    session.commit()
    return world


def _set(client, world, role_path, body, category=None, actor="admin", org=None):
    org = org or world.school
    return client.put(f"/api/v1/organisations/{org.id}/quotas/{role_path}",
                      headers=world.headers(actor), json=body,
                      query_string={"category": category} if category else None)


def test_a_category_quota_of_4_hours_refuses_the_fifth_hour_of_cnc_only(client, workshop):
    w = workshop
    set_ = _set(client, w, "student", {"weekly_hours": 4, "active_reservations": None},
                category="cnc-q")
    assert set_.status_code == 200, set_.get_json()
    assert set_.get_json() == {"organisation_id": w.school.id, "role": "student",
                               "category": {"id": w.extra["cnc"].id, "code": "cnc-q",
                                            "name": "CNC machining"},
                               "weekly_hours": 4, "active_reservations": None}
    assert _book(client, w, "student", w.extra["cnc1"], _monday(8), hours=3).status_code == 201
    assert _book(client, w, "student", w.extra["cnc2"], _monday(12)).status_code == 201
    fifth = _book(client, w, "student", w.extra["cnc1"], _monday(14))
    body = assert_problem(fifth, 409, "quota_exceeded")
    assert body["category"] == {"id": w.extra["cnc"].id, "code": "cnc-q",
                                "name": "CNC machining"}
    assert (body["quota"], body["limit"], body["booked_hours"]) == ("weekly_hours", 4, 4.0)
    assert "CNC machining" in body["detail"]
    # Welding is not limited by it, and the next week's CNC hours are free again.
    assert _book(client, w, "student", w.extra["bench"], _monday(8), hours=6).status_code == 201
    assert _book(client, w, "student", w.extra["cnc1"], _monday(8, 2)).status_code == 201
    # Instructors are not bound by the students' quota.
    assert _book(client, w, "instructor", w.extra["cnc2"], _monday(14)).status_code == 201


def test_the_quota_on_every_category_and_the_category_quota_both_apply(client, workshop):
    w = workshop
    old_call = _set(client, w, "student", {"weekly_hours": 5, "active_reservations": None})
    assert old_call.status_code == 200 and old_call.get_json()["category"] is None
    _set(client, w, "student", {"weekly_hours": 2, "active_reservations": None},
         category="cnc-q")
    assert _book(client, w, "student", w.extra["cnc1"], _monday(8), hours=2).status_code == 201
    assert_problem(_book(client, w, "student", w.extra["cnc1"], _monday(12)), 409,
                   "quota_exceeded")
    assert _book(client, w, "student", w.extra["bench"], _monday(8), hours=3).status_code == 201
    every = assert_problem(_book(client, w, "student", w.extra["bench"], _monday(14)), 409,
                           "quota_exceeded")
    assert "category" not in every and every["limit"] == 5
    listed = client.get(f"/api/v1/organisations/{w.school.id}/quotas",
                        headers=w.headers("instructor")).get_json()["items"]
    assert [(q["role"], q["category"] and q["category"]["code"]) for q in listed] == [
        ("student", None), ("student", "cnc-q")]
    removed = client.delete(f"/api/v1/organisations/{w.school.id}/quotas/student",
                            headers=w.headers("admin"), query_string={"category": "cnc-q"})
    assert removed.status_code == 204
    # Left: the quota on every category, which the week's 5 hours have reached.
    after = assert_problem(_book(client, w, "student", w.extra["cnc1"], _monday(12)), 409,
                           "quota_exceeded")
    assert "category" not in after and after["limit"] == 5
    again = client.delete(f"/api/v1/organisations/{w.school.id}/quotas/student",
                          headers=w.headers("admin"), query_string={"category": "cnc-q"})
    assert_problem(again, 404, "not_found")


def test_instructors_get_quotas_now(client, workshop):
    w = workshop
    _set(client, w, "instructor", {"weekly_hours": None, "active_reservations": 1},
         category="cnc-q")
    assert _book(client, w, "instructor", w.extra["cnc1"], _monday(8)).status_code == 201
    body = assert_problem(_book(client, w, "instructor", w.extra["cnc2"], _monday(12)), 409,
                          "quota_exceeded")
    assert (body["quota"], body["category"]["code"]) == ("active_reservations", "cnc-q")


def test_an_enterprise_manager_limits_its_staffs_bookings_of_its_own_equipment(
        client, make, world, session):
    base = make.open_base(world.enterprise, kind="enterprise")
    press = make.equipment(base, world.category, world.enterprise)
    session.commit()
    by_staff = _set(client, world, "enterprise_staff", {"weekly_hours": 1,
                                                       "active_reservations": None},
                    actor="enterprise_staff", org=world.enterprise)
    assert_problem(by_staff, 403, "role_not_allowed")
    for_students = _set(client, world, "student", {"weekly_hours": 1,
                                                   "active_reservations": None},
                        actor="manager", org=world.enterprise)
    assert_problem(for_students, 403, "role_not_allowed")
    set_ = _set(client, world, "enterprise_staff", {"weekly_hours": 1,
                                                    "active_reservations": None},
                category=world.category.code, actor="manager", org=world.enterprise)
    assert set_.status_code == 200, set_.get_json()
    assert _book(client, world, "enterprise_staff", press, _monday(8)).status_code == 201
    assert_problem(_book(client, world, "enterprise_staff", press, _monday(10)), 409,
                   "quota_exceeded")


def test_quota_refusals_name_the_field_at_fault(client, workshop):
    w = workshop
    unknown = _set(client, w, "student", {"weekly_hours": 1, "active_reservations": None},
                   category="no-such")
    assert assert_problem(unknown, 422, "unknown_category")["errors"] == {
        "category": ["Unknown category."]}
    bad = _set(client, w, "student", {"weekly_hours": 1, "active_reservations": None},
               category="Not A Code")
    assert list(assert_problem(bad, 422, "validation_error")["errors"]) == ["category"]
    school_role = _set(client, w, "enterprise_staff", {"weekly_hours": 1,
                                                       "active_reservations": None})
    assert_problem(school_role, 403, "role_not_allowed")
