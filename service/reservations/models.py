"""Tables of the booking engine. PostgreSQL itself forbids overlapping active reservations."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Time,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import ColumnElement

from ..accounts.models import User
from ..accounts.permissions import QUOTA_ROLES
from ..calendar import sql, statuses
from ..catalogue.models import Equipment, EquipmentCategory
from ..classes.models import SchoolClass
from ..db import IdMixin, StatusEventMixin, VersionedMixin, db, one_of

STATUSES = (*statuses.ACTIVE, *statuses.FINISHED)
# The exclusion constraint's predicate (the migration that made it holds the same text).
BLOCKING_SQL = f"status IN ({sql.listed(statuses.BLOCKING)})"


class Reservation(IdMixin, VersionedMixin, db.Model):
    """One holder on one item for [starts_at, ends_at); the item stays blocked until
    blocked_until (the end plus the item's setup buffer at booking time)."""

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("blocked_until > starts_at", name="blocked_span_not_empty"),
        # The promise: no two active reservations of one item overlap, buffers included.
        ExcludeConstraint(
            ("equipment_id", "="),
            (func.tstzrange(text("starts_at"), text("blocked_until")), "&&"),
            name="no_overlapping_active_reservations",
            using="gist",
            where=text(BLOCKING_SQL),
        ),
        Index("ix_reservations_equipment_id_starts_at", "equipment_id", "starts_at"),
        Index("ix_reservations_holder_id_starts_at", "holder_id", "starts_at"),
        Index("ix_reservations_status_starts_at", "status", "starts_at"),
        # An offer's weekly budget sums its bookings of one week.
        Index("ix_reservations_offer_id_starts_at", "offer_id", "starts_at"),
    )

    equipment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("equipment.id", ondelete="RESTRICT"))
    holder_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"))
    series_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("series.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    blocked_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purpose: Mapped[str] = mapped_column(String(500), default="", server_default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hold_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A booking of an enterprise's item is made under one approved offer (its windows and
    # weekly budget); when that offer asks for approval, the enterprise decides by decide_by.
    offer_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("offers.id", ondelete="RESTRICT"))
    decide_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Booked for a class by its name (its members then its attendees); a class deleted since
    # leaves the booking and its attendees as they were.
    class_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("classes.id", ondelete="SET NULL"), index=True)

    equipment: Mapped[Equipment] = relationship(lazy="joined", innerjoin=True)
    school_class: Mapped[SchoolClass | None] = relationship(lazy="selectin", viewonly=True)
    holder: Mapped[User] = relationship(foreign_keys=[holder_id], lazy="joined", innerjoin=True)
    attendees: Mapped[list[ReservationAttendee]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")

    @classmethod
    def blocks(cls, start, end) -> ColumnElement[bool]:
        """SQL: the reservation holds its item somewhere in [start, end), its setup buffer
        included: the test of the exclusion constraint above, for queries."""
        # The statuses as constants, not parameters: a prepared statement's generic plan can
        # then use the constraint's partial index (with parameters it reads every booking of
        # the item), so the plan cache keeps it instead of planning on every call.
        holding = cls.status.in_([literal_column(f"'{status}'") for status in statuses.BLOCKING])
        return holding & func.tstzrange(cls.starts_at, cls.blocked_until).op("&&")(
            func.tstzrange(start, end))

    @property
    def attendee_ids(self) -> list[int]:
        return [a.user_id for a in self.attendees]


class ReservationAttendee(db.Model):
    __tablename__ = "reservation_attendees"

    reservation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("reservations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True, index=True)
    # Attendees of a class are checked in one by one; their practice runs from here to the
    # reservation's check-out (or its end).
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Loaded with the attendees, for a whole page of reservations at once (their names).
    user: Mapped[User] = relationship(lazy="selectin", viewonly=True)


def attendance_of(reservation) -> list[dict]:
    """Each attendee with their name and check-in instant (null until checked in), as a
    reservation's answer shows them. A booking just made (booking.Booked, not a row) has
    nobody checked in yet, and its attendees' names are read in one statement."""
    ids = sorted(reservation.attendee_ids)
    if not ids:
        return []
    if isinstance(reservation, Reservation):
        return [{"user_id": a.user_id, "name": a.user.full_name, "checked_in_at": a.checked_in_at}
                for a in sorted(reservation.attendees, key=lambda a: a.user_id)]
    checked: dict = {}
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
    return [{"user_id": i, "name": names.get(i, ""), "checked_in_at": checked.get(i)}
            for i in ids]


class ReservationEvent(IdMixin, StatusEventMixin, db.Model):
    """Every change of a reservation: who, when, from which status to which, and why."""

    __tablename__ = "reservation_events"

    reservation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("reservations.id", ondelete="CASCADE"), index=True)


class Series(IdMixin, db.Model):
    """Weekly class sessions booked and managed together."""

    __tablename__ = "series"
    __table_args__ = (CheckConstraint("duration_minutes > 0", name="duration_positive"),)

    equipment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("equipment.id", ondelete="RESTRICT"), index=True)
    holder_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="RESTRICT"))
    created_by_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"))
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    local_start: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    until_on: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(500), default="", server_default="")
    class_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("classes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    school_class: Mapped[SchoolClass | None] = relationship(lazy="selectin", viewonly=True)
    # Its item (and base: the zone its answer names), read after it in one more statement
    # (not joined: the locking reads of these rows stay on their own table).
    equipment: Mapped[Equipment] = relationship(lazy="selectin", viewonly=True)


class Blackout(IdMixin, db.Model):
    """A span in which an item cannot be booked: maintenance, calibration, exams."""

    __tablename__ = "blackouts"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),
                      Index("ix_blackouts_equipment_id_starts_at", "equipment_id", "starts_at"))

    equipment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("equipment.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    # Its item (and base: the zone its answer names), read after it in one more statement
    # (not joined: the locking reads of these rows stay on their own table).
    equipment: Mapped[Equipment] = relationship(lazy="selectin", viewonly=True)


WAITLIST_STATUSES = ("waiting", "offered", "fulfilled", "expired", "cancelled")


class WaitlistEntry(IdMixin, db.Model):
    """A wish for an item and span that was taken when it was made."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint(one_of("status", WAITLIST_STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_waitlist_entries_equipment_id_status", "equipment_id", "status"),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    equipment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("equipment.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purpose: Mapped[str] = mapped_column(String(500), default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default="waiting", server_default="waiting")
    reservation_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("reservations.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    # Its item (and base: the zone its answer names), read after it in one more statement
    # (not joined: the locking reads of these rows stay on their own table).
    equipment: Mapped[Equipment] = relationship(lazy="selectin", viewonly=True)


class BookingQuota(IdMixin, db.Model):
    """An organisation's limits for one role, on every category (category_id NULL) or on one:
    a booking must pass both its holder's role's quota for every category and the one for
    its item's category. A school's admins set its roles'; an enterprise's managers set its
    staff's (their internal bookings of its own equipment)."""

    __tablename__ = "booking_quotas"
    __table_args__ = (
        CheckConstraint(one_of("role", QUOTA_ROLES), name="role"),
        CheckConstraint("weekly_hours IS NULL OR weekly_hours >= 0", name="weekly_hours"),
        CheckConstraint("active_reservations IS NULL OR active_reservations >= 0",
                        name="active_reservations"),
        # One quota per role and category, "every category" (NULL) included.
        Index("uq_booking_quotas_organisation_id_role_category_id", "organisation_id", "role",
              text("coalesce(category_id, 0)"), unique=True),
    )

    organisation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    category_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("equipment_categories.id", ondelete="CASCADE"))
    weekly_hours: Mapped[int | None] = mapped_column(Integer)
    active_reservations: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[EquipmentCategory | None] = relationship(lazy="joined", viewonly=True)
