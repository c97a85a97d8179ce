"""Tables of the catalogue: where equipment is, what it is, its booking rules, who may use it."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    cast,
    column,
    func,
    table,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import DATERANGE, ExcludeConstraint, Range
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..accounts.models import Organisation, User
from ..calendar.wallclock import END_OF_DAY, WeeklySpan, local, read_closing_time
from ..db import IdMixin, VersionedMixin, db, one_of, utcnow

BASE_KINDS = ("campus", "enterprise", "co_built")

# The reservations table as far as the catalogue asks of it (whether an item has any: then its
# base and its zone are part of its history). The booking side sits above the catalogue, so the
# catalogue names the table rather than importing its model.
RESERVATIONS = table("reservations", column("equipment_id", BigInteger))
EQUIPMENT_STATUSES = ("active", "maintenance", "retired")


class ClosingTime(TypeDecorator):
    """A span's closing wall-clock time: a PostgreSQL `time`, which may be '24:00:00' (the end
    of the day), read and written in Python as a `time` with END_OF_DAY for 24:00. psycopg
    cannot load '24:00:00' into a `time`, so the column leaves the database as text."""

    impl = Time
    cache_ok = True

    def bind_expression(self, bindvalue):
        return cast(bindvalue, Time)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return "24:00:00" if value == END_OF_DAY else value.isoformat()

    def column_expression(self, column):
        return type_coerce(cast(column, Text), self)

    def process_result_value(self, value, dialect):
        if value is None or isinstance(value, time):
            return value
        return read_closing_time(value)


class TrainingBase(IdMixin, VersionedMixin, db.Model):
    __tablename__ = "training_bases"
    __table_args__ = (CheckConstraint(one_of("kind", BASE_KINDS), name="kind"),)

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    address: Mapped[str] = mapped_column(Text, default="", server_default="")
    timezone: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")

    organisation: Mapped[Organisation] = relationship()
    # Every week the base has had or will have, each row with the local days it is in force
    # (OpeningHours.in_force): the history, not only today's week (see hours_on).
    opening_hours: Mapped[list[OpeningHours]] = relationship(
        cascade="all, delete-orphan",
        order_by="(OpeningHours.in_force, OpeningHours.weekday, OpeningHours.opens)",
        lazy="selectin")
    owners: Mapped[list[TrainingBaseOwner]] = relationship(
        cascade="all, delete-orphan", order_by="TrainingBaseOwner.organisation_id",
        lazy="selectin")

    @property
    def co_owner_ids(self) -> list[int]:
        return [o.organisation_id for o in self.owners if o.organisation_id != self.organisation_id]

    # The local day an answer shows the hours of (GET ?on=); None: today. Not a column.
    as_of = None

    @property
    def answered_day(self) -> date:
        return self.as_of or self.today()

    @property
    def answered_hours(self) -> list[OpeningHours]:
        """The week in force on the day answered (the answer's `opening_hours`)."""
        return self.hours_on(self.answered_day)

    @property
    def hours_changes(self) -> list[dict]:
        """Each later day the week changes, with the week from then on: after today, the
        changes scheduled."""
        after = self.answered_day
        days = sorted({bound for h in self.opening_hours if h.in_force is not None
                       for bound in (h.in_force.lower, h.in_force.upper)
                       if bound is not None and bound > after})
        return [{"effective_from": day, "opening_hours": self.hours_on(day)} for day in days]

    def today(self, now: datetime | None = None) -> date:
        """The base's local day now."""
        return local(now or utcnow(), self.timezone).date()

    def hours_on(self, day: date) -> list[OpeningHours]:
        """The week in force on a local day."""
        return [h for h in self.opening_hours if h.in_force_on(day)]

    @property
    def weekly_hours(self) -> list[WeeklySpan]:
        """Every row of the history as the calendar reads it (wallclock.opening_windows)."""
        return [h.weekly_span for h in self.opening_hours]


class TrainingBaseOwner(db.Model):
    """An organisation that may place its equipment at a base: the one that runs it, and for a
    co-built base each explicit co-owner. Equipment refers to this row, so PostgreSQL itself
    refuses an item at a base its owner neither owns nor co-owns."""

    __tablename__ = "training_base_owners"

    base_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("training_bases.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="RESTRICT"), primary_key=True,
        index=True)


# Since the beginning and for ever: the week of a base that never changed its hours.
ALWAYS = Range(None, None, bounds="()")


class OpeningHours(IdMixin, db.Model):
    """One span of a weekday (ISO 1 = Monday) in the base's own time zone, in force on the
    local days of `in_force` (half-open; unbounded below: since the beginning)."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
        CheckConstraint("NOT isempty(in_force)", name="in_force_not_empty"),
        # No two spans of one weekday overlap on any day they are both in force: a history
        # holds one week per day, whatever edits and corrections made it.
        ExcludeConstraint(
            (text("base_id"), "="), (text("weekday"), "="), (text("in_force"), "&&"),
            (text("numrange(extract(epoch FROM opens), extract(epoch FROM closes))"), "&&"),
            using="gist", name="no_overlapping_hours_in_force"),
    )

    base_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("training_bases.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(ClosingTime)
    in_force: Mapped[Range[date]] = mapped_column(DATERANGE, default=ALWAYS,
                                                  server_default="(,)")

    def in_force_on(self, day: date) -> bool:
        return self.in_force is None or self.in_force.contains(day)

    @property
    def weekly_span(self) -> WeeklySpan:
        force = self.in_force or ALWAYS
        return (self.weekday, self.opens, self.closes, force.lower, force.upper)


class Closure(IdMixin, db.Model):
    """Whole days (inclusive, in the base's time zone) the base is closed: holidays, works."""

    __tablename__ = "closures"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    base_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("training_bases.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())


class EquipmentCategory(IdMixin, VersionedMixin, db.Model):
    __tablename__ = "equipment_categories"
    __table_args__ = (CheckConstraint("code ~ '^[a-z0-9][a-z0-9_-]*$'", name="code_slug"),)

    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Its name in Simplified Chinese ('' until an operator gives one).
    name_zh: Mapped[str] = mapped_column(String(200), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")


class Equipment(IdMixin, VersionedMixin, db.Model):
    __tablename__ = "equipment"
    __table_args__ = (
        CheckConstraint(one_of("status", EQUIPMENT_STATUSES), name="status"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 1440 AND mod(1440, slot_minutes) = 0",
                        name="slot_divides_day"),
        CheckConstraint("min_duration_minutes > 0 AND mod(min_duration_minutes, slot_minutes) = 0",
                        name="min_duration_in_slots"),
        CheckConstraint("max_duration_minutes >= min_duration_minutes AND "
                        "mod(max_duration_minutes, slot_minutes) = 0 AND "
                        "max_duration_minutes <= 10080", name="max_duration_in_slots"),
        CheckConstraint("setup_buffer_minutes BETWEEN 0 AND 1440", name="setup_buffer"),
        CheckConstraint("booking_horizon_days BETWEEN 1 AND 730", name="booking_horizon"),
        CheckConstraint("max_attendees BETWEEN 1 AND 500", name="max_attendees"),
        Index("ix_equipment_name_lower", text("lower(name)")),
        Index("uq_equipment_asset_tag_in_service", "asset_tag", unique=True,
              postgresql_where=text("status <> 'retired'")),
        CheckConstraint("(status = 'retired') = (retired_at IS NOT NULL)", name="retired_at"),
        # Placed only where its owner owns or co-owns the base (see TrainingBaseOwner).
        ForeignKeyConstraint(
            ["base_id", "owner_organisation_id"],
            ["training_base_owners.base_id", "training_base_owners.organisation_id"],
            name="fk_equipment_placed_at_owned_base", ondelete="RESTRICT"),
    )

    base_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("training_bases.id", ondelete="RESTRICT"), index=True)
    owner_organisation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    category_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("equipment_categories.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Unique among items in service (uq_equipment_asset_tag_in_service): a retired item's tag
    # may be listed again, e.g. for the same machine at another base.
    asset_tag: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active",
                                        index=True)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    min_duration_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    max_duration_minutes: Mapped[int] = mapped_column(Integer, default=240, server_default="240")
    setup_buffer_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    booking_horizon_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default="false")
    requires_qualification: Mapped[bool] = mapped_column(Boolean, default=False,
                                                         server_default="false")
    max_attendees: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # When it left service (status 'retired'): reports count it in every period up to then.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    base: Mapped[TrainingBase] = relationship(lazy="joined")
    category: Mapped[EquipmentCategory] = relationship(lazy="joined")
    owner: Mapped[Organisation] = relationship(lazy="joined")

    # The zone the item's time is read in: its base's (as BookingTarget.timezone).
    timezone = property(lambda self: self.base.timezone)

    @validates("status")
    def _retire(self, key, status):
        # However the status is set (the API, the seeds, a test), retiring records when: the
        # reports keep the item in the periods it was in service.
        if status == "retired" and self.retired_at is None:
            self.retired_at = utcnow()
        return status


class Qualification(IdMixin, VersionedMixin, db.Model):
    """A user's permission to use one category of equipment, granted by an instructor."""

    __tablename__ = "qualifications"
    __table_args__ = (
        # At most one standing (unrevoked) qualification per user and category.
        Index("uq_qualifications_standing", "user_id", "category_id", unique=True,
              postgresql_where=text("revoked_at IS NULL")),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("equipment_categories.id", ondelete="RESTRICT"))
    granted_by_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"))
    granted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"))
    note: Mapped[str] = mapped_column(String(500), default="", server_default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    category: Mapped[EquipmentCategory] = relationship(lazy="joined")

    @hybrid_method
    def valid_at(self, at: datetime) -> bool:
        """Standing at `at`: not revoked, and not expired by then (in Python or in SQL)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    @valid_at.expression
    def valid_at(cls, at):
        return cls.revoked_at.is_(None) & (cls.expires_at.is_(None) | (cls.expires_at > at))

    @property
    def is_valid(self) -> bool:
        return self.valid_at(utcnow())
