"""Figures computed now from the bookings, not stored: what a build writes, and what the read
side shows of a period under way or not built yet."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..calendar import wallclock
from .figures import FIGURES, figures_params


def compute_periods(session: Session, granularity: str, starts: list[date],
                    equipment_ids: list[int] | None = None) -> dict[date, list[dict]]:
    """Each period's figures per item, computed now (not stored), in one statement."""
    figures: dict[date, list[dict]] = {start: [] for start in starts}
    if not starts:
        return figures
    periods = [(start, wallclock.period_end(start, granularity)) for start in sorted(figures)]
    for row in session.execute(FIGURES, figures_params(granularity, periods, equipment_ids)):
        values = dict(row._mapping)
        figures[values.pop("period_start")].append(values)
    return figures


def compute_figures(session: Session, granularity: str, period_start: date,
                    equipment_ids: list[int] | None = None) -> list[dict]:
    """The period's figures per item, computed now (not stored)."""
    return compute_periods(session, granularity, [period_start], equipment_ids)[period_start]
