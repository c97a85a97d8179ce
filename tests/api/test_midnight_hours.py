"""Opening hours and offer spans to 24:00 over HTTP: written and answered as "24:00", counted
to the next local midnight by availability, booking and free search (issue 10, finding 2)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.calendar.wallclock import END_OF_DAY, at_local

from .problems import assert_problem

BERLIN = "Europe/Berlin"
ALL_DAY = [{"weekday": d, "opens": "00:00", "closes": "24:00"} for d in range(1, 8)]


def _days_ahead(days: int) -> date:
    return datetime.now(ZoneInfo(BERLIN)).date() + timedelta(days=days)


def _midnight(day: date) -> datetime:
    return at_local(day, time(0), BERLIN)


def _next_day_lasting(hours: int) -> date:
    """The next local day, two days ahead at least, that lasts `hours` hours in Berlin (23:
    clocks go forward, 25: they go back)."""
    day = _days_ahead(2)
    while _midnight(day + timedelta(days=1)) - _midnight(day) != timedelta(hours=hours):
        day += timedelta(days=1)
    return day


def _hours(spans) -> float:
    return sum((datetime.fromisoformat(s["ends_at"]) - datetime.fromisoformat(s["starts_at"]))
               .total_seconds() for s in spans) / 3600


@pytest.fixture
def all_day(make, world, session):
    """A Berlin base open 00:00-24:00 every day, an item bookable 400 days ahead, no buffer."""
    base = make.base(world.school, timezone=BERLIN, opening_hours=[
        {"weekday": d, "opens": time(0), "closes": END_OF_DAY} for d in range(1, 8)])
    item = make.equipment(base, world.category, world.school, slot_minutes=30,
                          min_duration_minutes=30, max_duration_minutes=360,
                          setup_buffer_minutes=0, booking_horizon_days=400)
    session.commit()
    return base, item


def _new_base(client, world, hours, name="Night shift workshop"):
    return client.post("/api/v1/training-bases", headers=world.headers("admin"), json={
        "name": name, "kind": "campus", "organisation_id": world.school.id,
        "timezone": BERLIN, "opening_hours": hours})


def test_a_base_open_round_the_clock_is_written_and_answered_with_24_00(client, world):
    response = _new_base(client, world, ALL_DAY)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["opening_hours"] == ALL_DAY
    fetched = client.get(f"/api/v1/training-bases/{response.get_json()['id']}",
                         headers=world.headers("admin"))
    assert fetched.get_json()["opening_hours"] == ALL_DAY


def test_replacing_the_week_with_late_hours_answers_what_a_get_shows(client, world):
    week = [{"weekday": 5, "opens": "16:00", "closes": "24:00"},
            {"weekday": 6, "opens": "00:00", "closes": "02:00"}]
    url = f"/api/v1/training-bases/{world.base.id}"
    response = client.patch(url, headers=world.headers("admin"), json={"opening_hours": week})
    assert response.status_code == 200, response.get_json()
    [change] = response.get_json()["opening_hours_changes"]
    assert change["opening_hours"] == week
    on = client.get(f"{url}?on={change['effective_from']}", headers=world.headers("admin"))
    assert on.get_json()["opening_hours"] == week


@pytest.mark.parametrize("span, field", [
    ({"weekday": 1, "opens": "08:00", "closes": "24:01"}, "closes"),
    ({"weekday": 1, "opens": "08:00", "closes": "25:00"}, "closes"),
    ({"weekday": 1, "opens": "08:00", "closes": "00:00"}, "closes"),
    ({"weekday": 1, "opens": "24:00", "closes": "24:00"}, "opens"),
])
def test_times_past_midnight_or_an_opening_at_24_are_422_on_the_field(client, world, span,
                                                                       field):
    body = assert_problem(_new_base(client, world, [span]), 422, "validation_error")
    assert list(body["errors"]) == ["opening_hours"]
    assert list(body["errors"]["opening_hours"]["0"]) == [field], body


def test_a_span_overlapping_one_that_closes_at_24_is_422(client, world):
    body = assert_problem(_new_base(client, world, [
        {"weekday": 1, "opens": "20:00", "closes": "24:00"},
        {"weekday": 1, "opens": "22:00", "closes": "23:00"}]), 422, "invalid_opening_hours")
    assert "opening_hours" in body["errors"]


@pytest.mark.parametrize("hours", [24, 23, 25])
def test_availability_of_a_round_the_clock_day_is_the_whole_day(client, world, all_day,
                                                                hours):
    _, item = all_day
    day = _next_day_lasting(hours)
    start, end = _midnight(day), _midnight(day + timedelta(days=1))
    response = client.get(f"/api/v1/equipment/{item.id}/availability",
                          headers=world.headers("student"),
                          query_string={"from": start.isoformat(), "to": end.isoformat()})
    assert response.status_code == 200, response.get_json()
    free = response.get_json()["free"]
    assert [(s["starts_at"], s["ends_at"]) for s in free] == [
        (start.isoformat(), end.isoformat())]
    assert _hours(free) == hours


def _book(client, world, item, start, end):
    return client.post("/api/v1/reservations", headers=world.headers("student"), json={
        "equipment_id": item.id, "starts_at": start.isoformat(), "ends_at": end.isoformat()})


def test_bookings_to_midnight_and_across_it_are_201(client, world, all_day):
    _, item = all_day
    day = _days_ahead(3)
    late = _book(client, world, item, at_local(day, time(22), BERLIN),
                 _midnight(day + timedelta(days=1)))
    assert late.status_code == 201, late.get_json()
    next_day = day + timedelta(days=1)
    across = _book(client, world, item, at_local(next_day, time(23), BERLIN),
                   at_local(next_day + timedelta(days=1), time(1), BERLIN))
    assert across.status_code == 201, across.get_json()
    assert across.get_json()["status"] == "confirmed"


def test_free_search_across_midnight_lists_the_round_the_clock_item(client, make, world,
                                                                   all_day, session):
    _, item = all_day
    evening = make.base(world.school, timezone=BERLIN, opening_hours=[
        {"weekday": d, "opens": time(8), "closes": time(23)} for d in range(1, 8)])
    closes_at_23 = make.equipment(evening, world.category, world.school,
                                  booking_horizon_days=400)
    session.commit()
    day = _days_ahead(3)
    start = at_local(day, time(23), BERLIN)
    response = client.get("/api/v1/equipment", headers=world.headers("student"), query_string={
        "free_from": start.isoformat(), "free_to": (start + timedelta(hours=2)).isoformat(),
        "page_size": 100})
    assert response.status_code == 200, response.get_json()
    found = {i["id"] for i in response.get_json()["items"]}
    assert item.id in found
    assert closes_at_23.id not in found


def test_an_offer_span_closing_at_24_is_written_and_answered_with_24_00(client, make, world,
                                                                        session):
    base = make.base(world.enterprise, kind="enterprise", timezone=BERLIN, opening_hours=[
        {"weekday": d, "opens": time(0), "closes": END_OF_DAY} for d in range(1, 8)])
    item = make.equipment(base, world.category, world.enterprise)
    session.commit()
    spans = [{"weekday": 5, "opens": "18:00", "closes": "24:00"},
             {"weekday": 6, "opens": "00:00", "closes": "06:00"}]
    response = client.post("/api/v1/offers", headers=world.headers("enterprise_staff"), json={
        "school_id": world.school.id, "items": [{"equipment_id": item.id}],
        "windows": [{"starts_on": _days_ahead(7).isoformat(),
                     "ends_on": _days_ahead(35).isoformat(), "spans": spans}],
        "weekly_hours_budget": 10, "withdrawal_notice_days": 0,
        "asks_back": "outcome_per_session"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["windows"][0]["spans"] == spans
    fetched = client.get(f"/api/v1/offers/{response.get_json()['id']}",
                         headers=world.headers("enterprise_staff"))
    assert fetched.get_json()["windows"][0]["spans"] == spans


def test_an_offer_span_closing_after_24_is_422_on_the_field(client, make, world, session):
    response = client.post("/api/v1/offers", headers=world.headers("enterprise_staff"), json={
        "school_id": world.school.id,
        "items": [{"equipment_id": world.enterprise_equipment.id}],
        "windows": [{"starts_on": _days_ahead(7).isoformat(),
                     "ends_on": _days_ahead(35).isoformat(),
                     "spans": [{"weekday": 5, "opens": "18:00", "closes": "24:30"}]}],
        "weekly_hours_budget": 10, "withdrawal_notice_days": 0,
        "asks_back": "outcome_per_session"})
    body = assert_problem(response, 422, "validation_error")
    assert "closes" in body["errors"]["windows"]["0"]["spans"]["0"], body
