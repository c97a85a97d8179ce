"""Tables of what offers produced: monthly summaries sent, and contribution periods a school
confirmed (frozen figures)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..db import IdMixin, db


class ImpactSummary(IdMixin, db.Model):
    """One enterprise's monthly summary: made once per month, however many instances run."""

    __tablename__ = "impact_summaries"
    __table_args__ = (db.UniqueConstraint("enterprise_id", "month"),)

    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month summarised
    figures: Mapped[dict] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())


class ContributionPeriod(db.Model):
    """A month of an enterprise's contribution to one school, confirmed by the school's admin:
    its figures are frozen here and never recomputed."""

    __tablename__ = "contribution_periods"

    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the month
    confirmed_by_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"))
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                   server_default=func.now())
    figures: Mapped[dict] = mapped_column(JSONB)
