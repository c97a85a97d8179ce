"""One rule for instants in answers: UTC, whatever offset the client wrote (issue 10, 4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _utc(text: str) -> bool:
    return text.endswith("+00:00")


@pytest.mark.slow
def test_every_answer_gives_instants_in_utc(client, make, world, session):
    base = make.open_base(world.school)
    lathe = make.equipment(base, world.category, world.school)
    session.commit()
    start = (datetime.now(SHANGHAI) + timedelta(days=2)).replace(hour=10, minute=0, second=0,
                                                                microsecond=0)
    span = {"equipment_id": lathe.id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat()}
    booked = client.post("/api/v1/reservations", headers=world.headers("instructor"), json=span)
    assert booked.status_code == 201, booked.get_json()
    assert _utc(booked.get_json()["starts_at"]) and _utc(booked.get_json()["ends_at"])
    joined = client.post("/api/v1/waitlist", headers=world.headers("student"), json=span)
    assert joined.status_code == 201, joined.get_json()
    listed = client.get("/api/v1/waitlist", headers=world.headers("student")).get_json()
    [entry] = [e for e in listed["items"] if e["id"] == joined.get_json()["id"]]
    assert (joined.get_json()["starts_at"], joined.get_json()["ends_at"]) \
        == (entry["starts_at"], entry["ends_at"])
    assert _utc(entry["starts_at"]) and _utc(entry["ends_at"])
    seen = client.get(f"/api/v1/equipment/{lathe.id}/availability",
                      headers=world.headers("student"),
                      query_string={"from": start.isoformat(),
                                    "to": (start + timedelta(hours=3)).isoformat()}).get_json()
    assert _utc(seen["from"]) and _utc(seen["to"])
    assert all(_utc(s["starts_at"]) for s in seen["free"] + seen["busy"])
