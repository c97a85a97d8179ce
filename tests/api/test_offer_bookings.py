"""Booking an enterprise's item under an offer, through HTTP, for every actor of two schools
and two enterprises; a narrowing edit and a withdrawal with bookings under the offer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACTORS = ("anonymous", "student", "instructor", "admin", "other_student", "other_instructor",
          "other_admin", "enterprise_staff", "manager", "other_staff", "other_manager",
          "operator")
# Who may book E1's item offered to school A, and what the others get: E1's own staff book it
# for their own use (an internal reservation, under no offer).
BOOKING = {"anonymous": (401, "not_authenticated"), "student": (201, None),
           "instructor": (201, None), "admin": (201, None),
           "other_student": (403, "not_offered_to_your_school"),
           "other_instructor": (403, "not_offered_to_your_school"),
           "other_admin": (403, "not_offered_to_your_school"),
           "enterprise_staff": (201, None), "manager": (201, None),
           "other_staff": (403, "not_your_equipment"),
           "other_manager": (403, "not_your_equipment"),
           "operator": (403, "role_not_allowed")}


def _tuesday(weeks_ahead: int, hour: int) -> datetime:
    today = datetime.now(SHANGHAI).date()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 + 7 * weeks_ahead)
    return datetime.combine(tuesday, time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def offered(make, world, session):
    """E1's item at a floor open daily 06:00-22:00, offered to school A on Tuesdays 09:00-12:00
    (approved), with a week's notice for withdrawal."""
    floor = make.open_base(world.enterprise, kind="enterprise")
    item = make.equipment(floor, world.category, world.enterprise, booking_horizon_days=60)
    today = date.today()
    offer = make.offer(world.enterprise, world.school, [item],
                       created_by=world.users["enterprise_staff"], weekly_hours_budget=10,
                       withdrawal_notice_days=7,
                       windows=[{"starts_on": today, "ends_on": today + timedelta(days=90),
                                 "spans": [(2, time(9), time(12))]}])
    session.commit()
    world.extra.update(item=item.id, offer=offer.id)
    return world


def _book(client, w, role, start, hours=1):
    headers = {} if role == "anonymous" else w.headers(role)
    return client.post("/api/v1/reservations", headers=headers, json={
        "equipment_id": w.extra["item"], "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat()})


@pytest.mark.parametrize("role", ACTORS)
def test_only_the_addressed_schools_members_book_an_offered_item(client, offered, role):
    response = _book(client, offered, role, _tuesday(1, 9))
    status, code = BOOKING[role]
    if code is None:
        assert response.status_code == status, response.get_json()
        internal = role in ("enterprise_staff", "manager")
        assert response.get_json()["offer_id"] == (None if internal else offered.extra["offer"])
    else:
        assert_problem(response, status, code)


@pytest.mark.parametrize("role", [r for r in ACTORS if r != "anonymous"])
def test_availability_of_an_offered_item_shows_free_time_and_terms_to_whom_it_should(
        client, offered, role):
    start = _tuesday(1, 0)
    response = client.get(
        f"/api/v1/equipment/{offered.extra['item']}/availability",
        query_string={"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()},
        headers=offered.headers(role))
    body = response.get_json()
    school_a = role in ("student", "instructor", "admin")
    owner = role in ("enterprise_staff", "manager")
    if not (school_a or owner or role == "operator"):
        # Not offered to their school, not theirs: they do not see the item at all.
        assert_problem(response, 404, "not_found")
        return
    assert response.status_code == 200, body
    assert len(body["free"]) == (1 if school_a or owner else 0)
    assert ("offer" in body) == school_a
    if school_a:
        assert body["offer"]["offer_id"] == offered.extra["offer"]
        assert body["offer"]["weeks"][0]["remaining_hours"] == 10


def test_a_narrowing_edit_answers_409_with_the_bookings_then_goes_ahead_when_confirmed(
        client, offered):
    w = offered
    far = _book(client, w, "student", _tuesday(3, 11)).get_json()
    path = f"/api/v1/offers/{w.extra['offer']}"
    today = date.today()
    narrower = {"windows": [{"starts_on": today.isoformat(),
                             "ends_on": (today + timedelta(days=90)).isoformat(),
                             "spans": [{"weekday": 2, "opens": "09:00", "closes": "11:00"}]}]}
    refused = assert_problem(client.patch(path, json=narrower, headers=w.headers("manager")),
                             409, "bookings_affected")
    assert [(a["id"], a["fate"], a["school_name"]) for a in refused["affected_reservations"]] \
        == [(far["id"], "cancelled", w.school.name)]
    assert "email" not in str(refused["affected_reservations"])
    done = client.patch(path + "?confirm=true", json=narrower, headers=w.headers("manager"))
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "submitted"
    assert [a["id"] for a in done.get_json()["affected_reservations"]] == [far["id"]]
    held = client.get(f"/api/v1/reservations/{far['id']}", headers=w.headers("student"))
    assert held.get_json()["status"] == "cancelled"


def test_withdrawing_lists_what_it_cancelled_and_what_it_kept(client, offered):
    w = offered
    near = _book(client, w, "student", _tuesday(0, 9) if _tuesday(0, 9) > datetime.now(
        SHANGHAI) else _tuesday(1, 9)).get_json()
    far = _book(client, w, "instructor", _tuesday(4, 9)).get_json()
    response = client.post(f"/api/v1/offers/{w.extra['offer']}/withdraw",
                           json={"reason": "Production needs it"},
                           headers=w.headers("enterprise_staff"))
    body = response.get_json()
    assert response.status_code == 200, body
    assert {(a["id"], a["fate"]) for a in body["affected_reservations"]} == {
        (near["id"], "kept"), (far["id"], "cancelled")}
    notices = client.get("/api/v1/me/notifications", headers=w.headers("instructor")).get_json()
    assert any("Production needs it" in n["body"] for n in notices["items"])


def test_the_withdrawal_preview_lists_what_withdrawing_would_do_and_writes_nothing(
        client, offered):
    w = offered
    near = _book(client, w, "student", _tuesday(0, 9) if _tuesday(0, 9) > datetime.now(
        SHANGHAI) else _tuesday(1, 9)).get_json()
    far = _book(client, w, "instructor", _tuesday(4, 9)).get_json()
    path = f"/api/v1/offers/{w.extra['offer']}"
    before = client.get(path, headers=w.headers("manager"))
    response = client.get(path + "/withdrawal-preview", headers=w.headers("enterprise_staff"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["offer_id"] == w.extra["offer"]
    assert [(a["id"], a["fate"], a["status"], a["school_name"], a["holder_name"])
            for a in body["affected_reservations"]] == [
        (near["id"], "kept", "confirmed", w.school.name, w.users["student"].full_name),
        (far["id"], "cancelled", "confirmed", w.school.name, w.users["instructor"].full_name)]
    assert "email" not in str(body)
    after = client.get(path, headers=w.headers("manager"))
    assert (after.get_json()["status"], after.headers["ETag"]) \
        == ("approved", before.headers["ETag"])
    held = client.get(f"/api/v1/reservations/{far['id']}", headers=w.headers("instructor"))
    assert held.get_json()["status"] == "confirmed"
    done = client.post(path + "/withdraw", json={"reason": "Sold"}, headers=w.headers("manager"))
    assert {(a["id"], a["fate"]) for a in done.get_json()["affected_reservations"]} \
        == {(a["id"], a["fate"]) for a in body["affected_reservations"]}


@pytest.mark.parametrize("role, status, code", [
    ("anonymous", 401, "not_authenticated"), ("student", 404, "not_found"),
    ("admin", 403, "forbidden"), ("other_admin", 404, "not_found"),
    ("other_manager", 404, "not_found"), ("operator", 404, "not_found")])
def test_the_withdrawal_preview_is_refused_as_withdrawing_is(client, offered, role, status,
                                                             code):
    headers = {} if role == "anonymous" else offered.headers(role)
    response = client.get(f"/api/v1/offers/{offered.extra['offer']}/withdrawal-preview",
                          headers=headers)
    assert_problem(response, status, code)


def test_no_preview_of_an_offer_already_withdrawn(client, offered):
    path = f"/api/v1/offers/{offered.extra['offer']}"
    client.post(path + "/withdraw", json={"reason": "Sold"}, headers=offered.headers("manager"))
    body = assert_problem(client.get(path + "/withdrawal-preview",
                                     headers=offered.headers("manager")),
                          409, "invalid_transition")
    assert body["current_status"] == "withdrawn"


def test_each_enterprises_item_is_booked_under_its_own_offer_to_the_school(client, offered,
                                                                             make, session):
    # Two enterprises' approved offers to the same school, the first made first: a booking of
    # the second enterprise's item is made under the second offer, with its own terms (the
    # booking statement once locked the school's first offer for any item and refused the
    # span as outside that offer's windows).
    w = offered
    floor = make.open_base(w.other_enterprise, kind="enterprise")
    item = make.equipment(floor, w.category, w.other_enterprise, booking_horizon_days=60)
    today = date.today()
    second = make.offer(w.other_enterprise, w.school, [item],
                        created_by=w.users["other_staff"], weekly_hours_budget=10,
                        windows=[{"starts_on": today, "ends_on": today + timedelta(days=90),
                                  "spans": [(4, time(14), time(17))]}])
    session.commit()
    assert second.id > w.extra["offer"]
    thursday = _tuesday(1, 14) + timedelta(days=2)
    response = client.post("/api/v1/reservations", headers=w.headers("student"), json={
        "equipment_id": item.id, "starts_at": thursday.isoformat(),
        "ends_at": (thursday + timedelta(hours=1)).isoformat()})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["offer_id"] == second.id
    # And the first enterprise's item is still booked under the first offer.
    first = _book(client, w, "student", _tuesday(1, 9))
    assert first.status_code == 201 and first.get_json()["offer_id"] == w.extra["offer"]
