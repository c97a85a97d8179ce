"""Fixtures for booking tests that run the use cases with a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.db import db
from service.errors import DomainError
from service.reservations.policy import BookingPolicy

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2027-01-04, 00:00 in Shanghai: the tests' "now".
NOW = datetime(2027, 1, 4, tzinfo=SHANGHAI)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant `day` days after NOW's date, at a Shanghai wall-clock time."""
    return (NOW + timedelta(days=day)).replace(hour=hour, minute=minute)


def refused(code, call, *args, **kwargs) -> DomainError:
    """Run a use case that must refuse with `code`; roll back what it left behind."""
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    db.session.rollback()
    return caught.value


@dataclass
class Booking:
    world: object
    base: object
    lathe: object
    approval_item: object
    qualified_item: object
    policy: BookingPolicy

    @property
    def users(self):
        return self.world.users


@pytest.fixture
def booking(make, world, session):
    """A base open daily 06:00-22:00 with a lathe (30-min slots, 15-min buffer), an item that
    needs approval and one that needs a qualification."""
    base = make.open_base(world.school)
    lathe = make.equipment(base, world.category, world.school, name="Lathe", slot_minutes=30,
                           min_duration_minutes=30, max_duration_minutes=240,
                           setup_buffer_minutes=15, booking_horizon_days=60, max_attendees=4)
    approval_item = make.equipment(base, world.category, world.school, requires_approval=True)
    qualified_item = make.equipment(base, world.category, world.school,
                                    requires_qualification=True)
    session.commit()
    return Booking(world, base, lathe, approval_item, qualified_item, BookingPolicy())
