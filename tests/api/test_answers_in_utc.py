"""One rule for instants in answers: UTC, whatever offset the client wrote, with the item's zone
beside them; refusals name instants as the item's wall time with its offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _utc(text: str) -> bool:
    return text.endswith("+00:00")


@pytest.mark.slow
def test_every_answer_gives_instants_in_utc(client, make, world, session):
    base = make.open_base(world.school)
    lathe = make.equipment(base, world.category, world.school)
    session.commit()
    start = (datetime.now(SHANGHAI) + timedelta(days=2)).replace(hour=10, minute=0, second=0,
                                                                microsecond=0)
    span = {"equipment_id": lathe.id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat()}
    booked = client.post("/api/v1/reservations", headers=world.headers("instructor"), json=span)
    assert booked.status_code == 201, booked.get_json()
    assert _utc(booked.get_json()["starts_at"]) and _utc(booked.get_json()["ends_at"])
    joined = client.post("/api/v1/waitlist", headers=world.headers("student"), json=span)
    assert joined.status_code == 201, joined.get_json()
    listed = client.get("/api/v1/waitlist", headers=world.headers("student")).get_json()
    [entry] = [e for e in listed["items"] if e["id"] == joined.get_json()["id"]]
    assert (joined.get_json()["starts_at"], joined.get_json()["ends_at"]) \
        == (entry["starts_at"], entry["ends_at"])
    assert _utc(entry["starts_at"]) and _utc(entry["ends_at"])
    seen = client.get(f"/api/v1/equipment/{lathe.id}/availability",
                      headers=world.headers("student"),
                      query_string={"from": start.isoformat(),
                                    "to": (start + timedelta(hours=3)).isoformat()}).get_json()
    assert _utc(seen["from"]) and _utc(seen["to"])
    assert all(_utc(s["starts_at"]) for s in seen["free"] + seen["busy"])


ZONE = "Asia/Shanghai"


def _day_after_tomorrow(hour: int) -> datetime:
    return (datetime.now(SHANGHAI) + timedelta(days=2)).replace(hour=hour, minute=0, second=0,
                                                               microsecond=0)


def _span(item, start: datetime, hours: int = 1) -> dict:
    return {"equipment_id": item.id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=hours)).isoformat()}


@pytest.fixture
def lathe(make, world, session):
    """A school's lathe at a Shanghai base open every day 06:00-22:00."""
    item = make.equipment(make.open_base(world.school), world.category, world.school)
    session.commit()
    return item


def test_a_taken_slot_is_refused_in_the_items_wall_time_with_its_offset(client, world, lathe):
    start = _day_after_tomorrow(10)
    booked = client.post("/api/v1/reservations", headers=world.headers("instructor"),
                         json=_span(lathe, start))
    assert booked.status_code == 201 and booked.get_json()["timezone"] == ZONE
    assert _utc(booked.get_json()["starts_at"])
    refused = client.post("/api/v1/reservations", headers=world.headers("student"),
                          json=_span(lathe, start))
    body = assert_problem(refused, 409, "reservation_conflict")
    assert body["detail"] == (f"The item is booked from {start:%Y-%m-%d} 10:00 (UTC+08:00) to "
                              "11:00 (UTC+08:00) (free again at 11:00 (UTC+08:00)).")
    assert body["timezone"] == ZONE
    assert _utc(body["conflicting_span"]["starts_at"]), "members keep their instants in UTC"


def test_check_in_out_of_its_window_names_the_window_in_local_time(client, world, lathe):
    start = _day_after_tomorrow(10)
    booked = client.post("/api/v1/reservations", headers=world.headers("student"),
                         json=_span(lathe, start)).get_json()
    early = client.post(f"/api/v1/reservations/{booked['id']}/check-in",
                        headers=world.headers("student"))
    body = assert_problem(early, 409, "outside_check_in_window")
    assert body["detail"] == (f"Check-in is open from {start:%Y-%m-%d} 09:45 (UTC+08:00) to "
                              "10:15 (UTC+08:00).")
    assert (body["timezone"], body["opens_at"]) == (
        ZONE, (start - timedelta(minutes=15)).astimezone(UTC).isoformat())


def test_blackouts_are_refused_and_listed_with_the_items_zone(client, world, lathe):
    start = _day_after_tomorrow(10)
    booked = client.post("/api/v1/reservations", headers=world.headers("student"),
                         json=_span(lathe, start)).get_json()
    url = f"/api/v1/equipment/{lathe.id}/blackouts"
    over = client.post(url, headers=world.headers("admin"), json={
        "starts_at": (start - timedelta(hours=1)).isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(), "reason": "service"})
    body = assert_problem(over, 409, "blackout_conflict")
    assert f"the first {start:%Y-%m-%d} 10:00 (UTC+08:00) to 11:00 (UTC+08:00);" in body["detail"]
    assert body["timezone"] == ZONE
    assert [r["reservation_id"] for r in body["conflicting_reservations"]] == [booked["id"]]
    later = _day_after_tomorrow(14)
    placed = client.post(url, headers=world.headers("admin"), json={
        "starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat(),
        "reason": "calibration"})
    assert placed.status_code == 201 and placed.get_json()["timezone"] == ZONE
    listed = client.get(url, headers=world.headers("student")).get_json()
    assert [b["timezone"] for b in listed["items"]] == [ZONE]
    refused = client.post("/api/v1/reservations", headers=world.headers("student"),
                          json=_span(lathe, later))
    body = assert_problem(refused, 409, "equipment_blacked_out")
    assert body["detail"] == (f"Blacked out from {later:%Y-%m-%d} 14:00 (UTC+08:00) to "
                              "15:00 (UTC+08:00): calibration")
    assert body["timezone"] == ZONE and _utc(body["conflicting_span"]["ends_at"])


def test_waitlist_entries_series_and_reservation_lists_name_the_items_zone(client, world,
                                                                            lathe):
    start = _day_after_tomorrow(10)
    client.post("/api/v1/reservations", headers=world.headers("instructor"),
                json=_span(lathe, start))
    joined = client.post("/api/v1/waitlist", headers=world.headers("student"),
                         json=_span(lathe, start))
    assert joined.status_code == 201 and joined.get_json()["timezone"] == ZONE
    series = client.post("/api/v1/series", headers=world.headers("instructor"), json={
        "equipment_id": lathe.id, "weekdays": [(start + timedelta(days=7)).isoweekday()],
        "start_time": "15:00", "duration_minutes": 60,
        "starts_on": (start + timedelta(days=7)).date().isoformat(), "count": 1})
    assert series.status_code == 201, series.get_json()
    assert series.get_json()["series"]["timezone"] == ZONE
    assert [r["timezone"] for r in series.get_json()["reservations"]] == [ZONE]
    listed = client.get("/api/v1/reservations", headers=world.headers("instructor"),
                        query_string={"equipment_id": lathe.id}).get_json()
    assert {r["timezone"] for r in listed["items"]} == {ZONE}
