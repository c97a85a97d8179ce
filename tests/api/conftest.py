"""Fixtures shared by the HTTP tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def item(make, world, session):
    """A lathe at a base open daily 06:00-22:00, 30-minute slots, 15-minute buffer."""
    base = make.open_base(world.school)
    lathe = make.equipment(base, world.category, world.school, name="Lathe",
                           setup_buffer_minutes=15, booking_horizon_days=30, max_attendees=3)
    session.commit()
    return lathe
