"""What the weekly idle-equipment job found: one row per item and ISO week it was judged in."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..db import IdMixin, db


class IdleFinding(IdMixin, db.Model):
    """An item whose utilisation stayed under the threshold for each of the `weeks` ISO weeks
    ending with the one starting `week_start` (local, in its base zone). Judging the same week
    again replaces the row (the unique key), never adds a second."""

    __tablename__ = "idle_findings"
    __table_args__ = (
        UniqueConstraint("week_start", "equipment_id", name="uq_idle_findings_week_item"),
        CheckConstraint("weeks > 0", name="weeks_positive"),
        CheckConstraint("threshold >= 0 AND threshold <= 1", name="threshold_ratio"),
        Index("ix_idle_findings_owner_week", "owner_organisation_id", "week_start"),
    )

    week_start: Mapped[date] = mapped_column(Date)  # Monday of the last week judged
    equipment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("equipment.id", ondelete="CASCADE"))
    owner_organisation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="CASCADE"))
    weeks: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    available_hours: Mapped[Decimal] = mapped_column(Numeric(12, 4))  # over the weeks
    booked_hours: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    free_hours: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                               server_default=func.now())
