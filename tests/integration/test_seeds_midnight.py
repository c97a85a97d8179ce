"""Demo data from seed files of one's own: a base's opening hours may close at midnight."""

from __future__ import annotations

import json
import shutil
from datetime import time

import pytest
from sqlalchemy import select

from service.calendar.wallclock import END_OF_DAY
from service.catalogue.models import TrainingBase
from service.config import PROJECT_ROOT
from service.seeding import load_demo

pytestmark = pytest.mark.slow

SEEDS = PROJECT_ROOT / "seeds"


def test_a_seeded_base_may_close_at_midnight(session, tmp_path):
    """Seed files write opening hours as the API does: a day's last span may close at
    "24:00" (stored as PostgreSQL's '24:00:00', read back as the end of the day)."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    bases = json.loads((seeds / "training_bases.json").read_text())
    bases[0]["opening_hours"][-1]["closes"] = "24:00"
    (seeds / "training_bases.json").write_text(json.dumps(bases))
    load_demo(session, seeds)
    base = session.scalar(select(TrainingBase).where(TrainingBase.name == bases[0]["name"]))
    last = bases[0]["opening_hours"][-1]
    closes = {h.weekday: h.closes for h in base.opening_hours
              if h.opens == time.fromisoformat(last["opens"])}
    assert closes == dict.fromkeys(last["weekdays"], END_OF_DAY)
