"""GET /audit: who changed what, when, read by each organisation's admins (and operators)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.offers.jobs import expire_offers

from ..factories import PASSWORD

AUDIT = "/api/v1/audit"


def audit(client, world, role: str = "admin", **params) -> dict:
    response = client.get(AUDIT, headers=world.headers(role), query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_patch_of_equipment_records_the_changed_fields_and_who_made_it(client, world):
    item = world.equipment
    old_name = item.name
    response = client.patch(f"/api/v1/equipment/{item.id}", headers=world.headers("admin"),
                            json={"name": "Big lathe", "slot_minutes": 30,
                                  "booking_horizon_days": 14})
    assert response.status_code == 200

    page = audit(client, world, entity="equipment", entity_id=item.id)
    newest = page["items"][0]
    assert newest["action"] == "updated"
    assert newest["actor_id"] == world.users["admin"].id
    assert newest["organisation_id"] == world.school.id
    # slot_minutes was sent as it was: only what changed is listed.
    assert newest["changes"] == {"name": [old_name, "Big lathe"],
                                 "booking_horizon_days": [30, 14]}
    assert page["items"][-1]["action"] == "created"
    assert datetime.fromisoformat(newest["at"]).tzinfo is not None


def test_a_closure_created_and_deleted_is_listed_newest_first(client, world):
    url = f"/api/v1/training-bases/{world.base.id}/closures"
    closure = client.post(url, headers=world.headers("admin"), json={
        "starts_on": "2027-12-24", "ends_on": "2027-12-26", "reason": "Holidays"}).get_json()
    assert client.delete(f"{url}/{closure['id']}",
                         headers=world.headers("admin")).status_code == 204

    page = audit(client, world, entity="closure", entity_id=closure["id"])
    assert page["total"] == 2
    deleted, created = page["items"]
    assert (deleted["action"], created["action"]) == ("deleted", "created")
    assert created["changes"]["starts_on"] == [None, "2027-12-24"]
    assert created["changes"]["reason"] == [None, "Holidays"]
    assert deleted["changes"]["ends_on"] == ["2027-12-26", None]
    assert {deleted["actor_id"], created["actor_id"]} == {world.users["admin"].id}


def test_a_grant_and_a_revoke_of_a_qualification_name_the_instructor(client, world):
    instructor = world.users["instructor"]
    granted = client.post("/api/v1/qualifications", headers=world.headers("instructor"), json={
        "user_id": world.users["student"].id, "category_id": world.category.id}).get_json()
    revoked = client.delete(f"/api/v1/qualifications/{granted['id']}",
                            headers=world.headers("instructor"))
    assert revoked.status_code == 200

    revoke, grant = audit(client, world, entity="qualification",
                          entity_id=granted["id"])["items"]
    assert grant["action"] == "created" and grant["actor_id"] == instructor.id
    assert grant["changes"]["user_id"] == [None, world.users["student"].id]
    assert revoke["action"] == "updated" and revoke["actor_id"] == instructor.id
    assert revoke["changes"]["revoked_by_id"] == [None, instructor.id]
    assert revoke["changes"]["revoked_at"][1] == revoked.get_json()["revoked_at"]
    # Filtered by who acted: the instructor's two writes, nothing else of theirs.
    assert audit(client, world, actor_id=instructor.id)["total"] == 2


def test_a_password_change_is_recorded_without_any_hash(client, world):
    student = world.users["student"]
    assert client.post("/api/v1/me/password", headers=world.headers("student"), json={
        "current_password": PASSWORD, "new_password": "a different passphrase"}
    ).status_code == 204

    response = client.get(AUDIT, headers=world.headers("admin"),
                          query_string={"entity": "user", "entity_id": student.id})
    changed = response.get_json()["items"][0]
    assert changed["actor_id"] == student.id
    assert changed["changes"] == {"password_hash": ["***", "***"]}
    assert "argon2" not in response.get_data(as_text=True)


def test_a_second_school_admin_sees_none_of_the_first_schools_entries(client, world):
    item = world.equipment
    client.patch(f"/api/v1/equipment/{item.id}", headers=world.headers("admin"),
                 json={"name": "Renamed"})

    theirs = audit(client, world, "other_admin", entity="equipment", entity_id=item.id)
    assert theirs == {"items": [], "total": 0, "page": 1, "page_size": 20}
    everything = audit(client, world, "other_admin", page_size=100)
    assert everything["total"] > 0  # their own school's things
    assert {e["organisation_id"] for e in everything["items"]} == {world.other_school.id}
    assert audit(client, world, "admin", entity="equipment", entity_id=item.id)["total"] == 2


def test_operators_see_the_organisations_they_run_but_not_inside_them(client, world):
    """As everywhere else: an operator onboards organisations and keeps the vocabularies, and
    does not see a school's people, bases or equipment."""
    assert client.patch(f"/api/v1/equipment/{world.equipment.id}",
                        headers=world.headers("admin"), json={"name": "Renamed"}).status_code == 200
    assert audit(client, world, "admin", entity="equipment",
                 entity_id=world.equipment.id)["total"] >= 1
    for entity in ("training_base", "equipment", "user"):
        assert audit(client, world, "operator", entity=entity)["total"] == 0, entity
    everything = audit(client, world, "operator", page_size=100)["items"]
    assert everything and all(e["entity"] == "organisation" or e["organisation_id"] is None
                              for e in everything)


def test_an_enterprise_manager_reads_the_enterprise_history(client, world):
    page = audit(client, world, "manager", entity="equipment",
                 entity_id=world.enterprise_equipment.id)
    assert page["total"] == 1
    assert page["items"][0]["organisation_id"] == world.enterprise.id


@pytest.mark.parametrize("role", ["student", "instructor", "enterprise_staff"])
def test_people_who_do_not_run_their_organisation_get_403(client, world, role):
    response = client.get(AUDIT, headers=world.headers(role))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "audit_not_allowed"


def test_signed_out_requests_get_401(client, world):
    assert client.get(AUDIT).status_code == 401


@pytest.mark.parametrize(("params", "field"), [
    ({"entity": "reservation"}, "entity"),
    ({"entity_id": "0"}, "entity_id"),
    ({"actor_id": "x"}, "actor_id"),
    ({"from": "2027-01-01T00:00:00"}, "from"),
    ({"from": "2027-01-02T00:00:00Z", "to": "2027-01-01T00:00:00Z"}, "to"),
    ({"sort": "entity"}, "sort"),
    ({"page_size": "1000"}, "page_size"),
    ({"colour": "red"}, "colour"),
])
def test_every_query_parameter_is_validated(client, world, params, field):
    response = client.get(AUDIT, headers=world.headers("admin"), query_string=params)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_from_and_to_select_the_instants_of_the_changes(client, world):
    now = datetime.now(UTC)
    client.patch(f"/api/v1/equipment/{world.equipment.id}", headers=world.headers("admin"),
                 json={"name": "Dated"})
    hour = timedelta(hours=1)
    later = audit(client, world, entity="equipment", **{
        "from": (now + hour).isoformat(), "to": (now + 2 * hour).isoformat()})
    assert later["total"] == 0
    around = audit(client, world, entity="equipment", entity_id=world.equipment.id,
                   **{"from": (now - 24 * hour).isoformat(), "to": (now + hour).isoformat()})
    assert [e["changes"].get("name", [None, None])[1] for e in around["items"]][0] == "Dated"


def test_a_job_after_a_request_records_no_actor(client, world, make, session):
    today = datetime.now(UTC).date()
    offer = make.offer(world.enterprise, world.school, [world.enterprise_equipment],
                       created_by=world.users["manager"], windows=[{
                           "starts_on": today - timedelta(days=20),
                           "ends_on": today - timedelta(days=5),
                           "spans": [(2, datetime(2027, 1, 1, 9).time(),
                                      datetime(2027, 1, 1, 11).time())]}])
    session.commit()
    audit(client, world, "manager")  # a request by a signed-in user came first
    expire_offers(session)

    expired = audit(client, world, "manager", entity="offer", entity_id=offer.id)["items"][0]
    assert expired["changes"] == {"status": ["approved", "expired"]}
    assert expired["actor_id"] is None
