"""Schedules with a history over HTTP: opening hours from a date, the hours as of a day, the
operator's corrections, closures and blackouts frozen in the past, items and bases whose
reservations tie them to their place and zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.catalogue.models import Closure
from service.reservations.models import Blackout

from .bookings import body, post
from .openapi_document import assert_documented
from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_WEEK = [{"weekday": d, "opens": "10:00", "closes": "11:00"} for d in range(1, 8)]
OLD_MONDAY = {"weekday": 1, "opens": "08:00", "closes": "18:00"}


def today() -> date:
    return datetime.now(SHANGHAI).date()


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


def weekday_on_or_after(day: date) -> date:
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def base_url(world, *rest) -> str:
    return "/".join([f"/api/v1/training-bases/{world.base.id}", *rest])


def patch_hours(client, world, **extra):
    return client.patch(base_url(world), headers=world.headers("admin"),
                        json={"opening_hours": NEW_WEEK, **extra})


# ---------------------------------------------------------------- opening hours from a date

def test_new_hours_apply_from_tomorrow_and_the_answer_keeps_todays_week(client, world):
    response = patch_hours(client, world)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    tomorrow = today() + timedelta(days=1)
    assert answer["opening_hours"][0] == OLD_MONDAY
    assert answer["opening_hours_on"] == today().isoformat()
    assert answer["opening_hours_changes"] == [
        {"effective_from": tomorrow.isoformat(), "opening_hours": NEW_WEEK}]
    on = client.get(base_url(world), query_string={"on": tomorrow.isoformat()},
                    headers=world.headers("student")).get_json()
    assert (on["opening_hours"], on["opening_hours_on"], on["opening_hours_changes"]) == (
        NEW_WEEK, tomorrow.isoformat(), [])


def test_a_change_replaces_what_was_scheduled_from_its_day_on(client, world):
    later = today() + timedelta(days=10)
    assert patch_hours(client, world, opening_hours_from=later.isoformat()).status_code == 200
    response = client.patch(base_url(world), headers=world.headers("admin"), json={
        "opening_hours": [OLD_MONDAY], "opening_hours_from": (later - timedelta(days=5))
        .isoformat()})
    assert response.get_json()["opening_hours_changes"] == [
        {"effective_from": (later - timedelta(days=5)).isoformat(),
         "opening_hours": [OLD_MONDAY]}]


def test_hours_from_a_day_before_today_are_422_effective_date_in_past(client, world, document):
    response = patch_hours(client, world, opening_hours_from=(
        today() - timedelta(days=1)).isoformat())
    problem = assert_problem(response, 422, "effective_date_in_past")
    assert list(problem["errors"]) == ["opening_hours_from"]
    assert_documented(document, "PATCH", "/training-bases/{base_id}", response)
    assert client.get(base_url(world), headers=world.headers("admin")).get_json()[
        "opening_hours_changes"] == []


def test_a_date_without_hours_is_422(client, world):
    response = client.patch(base_url(world), headers=world.headers("admin"),
                            json={"opening_hours_from": today().isoformat()})
    assert list(assert_problem(response, 422, "validation_error")["errors"]) == [
        "opening_hours_from"]


@pytest.mark.parametrize("on", ["yesterday", "2025-02-30", "1900-01-01"])
def test_an_unreadable_as_of_day_is_422(client, world, on):
    response = client.get(base_url(world), query_string={"on": on},
                          headers=world.headers("student"))
    assert "on" in assert_problem(response, 422, "validation_error")["errors"]


def test_availability_and_booking_after_a_scheduled_change_use_the_new_hours(client, world):
    change = today() + timedelta(days=3)
    assert patch_hours(client, world, opening_hours_from=change.isoformat()).status_code == 200
    before = weekday_on_or_after(today() + timedelta(days=1))
    after = change + timedelta(days=2)
    item = world.equipment
    free = client.get(f"/api/v1/equipment/{item.id}/availability", query_string={
        "from": at(after, 0).isoformat(), "to": at(after + timedelta(days=1), 0).isoformat()},
        headers=world.headers("student")).get_json()["free"]
    assert [(s["starts_at"], s["ends_at"]) for s in free] == [
        (at(after, 10).astimezone(ZoneInfo("UTC")).isoformat(),
         at(after, 11).astimezone(ZoneInfo("UTC")).isoformat())]
    assert_problem(post(client, world, "student", body(item, start=at(after, 14))), 422,
                   "outside_opening_hours")
    assert post(client, world, "student", body(item, start=at(after, 10))).status_code == 201
    if before < change:  # the old week still holds the days before the change
        assert post(client, world, "student",
                    body(item, start=at(before, 14))).status_code == 201


# ---------------------------------------------------------------- corrections

def correction(**extra):
    return {"effective_from": "2025-03-10", "until": "2025-03-16", "opening_hours": NEW_WEEK,
            "reason": "Works: one hour a day.", **extra}


def test_an_operator_corrects_past_hours_and_the_as_of_read_shows_them(client, world, document):
    response = client.post(base_url(world, "opening-hours/corrections"), json=correction(),
                           headers=world.headers("operator"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["rebuilt"] == []  # nothing stored yet
    assert_documented(document, "POST", "/training-bases/{base_id}/opening-hours/corrections",
                      response)
    for day, week in (("2025-03-09", [OLD_MONDAY]), ("2025-03-12", NEW_WEEK),
                      ("2025-03-17", [OLD_MONDAY])):
        answer = client.get(base_url(world), query_string={"on": day},
                            headers=world.headers("admin")).get_json()
        assert answer["opening_hours"][:len(week)] == week, day


@pytest.mark.parametrize("role", ["admin", "manager", "student"])
def test_only_operators_correct_the_past(client, world, document, role):
    response = client.post(base_url(world, "opening-hours/corrections"), json=correction(),
                           headers=world.headers(role))
    assert_problem(response, 403, "role_not_allowed")
    assert_documented(document, "POST", "/training-bases/{base_id}/opening-hours/corrections",
                      response)


def test_a_correction_of_no_base_is_404_and_one_without_a_reason_422(client, world):
    assert_problem(client.post("/api/v1/training-bases/999999/opening-hours/corrections",
                               json=correction(), headers=world.headers("operator")),
                   404, "not_found")
    problem = assert_problem(client.post(
        base_url(world, "opening-hours/corrections"), json=correction(reason=None, until=
        "2025-03-01"), headers=world.headers("operator")), 422, "validation_error")
    assert set(problem["errors"]) >= {"reason"}


# ---------------------------------------------------------------- closures

def test_a_closure_starting_before_today_is_422(client, world, document):
    response = client.post(base_url(world, "closures"), headers=world.headers("admin"), json={
        "starts_on": (today() - timedelta(days=1)).isoformat(),
        "ends_on": (today() + timedelta(days=1)).isoformat(), "reason": "Late notice"})
    problem = assert_problem(response, 422, "effective_date_in_past")
    assert list(problem["errors"]) == ["starts_on"]
    assert_documented(document, "POST", "/training-bases/{base_id}/closures", response)


def test_removing_a_begun_closure_ends_it_yesterday(client, world, session):
    closure = Closure(base_id=world.base.id, starts_on=today() - timedelta(days=3),
                      ends_on=today() + timedelta(days=3), reason="Works")
    session.add(closure)
    session.commit()
    response = client.delete(base_url(world, f"closures/{closure.id}"),
                             headers=world.headers("admin"))
    assert response.status_code == 204
    listed = client.get(base_url(world, "closures"), headers=world.headers("admin")).get_json()
    assert [(c["starts_on"], c["ends_on"]) for c in listed["items"]] == [
        ((today() - timedelta(days=3)).isoformat(), (today() - timedelta(days=1)).isoformat())]


def test_removing_a_past_closure_is_409(client, world, session, document):
    closure = Closure(base_id=world.base.id, starts_on=date(2025, 1, 1),
                      ends_on=date(2025, 1, 3), reason="New year")
    session.add(closure)
    session.commit()
    response = client.delete(base_url(world, f"closures/{closure.id}"),
                             headers=world.headers("admin"))
    assert_problem(response, 409, "closure_in_past")
    assert_documented(document, "DELETE", "/training-bases/{base_id}/closures/{closure_id}",
                      response)


# ---------------------------------------------------------------- blackouts

def test_a_blackout_in_the_past_is_422(client, world):
    start = datetime.now(SHANGHAI) - timedelta(hours=2)
    response = client.post(f"/api/v1/equipment/{world.equipment.id}/blackouts", json={
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=4)).isoformat(),
        "reason": "Broken"}, headers=world.headers("admin"))
    assert list(assert_problem(response, 422, "effective_date_in_past")["errors"]) == [
        "starts_at"]


def test_lifting_a_begun_blackout_ends_it_now_and_an_ended_one_is_409(client, world, session):
    now = datetime.now(SHANGHAI)
    begun = Blackout(equipment_id=world.equipment.id, starts_at=now - timedelta(hours=2),
                     ends_at=now + timedelta(hours=2), reason="Broken",
                     created_by_id=world.users["admin"].id)
    ended = Blackout(equipment_id=world.equipment.id, starts_at=now - timedelta(days=2),
                     ends_at=now - timedelta(days=1), reason="Serviced",
                     created_by_id=world.users["admin"].id)
    session.add_all([begun, ended])
    session.commit()
    url = f"/api/v1/equipment/{world.equipment.id}/blackouts"
    assert client.delete(f"{url}/{begun.id}", headers=world.headers("admin")).status_code == 204
    session.refresh(begun)
    assert now - timedelta(hours=2) < begun.ends_at <= datetime.now(SHANGHAI)
    assert_problem(client.delete(f"{url}/{ended.id}", headers=world.headers("admin")),
                   409, "blackout_in_past")


# ---------------------------------------------------------------- items and bases with history

def test_moving_an_item_with_reservations_is_409_and_its_tag_is_free_once_retired(
        client, world, make, session, document):
    item = world.equipment
    make.reservation(item, world.users["student"], at(date(2025, 3, 3), 9),
                     at(date(2025, 3, 3), 10))
    other = make.base(world.school)
    session.commit()
    url = f"/api/v1/equipment/{item.id}"
    response = client.patch(url, json={"base_id": other.id}, headers=world.headers("admin"))
    problem = assert_problem(response, 409, "equipment_has_history")
    assert "retire it" in problem["detail"] and list(problem["errors"]) == ["base_id"]
    assert_documented(document, "PATCH", "/equipment/{equipment_id}", response)

    retired = client.patch(url, json={"status": "retired"}, headers=world.headers("admin"))
    assert retired.get_json()["retired_at"] is not None
    again = client.post("/api/v1/equipment", headers=world.headers("admin"), json={
        "name": item.name, "asset_tag": item.asset_tag, "base_id": other.id,
        "category_id": world.category.id})
    assert again.status_code == 201, again.get_json()
    assert (again.get_json()["asset_tag"], again.get_json()["retired_at"]) == (
        item.asset_tag, None)
    assert_problem(client.patch(url, json={"status": "active"}, headers=world.headers("admin")),
                   409, "equipment_retired")


def test_a_tag_in_service_stays_taken(client, world):
    response = client.post("/api/v1/equipment", headers=world.headers("admin"), json={
        "name": "Twin", "asset_tag": world.equipment.asset_tag, "base_id": world.base.id,
        "category_id": world.category.id})
    assert_problem(response, 409, "asset_tag_taken")


def test_a_new_zone_for_a_base_with_reservations_is_409(client, world, make, session, document):
    make.reservation(world.equipment, world.users["student"], at(date(2025, 3, 3), 9),
                     at(date(2025, 3, 3), 10))
    session.commit()
    response = client.patch(base_url(world), json={"timezone": "Europe/Berlin"},
                            headers=world.headers("admin"))
    assert list(assert_problem(response, 409, "base_has_history")["errors"]) == ["timezone"]
    assert_documented(document, "PATCH", "/training-bases/{base_id}", response)
    other = make.base(world.school)
    session.commit()
    moved = client.patch(f"/api/v1/training-bases/{other.id}", json={
        "timezone": "Europe/Berlin"}, headers=world.headers("admin"))
    assert (moved.status_code, moved.get_json()["timezone"]) == (200, "Europe/Berlin")
