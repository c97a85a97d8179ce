"""Booking over HTTP: tomorrow's Shanghai wall-clock times, a reservation's body, its POST."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def tomorrow(hour: int, minute: int = 0, days: int = 1) -> datetime:
    return (datetime.now(SHANGHAI) + timedelta(days=days)).replace(
        hour=hour, minute=minute, second=0, microsecond=0)


def body(item, start=None, hours=1, **extra):
    start = start or tomorrow(10)
    return {"equipment_id": item.id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=hours)).isoformat(), **extra}


def post(client, world, role, payload, **headers):
    return client.post("/api/v1/reservations", json=payload,
                       headers={**world.headers(role), **headers})
