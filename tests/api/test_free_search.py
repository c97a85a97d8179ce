"""Finding free equipment lists only what the caller could book for that span right now: the
item's grid, durations, horizon and qualification count (issue 10, finding 3)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.catalogue.qualifications import register_qualification

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _in_two_days(hour: int, minute: int = 0) -> datetime:
    return (datetime.now(SHANGHAI) + timedelta(days=2)).replace(
        hour=hour, minute=minute, second=0, microsecond=0)


@pytest.fixture
def shelf(make, world, session):
    base = make.open_base(world.school)  # every day 06:00-22:00, Shanghai
    items = {
        "plain": make.equipment(base, world.category, world.school, slot_minutes=30),
        "long": make.equipment(base, world.category, world.school, slot_minutes=30,
                               min_duration_minutes=120, max_duration_minutes=240),
        "hourly": make.equipment(base, world.category, world.school, slot_minutes=60),
        "near": make.equipment(base, world.category, world.school, slot_minutes=30,
                               booking_horizon_days=1),  # the span is 2 days ahead
        "gated": make.equipment(base, world.category, world.school, slot_minutes=30,
                                requires_qualification=True),
    }
    session.commit()
    return base, items


def _found(client, world, role, base, start, end) -> set[int]:
    response = client.get("/api/v1/equipment", headers=world.headers(role), query_string={
        "free_from": start.isoformat(), "free_to": end.isoformat(), "base_id": base.id,
        "page_size": 100})
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


def _names(items, found) -> set[str]:
    return {name for name, item in items.items() if item.id in found}


def test_only_items_whose_rules_take_the_span_are_listed(client, world, shelf):
    base, items = shelf
    one_hour = _found(client, world, "student", base, _in_two_days(14), _in_two_days(15))
    assert _names(items, one_hour) == {"plain", "hourly"}
    off_the_hour = _found(client, world, "student", base, _in_two_days(14, 30),
                          _in_two_days(15, 30))
    assert _names(items, off_the_hour) == {"plain"}
    two_hours = _found(client, world, "student", base, _in_two_days(14), _in_two_days(16))
    assert _names(items, two_hours) == {"plain", "long", "hourly"}


def test_every_listed_item_can_really_be_booked_for_the_span(client, world, shelf):
    base, items = shelf
    start, end = _in_two_days(14, 30), _in_two_days(15, 30)
    for item_id in _found(client, world, "student", base, start, end):
        response = client.post("/api/v1/reservations", headers=world.headers("student"),
                               json={"equipment_id": item_id, "starts_at": start.isoformat(),
                                     "ends_at": end.isoformat()})
        assert response.status_code == 201, response.get_json()


def test_qualification_only_items_are_listed_for_those_qualified(client, world, shelf,
                                                                 session):
    base, items = shelf
    start, end = _in_two_days(14), _in_two_days(15)
    assert "gated" not in _names(items, _found(client, world, "student", base, start, end))
    assert "gated" in _names(items, _found(client, world, "admin", base, start, end))
    register_qualification(session, holder=world.users["student"],
                           category_id=world.category.id, granted_by=world.users["instructor"])
    session.commit()
    assert "gated" in _names(items, _found(client, world, "student", base, start, end))


def test_a_span_that_has_begun_lists_nothing(client, world, shelf):
    base, _ = shelf
    now = datetime.now(SHANGHAI).replace(second=0, microsecond=0)
    start = now.replace(minute=now.minute // 30 * 30) - timedelta(hours=1)
    assert _found(client, world, "student", base, start, start + timedelta(hours=2)) == set()
