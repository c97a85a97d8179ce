"""What booking reads of an item, its base and its category, in one prepared statement."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.orm import Session

from ..accounts.models import Organisation
from ..calendar.wallclock import WeeklySpan, read_closing_time
from ..catalogue.models import Equipment, EquipmentCategory, OpeningHours, TrainingBase
from ..db import HotRow, HotStatement
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
    category_code: str
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
    # The base's whole history of weeks, each span with the local days it is in force:
    # wallclock.opening_windows picks each day's week.
    opening_hours: tuple[WeeklySpan, ...]

    @property
    def offered(self) -> bool:
        """An enterprise's item: booked only under an approved offer (but by its own staff)."""
        return self.owner_kind == "enterprise"

    def under_offer_for(self, organisation_id: int | None) -> bool:
        """Whether an organisation's people book the item under an offer: an enterprise's
        item, for anyone but the enterprise itself (its staff's internal reservations)."""
        return self.offered and organisation_id != self.owner_organisation_id


# BookingTarget's fields but opening_hours, each the column it is read from: rows carry them
# by these names, so an added or reordered field cannot shift the others.
TARGET_COLUMNS = {
    "id": Equipment.id, "name": Equipment.name, "asset_tag": Equipment.asset_tag,
    "status": Equipment.status, "base_id": Equipment.base_id, "base_name": TrainingBase.name,
    "timezone": TrainingBase.timezone, "category_id": Equipment.category_id,
    "category_code": EquipmentCategory.code, "category_name": EquipmentCategory.name,
    "owner_organisation_id": Equipment.owner_organisation_id, "owner_kind": Organisation.kind,
    "slot_minutes": Equipment.slot_minutes,
    "min_duration_minutes": Equipment.min_duration_minutes,
    "max_duration_minutes": Equipment.max_duration_minutes,
    "setup_buffer_minutes": Equipment.setup_buffer_minutes,
    "booking_horizon_days": Equipment.booking_horizon_days,
    "requires_approval": Equipment.requires_approval,
    "requires_qualification": Equipment.requires_qualification,
    "max_attendees": Equipment.max_attendees,
}


def booking_target(session: Session, equipment_id: int, *, lock: bool = False
                   ) -> BookingTarget:
    """The item to book (422 when it does not exist)."""
    target = find_booking_target(session, equipment_id, lock=lock)
    if target is None:
        raise no_such_equipment()
    return target


def no_such_equipment() -> Invalid:
    """The refusal of an item that does not exist, or not for the one booking (the same words,
    so a refusal never tells another organisation's people that an id is taken)."""
    return Invalid("No such equipment.", errors={"equipment_id": ["Does not exist."]})


def require_seen_by(target: BookingTarget, organisation_id: int) -> None:
    """A school's item exists only for its own school (docs/tenancy.md): another
    organisation's people meet it as an item that does not exist. An enterprise's item is
    judged by its offers (and its own staff book it internally)."""
    if not target.offered and target.owner_organisation_id != organisation_id:
        raise no_such_equipment()


@functools.cache
def target_statement(lock: bool) -> Select:
    """The item, its base, category and owner, and its opening hours with the days each is in
    force as JSON (FOR SHARE with lock)."""
    # Built once: constructing and keying a statement costs more than running it here.
    hours = select(func.coalesce(func.json_agg(func.json_build_array(
        OpeningHours.weekday, OpeningHours.opens, OpeningHours.closes,
        func.lower(OpeningHours.in_force), func.upper(OpeningHours.in_force))),
        text("'[]'::json"))
    ).where(OpeningHours.base_id == Equipment.base_id).scalar_subquery()
    stmt = (select(*(column.label(name) for name, column in TARGET_COLUMNS.items()),
                   hours.label("opening_hours"))
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


def target_of(row: HotRow) -> BookingTarget:
    """A BookingTarget from a row holding target_statement's columns (by their names)."""
    return BookingTarget(**{name: getattr(row, name) for name in TARGET_COLUMNS},
                         opening_hours=tuple(
        # JSON carries the stored text: a close may be '24:00:00', which `time` cannot hold.
        (day, time.fromisoformat(opens), read_closing_time(closes), _day(first), _day(until))
        for day, opens, closes, first, until in row.opening_hours))


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)
