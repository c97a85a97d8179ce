"""Tables of utilisation reports: one row per item and period, and a record of every build."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..calendar import sql, statuses
from ..db import IdMixin, db, one_of
from ..reservations.models import Reservation

GRANULARITIES = ("day", "week", "month")
TRIGGERS = ("schedule", "rebuild", "backfill", "correction")
RUN_STATUSES = ("running", "succeeded", "failed")
HOURS = Numeric(12, 4)


class UtilisationRow(IdMixin, db.Model):
    """One item over one local day, ISO week or month of its base's zone; a rebuild of the
    period replaces the row (the unique key), never adds a second."""

    __tablename__ = "utilisation_rows"
    __table_args__ = (
        CheckConstraint(one_of("granularity", GRANULARITIES), name="granularity"),
        UniqueConstraint("granularity", "period_start", "equipment_id",
                         name="uq_utilisation_rows_period_item"),
        Index("ix_utilisation_rows_equipment_id", "equipment_id"),
    )

    granularity: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)  # local, in the item's base zone
    equipment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("equipment.id", ondelete="CASCADE"))
    # Where the item stood and whose it was when the row was built: later moves do not
    # rewrite a closed period.
    base_id: Mapped[int] = mapped_column(BigInteger)
    category_id: Mapped[int] = mapped_column(BigInteger)
    owner_organisation_id: Mapped[int] = mapped_column(BigInteger)
    is_enterprise: Mapped[bool] = mapped_column(Boolean)
    available_hours: Mapped[Decimal] = mapped_column(HOURS)
    booked_hours: Mapped[Decimal] = mapped_column(HOURS)
    used_hours: Mapped[Decimal] = mapped_column(HOURS)
    # Of the available hours, those inside approved offers (0 for a school's item).
    offered_hours: Mapped[Decimal] = mapped_column(HOURS, server_default="0")
    no_shows: Mapped[int] = mapped_column(Integer)
    cancellations: Mapped[int] = mapped_column(Integer)
    late_cancellations: Mapped[int] = mapped_column(Integer)
    lapses: Mapped[int] = mapped_column(Integer, server_default="0")  # requests never decided
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                               server_default=func.now())


class ReportRun(IdMixin, db.Model):
    """One build of one period: by the schedule, an explicit rebuild, or a backfill."""

    __tablename__ = "report_runs"
    __table_args__ = (
        CheckConstraint(one_of("granularity", GRANULARITIES), name="granularity"),
        CheckConstraint(one_of("trigger", TRIGGERS), name="trigger"),
        CheckConstraint(one_of("status", RUN_STATUSES), name="status"),
        Index("ix_report_runs_granularity_period_start", "granularity", "period_start"),
    )

    granularity: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(Date)
    trigger: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10))
    rows: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A daily build since the heat map's hours were kept (utilisation_hours) wrote them too.
    hours_kept: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    error: Mapped[str] = mapped_column(Text, default="", server_default="")


class UtilisationHour(IdMixin, db.Model):
    """Open and booked seconds of one local day's wall hour, per base, category and owner (what
    the heat map filters by), written by the day's build (reports/hours.py)."""

    __tablename__ = "utilisation_hours"
    __table_args__ = (
        UniqueConstraint("day", "base_id", "category_id", "owner_organisation_id", "hour",
                         name="uq_utilisation_hours_day_group_hour"),
        CheckConstraint("hour BETWEEN 0 AND 23", name="hour"),
    )

    day: Mapped[date] = mapped_column(Date)  # local, in the base's zone
    hour: Mapped[int] = mapped_column(SmallInteger)  # wall hour, 0-23
    # Where the items stood and whose they were when the day was built, as utilisation_rows.
    base_id: Mapped[int] = mapped_column(BigInteger)
    category_id: Mapped[int] = mapped_column(BigInteger)
    owner_organisation_id: Mapped[int] = mapped_column(BigInteger)
    open_seconds: Mapped[Decimal] = mapped_column(Numeric)  # summed over the items
    booked_seconds: Mapped[Decimal] = mapped_column(Numeric)


# The reports' own index on reservations (migration 0009): each reservation's span per item,
# every status, so that a period's reservations are found without the item's whole history.
Index("ix_reservations_equipment_id_span", Reservation.equipment_id,
      func.tstzrange(Reservation.starts_at, Reservation.ends_at), postgresql_using="gist")

# The drill-down's (migration 0017): each item's booked reservations by length, whose last
# entry says how far before a wall hour a reservation reaching into it may start.
Index("ix_reservations_equipment_id_booked_length", Reservation.equipment_id,
      Reservation.ends_at - Reservation.starts_at,
      postgresql_where=text(f"status IN ({sql.listed(statuses.BOOKED)})"))
