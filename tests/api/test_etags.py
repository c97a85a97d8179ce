"""ETags on items, If-Match on changes (412 when stale), If-None-Match on reads (304)."""

from __future__ import annotations

from .problems import assert_problem


def test_get_answers_an_etag_and_304_when_unchanged(client, world):
    url = f"/api/v1/equipment/{world.equipment.id}"
    first = client.get(url, headers=world.headers("student"))
    assert first.status_code == 200
    etag = first.headers["ETag"]
    again = client.get(url, headers={**world.headers("student"), "If-None-Match": etag})
    assert again.status_code == 304


def test_update_with_current_etag_succeeds_and_moves_the_etag(client, world):
    url = f"/api/v1/equipment/{world.equipment.id}"
    etag = client.get(url, headers=world.headers("admin")).headers["ETag"]
    response = client.patch(url, json={"name": "Renamed"},
                            headers={**world.headers("admin"), "If-Match": etag})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Renamed"
    assert response.headers["ETag"] != etag


def test_update_with_stale_etag_is_412_and_changes_nothing(client, world):
    url = f"/api/v1/equipment/{world.equipment.id}"
    stale = client.get(url, headers=world.headers("admin")).headers["ETag"]
    client.patch(url, json={"name": "First"}, headers=world.headers("admin"))
    response = client.patch(url, json={"name": "Second"},
                            headers={**world.headers("admin"), "If-Match": stale})
    body = assert_problem(response, 412, "stale_etag")
    assert body["current_etag"] != stale
    assert client.get(url, headers=world.headers("admin")).get_json()["name"] == "First"


def test_delete_with_stale_etag_is_412(client, world):
    url = f"/api/v1/equipment-categories/{world.category.id}"
    response = client.delete(url, headers={**world.headers("operator"), "If-Match": '"999"'})
    assert_problem(response, 412, "stale_etag")


def test_if_match_star_and_weak_tags_are_understood(client, world):
    url = f"/api/v1/training-bases/{world.base.id}"
    etag = client.get(url, headers=world.headers("admin")).headers["ETag"]
    weak = client.patch(url, json={"address": "A"},
                        headers={**world.headers("admin"), "If-Match": f'"0", W/{etag}'})
    assert weak.status_code == 200
    star = client.patch(url, json={"address": "B"},
                        headers={**world.headers("admin"), "If-Match": "*"})
    assert star.status_code == 200


def test_garbled_if_match_is_400_naming_the_header(client, world):
    response = client.patch(f"/api/v1/equipment/{world.equipment.id}", json={"name": "x"},
                            headers={**world.headers("admin"), "If-Match": "not-a-tag"})
    body = assert_problem(response, 400, "invalid_header")
    assert "If-Match" in body["errors"]


def test_a_read_with_a_stale_if_match_is_412_problem_details_not_the_item(client, world):
    url = f"/api/v1/equipment/{world.equipment.id}"
    current = client.get(url, headers=world.headers("admin")).headers["ETag"]
    response = client.get(url, headers={**world.headers("admin"), "If-Match": '"999"'})
    body = assert_problem(response, 412, "precondition_failed")
    assert body["current_etag"] == current == response.headers["ETag"]
    assert "name" not in body and body["errors"] == {"If-Match": ["Not the current entity tag."]}
    fresh = client.get(url, headers={**world.headers("admin"), "If-Match": current})
    assert fresh.status_code == 200 and fresh.get_json()["id"] == world.equipment.id
    unchanged = client.get(url, headers={**world.headers("admin"), "If-None-Match": current})
    assert unchanged.status_code == 304


def test_if_match_star_holds_for_any_current_item_on_reads_and_writes(client, world):
    url = f"/api/v1/equipment/{world.equipment.id}"
    star = {**world.headers("admin"), "If-Match": "*"}
    read = client.get(url, headers=star)
    assert (read.status_code, read.mimetype) == (200, "application/json")
    assert read.get_json()["id"] == world.equipment.id
    assert read.headers["ETag"] == '"1"'
    unchanged = client.get(url, headers={**star, "If-None-Match": read.headers["ETag"]})
    assert (unchanged.status_code, unchanged.get_data()) == (304, b"")
    written = client.patch(url, json={"name": "Starred"}, headers=star)
    assert (written.status_code, written.get_json()["name"]) == (200, "Starred")
    assert written.headers["ETag"] == '"2"'
    stale_read = client.get(url, headers={**world.headers("admin"), "If-Match": '"1"'})
    assert assert_problem(stale_read, 412, "precondition_failed")["current_etag"] == '"2"'
    stale_write = client.patch(url, json={"name": "Late"},
                               headers={**world.headers("admin"), "If-Match": '"1"'})
    assert assert_problem(stale_write, 412, "stale_etag")["current_etag"] == '"2"'
