"""What booking reads of an item, its base and its category, in one prepared statement."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import time

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from ..accounts.models import Organisation
from ..calendar.wallclock import read_closing_time
from ..catalogue.models import Equipment, EquipmentCategory, OpeningHours, TrainingBase
from ..db import HotStatement
from ..errors import Invalid


@dataclass(frozen=True)
class BookingTarget:
    """What booking needs to know of an item, its base and category, read in one statement."""

    id: int
    name: str
    asset_tag: str
    status: str
    base_id: int
    base_name: str
    timezone: str
    category_id: int
    category_name: str
    owner_organisation_id: int
    owner_kind: str
    slot_minutes: int
    min_duration_minutes: int
    max_duration_minutes: int
    setup_buffer_minutes: int
    booking_horizon_days: int
    requires_approval: bool
    requires_qualification: bool
    max_attendees: int
    opening_hours: tuple[tuple[int, time, time], ...]

    @property
    def offered(self) -> bool:
        """An enterprise's item: booked only under an approved offer."""
        return self.owner_kind == "enterprise"


_TARGET_COLUMNS = (
    Equipment.id, Equipment.name, Equipment.asset_tag, Equipment.status, Equipment.base_id,
    TrainingBase.name, TrainingBase.timezone, Equipment.category_id, EquipmentCategory.name,
    Equipment.owner_organisation_id, Organisation.kind, Equipment.slot_minutes,
    Equipment.min_duration_minutes, Equipment.max_duration_minutes, Equipment.setup_buffer_minutes,
    Equipment.booking_horizon_days, Equipment.requires_approval,
    Equipment.requires_qualification, Equipment.max_attendees)


def booking_target(session: Session, equipment_id: int, *, lock: bool = False
                   ) -> BookingTarget:
    """The item to book (422 when it does not exist)."""
    target = find_booking_target(session, equipment_id, lock=lock)
    if target is None:
        raise Invalid("No such equipment.", errors={"equipment_id": ["Does not exist."]})
    return target


@functools.cache
def target_statement(lock: bool):
    """The item, its base, category and owner, and its opening hours as JSON (FOR SHARE with
    lock)."""
    # Built once: constructing and keying a statement costs more than running it here.
    hours = select(func.coalesce(func.json_agg(func.json_build_array(
        OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes)), text("'[]'::json"))
    ).where(OpeningHours.base_id == Equipment.base_id).scalar_subquery()
    stmt = (select(*_TARGET_COLUMNS, hours)
            .join(TrainingBase, TrainingBase.id == Equipment.base_id)
            .join(EquipmentCategory, EquipmentCategory.id == Equipment.category_id)
            .join(Organisation, Organisation.id == Equipment.owner_organisation_id)
            .where(Equipment.id == bindparam("equipment_id")))
    return stmt.with_for_update(read=True, of=Equipment) if lock else stmt


_TARGETS = {lock: HotStatement(functools.partial(target_statement, lock)) for lock in (False, True)}


def find_booking_target(session: Session, equipment_id: int, *, lock: bool = False
                        ) -> BookingTarget | None:
    """The item, or None; with lock, FOR SHARE: bookings of one item run side by side but
    wait for a blackout being placed on it."""
    # A HotStatement: run by psycopg itself, no ORM or Core result handling on the hot path.
    row = _TARGETS[lock].first(session, {"equipment_id": equipment_id})
    return None if row is None else target_of(row)


def target_of(row) -> BookingTarget:
    """A BookingTarget from a row of target_statement's columns."""
    *values, spans = row
    return BookingTarget(*values, opening_hours=tuple(
        # JSON carries the stored text: a close may be '24:00:00', which `time` cannot hold.
        (day, time.fromisoformat(opens), read_closing_time(closes))
        for day, opens, closes in spans))
