"""A class on a qualification-only item: every attendee needs the qualification, and the
refusal names who lacks it (issue 10, finding 3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from service.catalogue.qualifications import register_qualification

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _slot():
    start = (datetime.now(SHANGHAI) + timedelta(days=2)).replace(hour=10, minute=0, second=0,
                                                                microsecond=0)
    return start.isoformat(), (start + timedelta(hours=1)).isoformat()


def test_every_attendee_must_hold_the_qualification(client, make, world, session):
    base = make.open_base(world.school)
    robot = make.equipment(base, world.category, world.school, requires_qualification=True,
                           max_attendees=4)
    qualified, unqualified = world.users["student"], make.user("student", world.school)
    for person in (world.users["instructor"], qualified):
        register_qualification(session, holder=person, category_id=world.category.id,
                               granted_by=world.users["admin"])
    session.commit()
    starts_at, ends_at = _slot()
    booking = {"equipment_id": robot.id, "starts_at": starts_at, "ends_at": ends_at,
               "attendees": [qualified.id, unqualified.id, world.users["admin"].id]}
    refused = client.post("/api/v1/reservations", headers=world.headers("instructor"),
                          json=booking)
    body = assert_problem(refused, 403, "qualification_required")
    assert body["unqualified_attendees"] == [unqualified.id]
    assert body["unqualified"] == [{"id": unqualified.id, "full_name": unqualified.full_name}]
    assert (body["category_id"], body["category_code"], body["category_name"]) == (
        world.category.id, world.category.code, world.category.name)
    # Whom to ask: the school's active instructors first, then its admins.
    assert body["granted_by"] == [
        {"id": u.id, "full_name": u.full_name, "role": u.role}
        for u in (world.users["instructor"], world.users["admin"])]
    assert list(body["errors"]) == ["attendees"]
    register_qualification(session, holder=unqualified, category_id=world.category.id,
                           granted_by=world.users["instructor"])
    session.commit()
    booked = client.post("/api/v1/reservations", headers=world.headers("instructor"),
                         json=booking)
    assert booked.status_code == 201, booked.get_json()
