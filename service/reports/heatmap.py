"""The heat map: open and booked hours, and occupancy, by local weekday x local hour.

Open hours are the utilisation report's available hours of the items in scope, booked hours
its booked hours (within what is available), so the map's totals are the report's; occupancy
is booked / open, none where nothing was open (a closed hour, not an idle one). The hours come
from `hours.hour_sums`: kept with each built day, the other days computed now.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .hours import hour_sums

SECONDS_PER_HOUR = Decimal(3600)


def heatmap_cells(session, first: date, end: date, *, owner_id: int | None = None,
                  base_id: int | None = None, category_id: int | None = None,
                  kept: dict[date, int] | None = None) -> list[dict]:
    """All 168 cells (ISO weekday 1-7 x hour 0-23, in that order) of the items in scope over
    the local days first..end (exclusive); `kept`: the days kept (hours.kept_days)."""
    return cells_of(hour_sums(session, first, end, kept, owner_id=owner_id, base_id=base_id,
                              category_id=category_id))


def _hours(seconds) -> float:
    return float(round(Decimal(seconds) / SECONDS_PER_HOUR, 4))


def cells_of(sums: dict[tuple[int, int], list]) -> list[dict]:
    """Every cell of the week from (weekday, hour) -> [open, booked] seconds: zero where
    nothing was open, and then no occupancy."""
    cells = []
    for weekday in range(1, 8):
        for hour in range(24):
            open_seconds, booked_seconds = sums.get((weekday, hour), (0, 0))
            open_ = Decimal(open_seconds)
            cells.append({
                "weekday": weekday, "hour": hour, "booked_hours": _hours(booked_seconds),
                "open_hours": _hours(open_seconds),
                "occupancy": float(round(Decimal(booked_seconds) / open_, 4)) if open_ else None})
    return cells


def totals(cells: list[dict]) -> dict:
    """The map's totals: booked and open hours, and what they are shares of."""
    return {"booked_hours": round(sum(c["booked_hours"] for c in cells), 4),
            "open_hours": round(sum(c["open_hours"] for c in cells), 4),
            "unit": "share_of_open_hours"}
