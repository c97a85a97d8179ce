"""A change of an approved offer's terms takes effect from a day and never rewrites the days
before it: impact, the contribution statement, utilisation and the weekly budget of the past
stay as they were; days from the change use the new terms once the school approves them."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.calendar import wallclock
from service.db import utcnow
from service.offers.models import Offer

from .openapi_document import assert_documented
from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
API = "/api/v1/offers"
EVERY_DAY = [{"weekday": d, "opens": "09:00", "closes": "12:00"} for d in range(1, 8)]


def _today() -> date:
    return wallclock.local(utcnow(), "Asia/Shanghai").date()


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


@pytest.fixture
def offered(client, make, world, session):
    """A lathe (50.00/h) and a press (20.00/h) at an enterprise base open every day 06-22,
    offered to the school every day 09:00-12:00 from 40 days ago to 40 days ahead, 6 hours a
    week, approved; last week the lathe was booked Monday 09-11 and the press Tuesday 09-10,
    both used."""
    base = make.open_base(world.enterprise, kind="enterprise")
    lathe = make.equipment(base, world.category, world.enterprise)
    press = make.equipment(base, world.category, world.enterprise)
    for item in (lathe, press):
        item.created_at = datetime(2025, 1, 1, tzinfo=SHANGHAI)
    session.commit()
    today = _today()
    body = {"school_id": world.school.id, "weekly_hours_budget": 6,
            "withdrawal_notice_days": 0,
            "items": [{"equipment_id": lathe.id, "value_per_hour": 50},
                      {"equipment_id": press.id, "value_per_hour": 20}],
            "windows": [{"starts_on": str(today - timedelta(days=40)),
                         "ends_on": str(today + timedelta(days=40)), "spans": EVERY_DAY}]}
    created = client.post(API, json=body, headers={**world.headers("enterprise_staff"),
                                                   "Idempotency-Key": uuid.uuid4().hex})
    assert created.status_code == 201, created.get_json()
    offer_id = created.get_json()["id"]
    for role, action in (("enterprise_staff", "submit"), ("admin", "approve")):
        done = client.post(f"{API}/{offer_id}/{action}", json={}, headers=world.headers(role))
        assert done.status_code == 200, done.get_json()
    last_monday = _monday(today) - timedelta(days=7)
    student = world.users["student"]
    for item, day, hours in ((lathe, last_monday, 2), (press, last_monday + timedelta(1), 1)):
        start = _at(day, 9)
        make.reservation(item, student, start, start + timedelta(hours=hours),
                         offer=session.get(Offer, offer_id),
                         checked_in_at=start, checked_out_at=start + timedelta(hours=hours))
    session.commit()
    return {"offer_id": offer_id, "lathe": lathe, "press": press, "today": today}


def _impact(client, world, first: date, end: date) -> dict:
    response = client.get(f"/api/v1/organisations/{world.enterprise.id}/impact",
                          query_string={"from": str(first), "to": str(end)},
                          headers=world.headers("enterprise_staff"))
    assert response.status_code == 200, response.get_json()
    document = response.get_json()
    for row in document["offers"]:
        row.pop("status")  # the offer's status now, not a figure of the period
    return document


def _month_row(client, world, month: date) -> dict:
    response = client.get(f"/api/v1/organisations/{world.enterprise.id}/contribution",
                          query_string={"year": month.year},
                          headers=world.headers("enterprise_staff"))
    assert response.status_code == 200, response.get_json()
    return [r for r in response.get_json()["rows"] if r["month"] == str(month)]


def _utilisation(client, world, first: date, end: date, item_ids) -> list[dict]:
    response = client.get("/api/v1/reports/utilisation",
                          query_string={"granularity": "day", "from": str(first),
                                        "to": str(end)},
                          headers=world.headers("manager"))
    assert response.status_code == 200, response.get_json()
    return [r for r in response.get_json()["rows"] if r["group_id"] in item_ids]


def _weeks(client, world, item, first: date, days: int) -> list[dict]:
    response = client.get(f"/api/v1/equipment/{item.id}/availability",
                          query_string={"from": _at(first, 0).isoformat(),
                                        "to": _at(first + timedelta(days=days), 0).isoformat()},
                          headers=world.headers("student"))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["offer"]["weeks"]


def _past(client, world, offered) -> dict:
    """Every figure of the days before today (and the budget of this week)."""
    today, items = offered["today"], {offered["lathe"].id, offered["press"].id}
    last_monday = _monday(today) - timedelta(days=7)
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return {"impact of last week": _impact(client, world, last_monday, _monday(today)),
            "impact of the last 30 days": _impact(client, world, today - timedelta(days=30),
                                                  today),
            "contribution of last month": _month_row(client, world, month),
            "utilisation of the last 10 days": _utilisation(
                client, world, today - timedelta(days=10), today, items)}


def test_a_change_of_an_approved_offers_terms_today_leaves_every_past_figure_as_it_was(
        client, world, offered):
    today, lathe, press = offered["today"], offered["lathe"], offered["press"]
    url = f"{API}/{offered['offer_id']}"
    before = _past(client, world, offered)
    last_week = before["impact of last week"]["offers"][0]
    assert (last_week["totals"]["hours_offered"], last_week["totals"]["hours_booked"],
            last_week["totals"]["valued_hours_booked"]) == (42.0, 3.0, 120.0)

    # Today the enterprise narrows the windows to 09-10, drops the press and halves the
    # budget; the change takes effect tomorrow (the default).
    changed = client.patch(url, json={
        "items": [{"equipment_id": lathe.id, "value_per_hour": 50}],
        "windows": [{"starts_on": str(today - timedelta(days=40)),
                     "ends_on": str(today + timedelta(days=40)),
                     "spans": [{"weekday": d, "opens": "09:00", "closes": "10:00"}
                               for d in range(1, 8)]}],
        "weekly_hours_budget": 3}, headers=world.headers("enterprise_staff"))
    assert changed.status_code == 200, changed.get_json()
    assert _past(client, world, offered) == before, "the days before the change are kept"
    offer = changed.get_json()
    tomorrow = today + timedelta(days=1)
    assert (offer["status"], offer["weekly_hours_budget"]) == ("submitted", 3)
    assert [i["equipment_id"] for i in offer["items"]] == [lathe.id]
    assert [(w["starts_on"], w["ends_on"], len(w["spans"]), w["spans"][0]["closes"])
            for w in offer["windows"]] == [
        (str(today - timedelta(days=40)), str(today), 7, "12:00"),
        (str(tomorrow), str(today + timedelta(days=40)), 7, "10:00")]
    history = client.get(f"{url}/history", headers=world.headers("admin")).get_json()
    assert history["events"][-1]["to_status"] == "submitted"
    # From tomorrow the new terms wait for the school: nothing is offered meanwhile.
    next_week = (_monday(today) + timedelta(days=7), _monday(today) + timedelta(days=14))
    waiting = _impact(client, world, *next_week)
    assert (waiting["totals"]["hours_offered"], waiting["totals"]["hours_booked"]) == (0, 0)

    approved = client.post(f"{url}/approve", json={}, headers=world.headers("admin"))
    assert approved.status_code == 200, approved.get_json()
    assert _past(client, world, offered) == before, "an approval does not rewrite them either"
    [row] = _impact(client, world, *next_week)["offers"]
    assert [(i["equipment_id"], i["hours_offered"]) for i in row["items"]] == [(lathe.id, 7.0)]
    # The budget of this week is the one in force on its Monday; next week's is the new one.
    assert [w["weekly_hours_budget"] for w in _weeks(client, world, lathe, _monday(today),
                                                      14)] == [6, 3]
    press_next = client.get(f"/api/v1/equipment/{press.id}/availability", query_string={
        "from": _at(next_week[0], 0).isoformat(), "to": _at(next_week[1], 0).isoformat()},
        headers=world.headers("student"))
    assert press_next.status_code == 200
    assert press_next.get_json()["free"] == []


def test_a_change_taking_effect_before_today_is_refused(client, world, offered):
    response = client.patch(f"{API}/{offered['offer_id']}", json={
        "weekly_hours_budget": 3,
        "effective_from": str(offered["today"] - timedelta(days=1))},
        headers=world.headers("enterprise_staff"))
    problem = assert_problem(response, 422, "effective_date_in_past")
    assert "effective_from" in problem["errors"]


def test_only_bookings_from_the_effective_day_on_must_fit_the_new_terms(
        client, world, offered, make, session):
    """The press is dropped from the day after tomorrow: its booking tomorrow stands under
    the terms of tomorrow; the one three days ahead is listed."""
    today, press = offered["today"], offered["press"]
    offer = session.get(Offer, offered["offer_id"])
    student = world.users["student"]
    kept = make.reservation(press, student, _at(today + timedelta(1), 9),
                            _at(today + timedelta(1), 10), status="confirmed", offer=offer)
    dropped = make.reservation(press, student, _at(today + timedelta(3), 9),
                               _at(today + timedelta(3), 10), status="confirmed", offer=offer)
    session.commit()
    response = client.patch(f"{API}/{offered['offer_id']}", json={
        "items": [{"equipment_id": offered["lathe"].id, "value_per_hour": 50}],
        "effective_from": str(today + timedelta(days=2))},
        headers=world.headers("enterprise_staff"))
    problem = assert_problem(response, 409, "bookings_affected")
    assert [r["id"] for r in problem["affected_reservations"]] == [dropped.id]
    assert kept.id != dropped.id


# ---------------------------------------------------------------- offers on the slot grid

@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def test_a_span_off_an_items_slot_grid_is_refused_naming_span_item_and_grid(
        client, world, make, document):
    """13:30 on a 60-minute grid would offer half an hour nobody can book."""
    hourly = make.equipment(world.enterprise_base, world.category, world.enterprise,
                            slot_minutes=60, min_duration_minutes=60,
                            max_duration_minutes=240)
    body = {"school_id": world.school.id, "weekly_hours_budget": 6,
            "withdrawal_notice_days": 0,
            "items": [{"equipment_id": world.enterprise_equipment.id},
                      {"equipment_id": hourly.id}],
            "windows": [{"starts_on": "2027-03-01", "ends_on": "2027-03-31",
                         "spans": [{"weekday": 2, "opens": "09:00", "closes": "12:00"},
                                   {"weekday": 4, "opens": "13:30", "closes": "17:00"}]}]}
    response = client.post(API, json=body, headers={**world.headers("enterprise_staff"),
                                                    "Idempotency-Key": uuid.uuid4().hex})
    problem = assert_problem(response, 422, "offer_span_off_grid")
    assert problem["off_grid"] == [{"window": 0, "weekday": 4, "opens": "13:30",
                                    "closes": "17:00", "equipment_id": hourly.id,
                                    "slot_minutes": 60}]
    assert "windows.0" in problem["errors"]
    assert "13:30-17:00" in problem["detail"]
    assert_documented(document, "POST", "/offers", response)


def test_an_items_grid_does_not_change_under_its_live_offers_spans(
        client, world, make, document, session):
    """The 30-minute item is offered 13:30-17:00 on Thursdays: a 60-minute grid is refused
    with the offer and span; a 15-minute one is fine."""
    item = world.enterprise_equipment
    today = _today()
    make.offer(world.enterprise, world.school, [item], created_by=world.users["manager"],
               windows=[{"starts_on": today, "ends_on": today + timedelta(days=60),
                         "spans": [(4, time(13, 30), time(17))]}])
    session.commit()
    url = f"/api/v1/equipment/{item.id}"
    response = client.patch(url, json={"slot_minutes": 60, "min_duration_minutes": 60,
                                       "max_duration_minutes": 240},
                            headers=world.headers("manager"))
    problem = assert_problem(response, 409, "offers_off_new_grid")
    [offer] = problem["offers"]
    assert offer["off_grid"] == [{"window": 0, "weekday": 4, "opens": "13:30",
                                  "closes": "17:00", "equipment_id": item.id,
                                  "slot_minutes": 60}]
    assert_documented(document, "PATCH", "/equipment/{equipment_id}", response)
    finer = client.patch(url, json={"slot_minutes": 15}, headers=world.headers("manager"))
    assert (finer.status_code, finer.get_json()["slot_minutes"]) == (200, 15)
