"""Regression tests of the hostile pass's tenancy findings: another school's admin probing.

Each test is one finding, end to end; the matrix in test_permissions.py covers the rest.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ..factories import PASSWORD
from .accounts import sign_in


@pytest.fixture
def intruder(make, session):
    """The admin of a second school, as the hostile pass created with `users create`."""
    admin = make.user("admin", make.organisation("school"))
    session.commit()
    return {"Authorization": f"Bearer {make.token(admin)}"}


def test_another_schools_admin_cannot_take_over_an_enterprise_account(client, world, intruder):
    staff = world.users["enterprise_staff"]
    response = client.patch(f"/api/v1/users/{staff.id}", headers=intruder,
                            json={"password": "taken over 123"})
    assert response.status_code in (404, 422), response.get_json()
    assert sign_in(client, staff.email, "taken over 123").status_code == 401
    assert sign_in(client, staff.email, PASSWORD).status_code == 200


def test_another_schools_admin_reads_no_enterprise_e_mails(client, world, intruder):
    staff = world.users["enterprise_staff"]
    listed = client.get(f"/api/v1/users?organisation_id={world.enterprise.id}",
                        headers=intruder).get_json()
    assert listed["items"] == [] and listed["total"] == 0
    shown = client.get(f"/api/v1/users/{staff.id}", headers=intruder)
    assert (shown.status_code, shown.get_json()["code"]) == (404, "not_found")
    assert staff.email not in shown.get_data(as_text=True)


def test_another_schools_admin_neither_creates_nor_disables_enterprise_people(
        client, world, intruder):
    created = client.post("/api/v1/users", headers=intruder, json={
        "organisation_id": world.enterprise.id, "email": "mole@test.example",
        "full_name": "Mole", "role": "enterprise_staff", "password": "long enough pw"})
    assert (created.status_code, created.get_json()["code"]) == (403, "not_your_organisation")
    assert sign_in(client, "mole@test.example", "long enough pw").status_code == 401
    staff = world.users["enterprise_staff"]
    disabled = client.delete(f"/api/v1/users/{staff.id}", headers=intruder)
    assert disabled.status_code == 404
    assert sign_in(client, staff.email, PASSWORD).status_code == 200


def test_a_school_admin_neither_changes_nor_deletes_an_enterprise(client, world, intruder):
    url = f"/api/v1/organisations/{world.other_enterprise.id}"
    for headers in (intruder, world.headers("admin")):
        changed = client.patch(url, headers=headers, json={"name": "Renamed by a school"})
        assert changed.status_code == 403, changed.get_json()
        assert changed.get_json()["code"] == "not_your_organisation"
        deleted = client.delete(url, headers=headers)
        assert deleted.status_code == 403, deleted.get_json()
    assert client.get(url, headers=intruder).get_json()["name"] == world.other_enterprise.name


def test_a_school_admin_leaves_enterprise_bases_closures_and_equipment_alone(
        client, world, intruder):
    base = f"/api/v1/training-bases/{world.enterprise_base.id}"
    item = f"/api/v1/equipment/{world.enterprise_equipment.id}"
    attempts = [
        client.patch(base, headers=intruder, json={"address": "Seized"}),
        client.post(f"{base}/closures", headers=intruder, json={
            "starts_on": "2027-05-01", "ends_on": "2027-05-05", "reason": "Sabotage"}),
        client.delete(base, headers=intruder),
        client.patch(item, headers=intruder, json={"status": "retired"}),
        client.delete(item, headers=intruder),
    ]
    # Never offered to the intruder's school, they do not exist for it: 404, as for a GET.
    assert [(r.status_code, r.get_json()["code"]) for r in attempts] == [
        (404, "not_found")] * 5
    owner = world.headers("enterprise_staff")
    assert client.get(item, headers=owner).get_json()["status"] == "active"
    closures = client.get(f"{base}/closures", headers=owner).get_json()
    assert closures["total"] == 0
    # What was never offered to the intruder's school is not theirs to read either.
    for url in (item, base, f"{base}/closures"):
        shown = client.get(url, headers=intruder)
        assert (shown.status_code, shown.get_json()["code"]) == (404, "not_found")


def test_a_school_admin_cannot_list_equipment_owned_by_an_enterprise(client, world, intruder):
    response = client.post("/api/v1/equipment", headers=world.headers("admin"), json={
        "name": "Planted", "asset_tag": "PLANT-1", "base_id": world.enterprise_base.id,
        "category_id": world.category.id, "owner_organisation_id": world.enterprise.id})
    body = response.get_json()
    assert (response.status_code, body["code"]) == (403, "not_your_organisation")
    assert body["errors"] == {"owner_organisation_id": ["Not your organisation."]}


def test_only_operators_change_or_delete_the_shared_categories(client, world, intruder):
    url = f"/api/v1/equipment-categories/{world.category.id}"
    changed = client.patch(url, headers=intruder, json={"name": "Vandalised"})
    deleted = client.delete(url, headers=intruder)
    assert changed.status_code == 403 and deleted.status_code == 403
    assert client.get(url, headers=intruder).get_json()["name"] == world.category.name


def test_equipment_is_neither_placed_nor_moved_into_another_schools_base(
        client, world, make, session):
    other_school = make.organisation("school")
    foreign_base = make.base(other_school)
    session.commit()
    placed = client.post("/api/v1/equipment", headers=world.headers("admin"), json={
        "name": "Squatter", "asset_tag": "SQUAT-1", "base_id": foreign_base.id,
        "category_id": world.category.id})
    moved = client.patch(f"/api/v1/equipment/{world.equipment.id}",
                         headers=world.headers("admin"), json={"base_id": foreign_base.id})
    for response in (placed, moved):
        body = response.get_json()
        assert (response.status_code, body["code"]) == (403, "base_not_owned"), body
        assert body["errors"] == {"base_id": ["Not a base of the item's owner."]}
    assert client.get(f"/api/v1/equipment/{world.equipment.id}", headers=world.headers(
        "admin")).get_json()["base_id"] == world.base.id


def test_nobody_rejects_their_own_booking(client, world, make, session):
    lab = make.open_base(world.school)
    item = make.equipment(lab, world.category, world.school, requires_approval=True)
    session.commit()
    start = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0)
    booked = client.post("/api/v1/reservations", headers=world.headers("instructor"), json={
        "equipment_id": item.id, "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat()}).get_json()
    assert booked["status"] == "pending"
    response = client.post(f"/api/v1/reservations/{booked['id']}/reject",
                           headers=world.headers("instructor"), json={"reason": "Changed mind"})
    assert (response.status_code, response.get_json()["code"]) == (403, "own_reservation")
    again = client.get(f"/api/v1/reservations/{booked['id']}", headers=world.headers("admin"))
    assert again.get_json()["status"] == "pending"


def test_an_operator_onboards_a_new_school_once_and_cannot_take_it_over(client, world):
    """Found by our own hostile review: an operator planted a second admin, whose password it
    knew, and disabled the real one."""
    operator = world.headers("operator")
    school = client.post("/api/v1/organisations", headers=operator,
                         json={"name": "Hillside Technical School", "kind": "school"}).get_json()
    first = client.post("/api/v1/users", headers=operator, json={
        "organisation_id": school["id"], "email": "head@hillside.example", "full_name": "Head",
        "role": "admin", "password": "long enough pw"})
    assert first.status_code == 201 and first.get_json()["organisation_id"] == school["id"]
    second = client.post("/api/v1/users", headers=operator, json={
        "organisation_id": school["id"], "email": "plant@hillside.example",
        "full_name": "Plant", "role": "admin", "password": "operator knows it"})
    assert (second.status_code, second.get_json()["code"]) == (409, "already_onboarded")
    disabled = client.patch(f"/api/v1/users/{first.get_json()['id']}", headers=operator,
                            json={"is_active": False})
    assert (disabled.status_code, disabled.get_json()["code"]) == (403, "not_your_organisation")
    assert sign_in(client, "head@hillside.example", "long enough pw").status_code == 200
    assert sign_in(client, "plant@hillside.example", "operator knows it").status_code == 401


def test_the_platform_organisation_looks_like_no_organisation_to_an_admin(client, world):
    platform_id = world.users["operator"].organisation_id
    response = client.post("/api/v1/users", headers=world.headers("admin"), json={
        "organisation_id": platform_id, "email": "op@test.example", "full_name": "Op",
        "role": "operator", "password": "long enough pw"})
    body = response.get_json()
    assert (response.status_code, body["errors"]) == (
        422, {"organisation_id": ["Does not exist."]})


def test_nobody_grants_themselves_a_qualification(client, world):
    instructor = world.users["instructor"]
    response = client.post("/api/v1/qualifications", headers=world.headers("instructor"),
                           json={"user_id": instructor.id, "category_id": world.category.id})
    assert (response.status_code, response.get_json()["code"]) == (403, "own_qualification")
    mine = client.get("/api/v1/qualifications", headers=world.headers("instructor")).get_json()
    assert mine["total"] == 0
