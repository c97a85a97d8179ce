"""Scheduled body of idle equipment: judge the last complete weeks, tell owners once."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from .services import find_idle_equipment

log = logging.getLogger("benchshare.idle")


def judge_idle_equipment(session: Session, now: datetime | None = None, *, weeks: int,
                         threshold: float) -> int:
    """Judge the last complete week (again: the same findings, no second notice), so a daily
    run catches up the week after downtime. Returns how many items were found idle."""
    judgement = find_idle_equipment(session, now=now, weeks=weeks, threshold=threshold)
    if judgement.owners_told:
        log.info("idle equipment, week of %s: %d item(s), %d owner(s) told",
                 judgement.week_start, judgement.findings, judgement.owners_told)
    return judgement.findings
