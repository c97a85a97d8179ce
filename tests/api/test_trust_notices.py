"""Over HTTP: approvers read of a request in their notifications, attendees of their class,
the holder of a revoked qualification of the bookings it puts at risk (issue 10, section 3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from service.catalogue.qualifications import register_qualification

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _slot(days=2, hour=10):
    start = (datetime.now(SHANGHAI) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=1)


def _notices(client, world, role, kind):
    answer = client.get(f"/api/v1/me/notifications?kind={kind}", headers=world.headers(role))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["items"]


def _book(client, world, role, item, start, end, **extra):
    answer = client.post("/api/v1/reservations", headers=world.headers(role), json={
        "equipment_id": item.id, "starts_at": start.isoformat(), "ends_at": end.isoformat(),
        **extra})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_approvers_read_of_a_request_with_the_deadline_and_its_offset(client, make, world,
                                                                    session):
    base = make.open_base(world.school)
    press = make.equipment(base, world.category, world.school, requires_approval=True)
    session.commit()
    start, end = _slot()
    request = _book(client, world, "student", press, start, end)
    assert request["status"] == "pending"
    for role in ("instructor", "admin"):
        [told] = _notices(client, world, role, "request_received")
        assert told["reservation_id"] == request["id"]
        assert f"by {start:%Y-%m-%d} 10:00 (UTC+08:00)" in told["body"]
    assert _notices(client, world, "student", "request_received") == []
    assert _notices(client, world, "other_admin", "request_received") == []


def test_an_attendee_reads_that_their_class_is_booked_then_cancelled(client, make, world,
                                                                    session, item):
    start, end = _slot()
    lesson = _book(client, world, "instructor", item, start, end,
                   attendees=[world.users["student"].id])
    [booked] = _notices(client, world, "student", "class_booked")
    assert booked["reservation_id"] == lesson["id"]
    assert f"{start:%Y-%m-%d} 10:00 (UTC+08:00) to 11:00 (UTC+08:00)" in booked["body"]
    cancelled = client.post(f"/api/v1/reservations/{lesson['id']}/cancel",
                            headers=world.headers("instructor"), json={"reason": "ill"})
    assert cancelled.status_code == 200, cancelled.get_json()
    [told] = _notices(client, world, "student", "class_cancelled")
    assert "Reason: ill" in told["body"]
    assert _notices(client, world, "instructor", "class_cancelled") == []


def test_revoking_a_qualification_tells_the_holder_which_bookings_are_at_risk(
        client, make, world, session):
    base = make.open_base(world.school)
    robot = make.equipment(base, world.category, world.school, requires_qualification=True)
    qualification = register_qualification(session, holder=world.users["student"],
                                           category_id=world.category.id,
                                           granted_by=world.users["admin"])
    session.commit()
    start, end = _slot()
    booked = _book(client, world, "student", robot, start, end)
    revoked = client.delete(f"/api/v1/qualifications/{qualification.id}",
                            headers=world.headers("instructor"))
    assert revoked.status_code == 200, revoked.get_json()
    [told] = _notices(client, world, "student", "qualification_revoked")
    assert [r["reservation_id"] for r in told["data"]["reservations"]] == [booked["id"]]
    assert f"{start:%Y-%m-%d} 10:00 (UTC+08:00) to 11:00 (UTC+08:00)" in told["body"]
    [warned] = _notices(client, world, "admin", "qualification_revoked")
    assert world.users["student"].full_name in warned["body"]
    # Told, not cancelled.
    again = client.get(f"/api/v1/reservations/{booked['id']}", headers=world.headers("student"))
    assert again.get_json()["status"] == "confirmed"
