"""Offers through HTTP: the happy path, ETags, validation, history."""

from __future__ import annotations

import uuid

import pytest

from .problems import assert_problem

API = "/api/v1/offers"


def offer_body(world, **extra):
    return {"school_id": world.school.id,
            "items": [{"equipment_id": world.enterprise_equipment.id, "value_per_hour": 120.5}],
            "windows": [{"starts_on": "2027-03-01", "ends_on": "2027-06-30",
                         "spans": [{"weekday": 2, "opens": "09:00", "closes": "12:00"},
                                   {"weekday": 4, "opens": "13:30", "closes": "17:00"}]}],
            "weekly_hours_budget": 6, "requires_approval": True, "approval_hours": 24,
            "supervisor_on_site": True, "supervisor_contact": "Ms. Li, ext. 204",
            "allowed_uses": "CNC turning course, year 2", "withdrawal_notice_days": 14,
            "asks_back": "monthly_summary", **extra}


def create(client, world, role="enterprise_staff", **extra):
    response = client.post(API, json=offer_body(world, **extra), headers={
        **world.headers(role), "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.get_json()
    return response


def act(client, world, role, offer_id, action, etag=None, **body):
    headers = {**world.headers(role), **({"If-Match": etag} if etag else {})}
    return client.post(f"{API}/{offer_id}/{action}", json=body, headers=headers)


def test_create_submit_approve_withdraw_and_read_the_history(client, world):
    created = create(client, world)
    offer = created.get_json()
    assert created.headers["ETag"] == '"1"'
    assert (offer["status"], offer["enterprise_id"], offer["school_id"]) == (
        "draft", world.enterprise.id, world.school.id)
    assert offer["items"] == [{"equipment_id": world.enterprise_equipment.id,
                               "equipment_name": world.enterprise_equipment.name,
                               "base_id": world.enterprise_base.id,
                               "timezone": "Asia/Shanghai", "value_per_hour": 120.5}]
    assert offer["windows"][0]["spans"][1] == {"weekday": 4, "opens": "13:30",
                                               "closes": "17:00"}
    submitted = act(client, world, "manager", offer["id"], "submit", etag='"1"')
    assert (submitted.status_code, submitted.get_json()["status"]) == (200, "submitted")
    assert submitted.headers["ETag"] == '"2"'
    approved = act(client, world, "admin", offer["id"], "approve", reason="Fits the course")
    assert approved.get_json()["status"] == "approved"
    withdrawn = act(client, world, "enterprise_staff", offer["id"], "withdraw",
                    reason="Machine needed for production")
    assert withdrawn.get_json()["status"] == "withdrawn"

    for role in ("enterprise_staff", "admin"):
        history = client.get(f"{API}/{offer['id']}/history", headers=world.headers(role))
        body = history.get_json()
        assert body["offer_id"] == offer["id"]
        assert [(e["from_status"], e["to_status"], e["actor_id"], e["reason"])
                for e in body["events"]] == [
            ("draft", "submitted", world.users["manager"].id, ""),
            ("submitted", "approved", world.users["admin"].id, "Fits the course"),
            ("approved", "withdrawn", world.users["enterprise_staff"].id,
             "Machine needed for production")]
    notices = client.get("/api/v1/me/notifications", headers=world.headers("admin")).get_json()
    assert {n["kind"] for n in notices["items"]} == {"offer_submitted", "offer_withdrawn"}
    assert all(n["reservation_id"] is None for n in notices["items"])


def test_a_retried_create_with_the_same_key_makes_one_offer(client, world):
    headers = {**world.headers("manager"), "Idempotency-Key": "offer-retry-1"}
    first = client.post(API, json=offer_body(world), headers=headers)
    again = client.post(API, json=offer_body(world), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.get_json()["id"] == again.get_json()["id"]
    listing = client.get(API, headers=world.headers("manager")).get_json()
    assert listing["total"] == 1


def test_a_second_live_offer_to_the_same_school_is_409(client, world):
    first = create(client, world).get_json()
    response = client.post(API, json=offer_body(world), headers=world.headers("manager"))
    assert assert_problem(response, 409, "offer_exists")["offer_id"] == first["id"]


def test_patch_honours_if_match_and_sends_an_approved_offer_back(client, world):
    offer = create(client, world).get_json()
    act(client, world, "enterprise_staff", offer["id"], "submit")
    approved = act(client, world, "admin", offer["id"], "approve")
    etag = approved.headers["ETag"]
    url = f"{API}/{offer['id']}"
    stale = client.patch(url, json={"weekly_hours_budget": 3},
                         headers={**world.headers("manager"), "If-Match": '"1"'})
    assert_problem(stale, 412, "stale_etag")
    changed = client.patch(url, json={"weekly_hours_budget": 3},
                           headers={**world.headers("manager"), "If-Match": etag})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["status"], changed.get_json()["weekly_hours_budget"]) == (
        "submitted", 3)
    assert changed.headers["ETag"] != etag
    seen = client.get(url, headers={**world.headers("admin"),
                                    "If-None-Match": changed.headers["ETag"]})
    assert seen.status_code == 304


def test_wrong_state_and_wrong_actor(client, world):
    offer = create(client, world).get_json()
    # A draft is the enterprise's own: the school does not see it yet.
    assert_problem(act(client, world, "admin", offer["id"], "approve"), 404, "not_found")
    assert_problem(act(client, world, "enterprise_staff", offer["id"], "approve"), 403,
                   "forbidden")
    act(client, world, "enterprise_staff", offer["id"], "submit")
    assert_problem(act(client, world, "manager", offer["id"], "approve"), 403, "forbidden")
    assert_problem(act(client, world, "admin", offer["id"], "reject"), 422, "reason_required")
    assert_problem(act(client, world, "admin", offer["id"], "submit"), 403, "forbidden")
    assert_problem(act(client, world, "other_admin", offer["id"], "approve"), 404,
                   "not_found")
    act(client, world, "enterprise_staff", offer["id"], "withdraw", reason="Sold")
    assert_problem(act(client, world, "enterprise_staff", offer["id"], "withdraw",
                       reason="Again"), 409, "invalid_transition")


def test_bodies_are_validated(client, world):
    cases = [
        ({"surprise": 1}, "surprise"),
        ({"weekly_hours_budget": 0}, "weekly_hours_budget"),
        ({"asks_back": "money"}, "asks_back"),
        ({"windows": [{"starts_on": "2027-03-01", "ends_on": "2027-03-31",
                       "spans": [{"weekday": 8, "opens": "09:00", "closes": "10:00"}]}]},
         "windows"),
        ({"windows": [{"starts_on": "2027-03-01", "ends_on": "2027-03-31",
                       "spans": [{"weekday": 1, "opens": "09:00+02:00",
                                  "closes": "10:00"}]}]}, "windows"),
        ({"items": []}, "items"),
    ]
    for extra, field in cases:
        response = client.post(API, json=offer_body(world, **extra),
                               headers=world.headers("enterprise_staff"))
        assert field in assert_problem(response, 422, "validation_error")["errors"], extra
    backwards = client.post(API, json=offer_body(world, windows=[{
        "starts_on": "2027-03-31", "ends_on": "2027-03-01",
        "spans": [{"weekday": 1, "opens": "09:00", "closes": "10:00"}]}]),
        headers=world.headers("enterprise_staff"))
    assert assert_problem(backwards, 422, "invalid_offer_windows")["errors"] == {
        "windows.0": ["ends_on must not be before starts_on."]}
    unknown_query = client.get(f"{API}?colour=red", headers=world.headers("manager"))
    assert_problem(unknown_query, 422, "validation_error")


def test_list_filters_by_status(client, world):
    first = create(client, world).get_json()
    create(client, world, school_id=world.other_school.id)
    act(client, world, "manager", first["id"], "submit")
    mine = client.get(f"{API}?status=submitted", headers=world.headers("manager")).get_json()
    assert [o["id"] for o in mine["items"]] == [first["id"]]
    everything = client.get(f"{API}?sort=-id", headers=world.headers("manager")).get_json()
    assert everything["total"] == 2 and everything["items"][1]["id"] == first["id"]



@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_one_patch_may_add_an_item_and_change_the_windows_of_a_live_offer(client, world, make,
                                                                          status):
    lathe = make.equipment(world.enterprise_base, world.category, world.enterprise)
    offer = create(client, world).get_json()
    act(client, world, "enterprise_staff", offer["id"], "submit")
    if status == "approved":
        act(client, world, "admin", offer["id"], "approve")
    windows = [{"starts_on": "2027-04-01", "ends_on": "2027-05-31",
                "spans": [{"weekday": 3, "opens": "08:00", "closes": "11:00"}]}]
    items = [{"equipment_id": world.enterprise_equipment.id, "value_per_hour": 120.5},
             {"equipment_id": lathe.id, "value_per_hour": 80}]
    changed = client.patch(f"{API}/{offer['id']}", json={"items": items, "windows": windows},
                           headers=world.headers("manager"))
    assert changed.status_code == 200, changed.get_data(as_text=True)
    body = changed.get_json()
    assert body["status"] == "submitted"
    assert body["items"][1] == {"equipment_id": lathe.id, "equipment_name": lathe.name,
                                "base_id": world.enterprise_base.id,
                                "timezone": "Asia/Shanghai", "value_per_hour": 80.0}
    assert [i["equipment_id"] for i in body["items"]] == [world.enterprise_equipment.id,
                                                          lathe.id]
    assert (body["windows"][0]["starts_on"], body["windows"][0]["ends_on"]) == (
        "2027-04-01", "2027-05-31")


def _retire(client, world, equipment_id):
    retired = client.patch(f"/api/v1/equipment/{equipment_id}", json={"status": "retired"},
                           headers=world.headers("manager"))
    assert (retired.status_code, retired.get_json()["status"]) == (200, "retired"), (
        retired.get_json())


def test_an_offer_whose_item_was_retired_since_drafting_is_neither_submitted_nor_approved(
        client, world, make):
    lathe = make.equipment(world.enterprise_base, world.category, world.enterprise)
    items = [{"equipment_id": world.enterprise_equipment.id}, {"equipment_id": lathe.id}]
    offer = create(client, world, items=items).get_json()
    _retire(client, world, lathe.id)
    refused = act(client, world, "manager", offer["id"], "submit")
    assert assert_problem(refused, 409, "offer_item_retired")["retired_items"] == [lathe.id]
    url = f"{API}/{offer['id']}"
    assert client.get(url, headers=world.headers("manager")).get_json()["status"] == "draft"
    client.patch(url, json={"items": items[:1]}, headers=world.headers("manager"))
    assert act(client, world, "manager", offer["id"], "submit").status_code == 200

    _retire(client, world, world.enterprise_equipment.id)
    refused = act(client, world, "admin", offer["id"], "approve")
    body = assert_problem(refused, 409, "offer_item_retired")
    assert body["retired_items"] == [world.enterprise_equipment.id]
    assert str(world.enterprise_equipment.id) in body["detail"]
    assert client.get(url, headers=world.headers("admin")).get_json()["status"] == "submitted"


def test_submit_and_approve_document_the_retired_item_refusal(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for action in ("submit", "approve"):
        operation = spec["paths"][f"{API}/{{offer_id}}/{action}"]["post"]
        assert "409" in operation["responses"]
        assert "offer_item_retired" in operation["description"]
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert "offer_item_retired" in problem["retired_items"]["description"]
