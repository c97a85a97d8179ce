"""A school imports its inventory: items matched by asset tag, checked as POST /equipment
checks one, committed all or nothing, the same file again changing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.catalogue.models import Equipment

from .rosters import EQUIPMENT_HEADER, csv_bytes, upload, xlsx_bytes

# Row -> (column, code) of each mistake in the broken inventory.
MISTAKES = {
    3: ("category", "unknown_category"),            # no such category
    4: ("base", "unknown_base"),                    # another school's base
    5: ("asset_tag", "duplicate_in_file"),          # the tag of row 2 again
    6: ("asset_tag", "asset_tag_taken"),            # another school's item's tag
    7: ("asset_tag", "invalid_asset_tag"),          # a space in the tag
    8: ("status", "invalid_status"),                # not a status
    9: ("slot_minutes", "not_a_number"),            # "half an hour"
    10: ("min_duration_minutes", "invalid_booking_rules"),  # 45 on a 30-minute grid
    11: ("requires_approval", "not_a_flag"),        # "maybe"
}


def inventory(world) -> list[list[str]]:
    """Twenty items at A's campus, the first being A's own item renamed (an update)."""
    rows = [[f"Lathe {n}", f"IMP-{n:03d}", world.category.code, world.base.name, "active",
             "30", "60", "yes" if n % 4 == 0 else "no"] for n in range(1, 20)]
    return [[f"{world.equipment.name} (renamed)", world.equipment.asset_tag,
             world.category.name, world.base.name.upper(), "", "", "", ""], *rows]


def broken_inventory(world) -> list[list[str]]:
    rows = inventory(world)
    row = {n: rows[n - 2] for n in MISTAKES}
    row[3][2] = "telescopes"
    row[4][3] = world.other_base.name
    row[5][1] = rows[0][1]
    row[6][1] = world.other_equipment.asset_tag
    row[7][1] = "IMP 007"
    row[8][4] = "broken"
    row[9][5] = "half an hour"
    row[10][6] = "45"
    row[11][7] = "maybe"
    return rows


def equipment_url(world) -> str:
    return f"/api/v1/organisations/{world.school.id}/imports/equipment"


def count_items(session, world) -> int:
    return session.scalar(select(func.count()).select_from(Equipment).where(
        Equipment.owner_organisation_id == world.school.id))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_inventory_with_mistakes_gets_a_report_by_row_and_column_and_writes_nothing(
        client, world, session, fmt):
    before = count_items(session, world)
    rows = broken_inventory(world)
    content = csv_bytes(EQUIPMENT_HEADER, rows) if fmt == "csv" else \
        xlsx_bytes(EQUIPMENT_HEADER, rows)
    response = upload(client, equipment_url(world), content, world.headers("admin"),
                      name=f"inventory.{fmt}", commit=True)
    body = response.get_json()
    assert response.status_code == 422, body
    assert body["code"] == "import_has_problems"
    report = body["report"]
    assert {(p["row"], p["column"], p["code"]) for p in report["problems"]} == {
        (row, column, code) for row, (column, code) in MISTAKES.items()}
    assert (report["created"], report["updated"]) == (10, 1)
    assert count_items(session, world) == before


def test_the_fixed_inventory_commits_and_the_same_file_again_changes_nothing(
        client, world, session):
    before = count_items(session, world)
    content = csv_bytes(EQUIPMENT_HEADER, inventory(world))
    response = upload(client, equipment_url(world), content, world.headers("admin"),
                      commit=True)
    body = response.get_json()
    assert response.status_code == 200, body
    assert (body["created"], body["updated"], body["unchanged"]) == (19, 1, 0)
    assert body["changes"][0] == {"row": 2, "action": "update",
                                  "key": world.equipment.asset_tag, "fields": ["name"]}
    assert count_items(session, world) == before + 19
    lathe = session.scalar(select(Equipment).where(Equipment.asset_tag == "IMP-004"))
    assert (lathe.base_id, lathe.owner_organisation_id, lathe.slot_minutes,
            lathe.min_duration_minutes, lathe.max_duration_minutes,
            lathe.requires_approval) == (world.base.id, world.school.id, 30, 60, 240, True)

    again = upload(client, equipment_url(world), content, world.headers("admin"), commit=True)
    body = again.get_json()
    assert again.status_code == 200, body
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 20)
    item = client.get(f"/api/v1/equipment/{world.equipment.id}", headers=world.headers("admin"))
    assert item.get_json()["name"].endswith("(renamed)")
    assert item.headers["ETag"] == '"2"'
