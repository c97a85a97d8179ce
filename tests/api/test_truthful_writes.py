"""Every write answers what a following GET shows (issue 10, finding 2)."""

from __future__ import annotations


def test_moving_an_item_to_another_base_answers_the_new_base_and_zone(client, make, world,
                                                                      session):
    berlin = make.base(world.school, name="Berlin annex", timezone="Europe/Berlin")
    session.commit()
    session.expunge_all()  # as a server's request starts: nothing loaded yet
    url = f"/api/v1/equipment/{world.equipment.id}"
    moved = client.patch(url, headers=world.headers("admin"), json={"base_id": berlin.id})
    assert moved.status_code == 200, moved.get_json()
    after = client.get(url, headers=world.headers("admin"))
    assert (moved.get_json()["base_name"], moved.get_json()["timezone"]) \
        == ("Berlin annex", "Europe/Berlin")
    assert moved.get_json() == after.get_json()
    assert moved.headers["ETag"] == after.headers["ETag"]


def test_changing_an_items_category_answers_the_new_code(client, make, world, session):
    robots = make.category(code="robots-x", name="Robots X")
    session.commit()
    session.expunge_all()
    url = f"/api/v1/equipment/{world.equipment.id}"
    changed = client.patch(url, headers=world.headers("admin"),
                           json={"category_id": robots.id})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["category_code"] == "robots-x"
    assert changed.get_json() == client.get(url, headers=world.headers("admin")).get_json()
