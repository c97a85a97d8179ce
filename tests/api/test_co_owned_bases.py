"""Co-built bases: the organisation that runs one names its co-owners, who may place equipment."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from service.catalogue.models import Equipment


@pytest.fixture
def lab(client, world):
    """A co-built lab run by school A and co-owned by enterprise E1."""
    response = client.post("/api/v1/training-bases", headers=world.headers("admin"), json={
        "name": "Co-built EV lab", "kind": "co_built", "timezone": "Asia/Shanghai",
        "co_owner_ids": [world.enterprise.id]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def item(world, base_id, tag="EV-1"):
    return {"name": "Battery bench", "asset_tag": tag, "base_id": base_id,
            "category_id": world.category.id}


def test_a_co_built_base_lists_its_co_owners(lab, world):
    assert lab["organisation_id"] == world.school.id
    assert lab["co_owner_ids"] == [world.enterprise.id]


def test_a_co_owner_places_equipment_and_a_stranger_cannot(client, world, lab):
    placed = client.post("/api/v1/equipment", headers=world.headers("enterprise_staff"),
                         json=item(world, lab["id"]))
    assert placed.status_code == 201
    assert (placed.get_json()["owner_organisation_id"], placed.get_json()["base_id"]) == (
        world.enterprise.id, lab["id"])
    refused = client.post("/api/v1/equipment", headers=world.headers("other_staff"),
                          json=item(world, lab["id"], "EV-2"))
    assert (refused.status_code, refused.get_json()["code"]) == (403, "base_not_owned")


def test_co_owners_do_not_run_the_base(client, world, lab):
    response = client.patch(f"/api/v1/training-bases/{lab['id']}",
                            headers=world.headers("manager"), json={"address": "Ours now"})
    assert (response.status_code, response.get_json()["code"]) == (403, "not_your_base")


def test_only_a_co_built_base_has_co_owners(client, world):
    response = client.post("/api/v1/training-bases", headers=world.headers("admin"), json={
        "name": "Campus annex", "kind": "campus", "timezone": "Asia/Shanghai",
        "co_owner_ids": [world.enterprise.id]})
    body = response.get_json()
    assert (response.status_code, body["code"]) == (422, "co_owners_need_co_built")
    assert body["errors"] == {"co_owner_ids": ["Only for kind co_built."]}


def test_unknown_co_owners_are_named(client, world):
    response = client.post("/api/v1/training-bases", headers=world.headers("admin"), json={
        "name": "Lab", "kind": "co_built", "timezone": "Asia/Shanghai",
        "co_owner_ids": [world.enterprise.id, 999999]})
    body = response.get_json()
    assert (response.status_code, body["code"]) == (422, "validation_error")
    assert body["errors"] == {"co_owner_ids": ["No school or enterprise 999999."]}


def test_a_co_owner_with_equipment_there_cannot_be_removed(client, world, lab):
    client.post("/api/v1/equipment", headers=world.headers("enterprise_staff"),
                json=item(world, lab["id"]))
    url = f"/api/v1/training-bases/{lab['id']}"
    response = client.patch(url, headers=world.headers("admin"), json={"co_owner_ids": []})
    assert (response.status_code, response.get_json()["code"]) == (409, "still_referenced")
    assert client.get(url, headers=world.headers("admin")).get_json()["co_owner_ids"] == [
        world.enterprise.id]


def test_a_co_owner_without_equipment_there_is_removed_and_added(client, world, lab):
    url = f"/api/v1/training-bases/{lab['id']}"
    changed = client.patch(url, headers=world.headers("admin"),
                           json={"co_owner_ids": [world.other_enterprise.id]})
    assert changed.status_code == 200
    assert changed.get_json()["co_owner_ids"] == [world.other_enterprise.id]
    assert changed.get_json()["version"] == lab["version"] + 1
    refused = client.post("/api/v1/equipment", headers=world.headers("enterprise_staff"),
                          json=item(world, lab["id"]))
    assert refused.get_json()["code"] == "base_not_owned"


def test_postgresql_refuses_equipment_at_a_base_its_owner_does_not_own(session, world):
    """The guarantee is the foreign key, whatever a use case forgets to check."""
    session.add(Equipment(name="Smuggled", asset_tag="SMUG-1", base_id=world.base.id,
                          category_id=world.category.id,
                          owner_organisation_id=world.enterprise.id))
    with pytest.raises(IntegrityError, match="fk_equipment_placed_at_owned_base"):
        session.flush()
