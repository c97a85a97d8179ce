"""Tables of offers: an enterprise's items, windows and conditions for one school."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..catalogue.models import ClosingTime, Equipment
from ..db import IdMixin, StatusEventMixin, VersionedMixin, db, one_of

OFFER_STATUSES = ("draft", "submitted", "approved", "rejected", "withdrawn", "expired")
# An enterprise keeps at most one of these per school it shares with.
LIVE = ("draft", "submitted", "approved")
ASKS_BACK = ("outcome_per_session", "monthly_summary")
ONE_LIVE_PER_SCHOOL = "uq_offers_one_live_per_school"


class Offer(IdMixin, VersionedMixin, db.Model):
    """An enterprise's idle equipment, windows and conditions, addressed to one school."""

    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint(one_of("status", OFFER_STATUSES), name="status"),
        CheckConstraint(one_of("asks_back", ASKS_BACK), name="asks_back"),
        CheckConstraint("weekly_hours_budget > 0", name="weekly_hours_budget"),
        CheckConstraint("approval_hours > 0", name="approval_hours"),
        CheckConstraint("withdrawal_notice_days >= 0", name="withdrawal_notice_days"),
        CheckConstraint("NOT supervisor_on_site OR supervisor_contact <> ''",
                        name="supervisor_contact"),
        CheckConstraint("enterprise_id <> school_id", name="two_organisations"),
        Index(ONE_LIVE_PER_SCHOOL, "enterprise_id", "school_id", unique=True,
              postgresql_where=text(one_of("status", LIVE))),
    )

    enterprise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    school_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    created_by_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    weekly_hours_budget: Mapped[int] = mapped_column(Integer)
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default="false")
    approval_hours: Mapped[int] = mapped_column(Integer, default=48, server_default="48")
    supervisor_on_site: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default="false")
    supervisor_contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    allowed_uses: Mapped[str] = mapped_column(Text, default="", server_default="")
    withdrawal_notice_days: Mapped[int] = mapped_column(Integer)
    asks_back: Mapped[str] = mapped_column(String(30))

    enterprise: Mapped[Organisation] = relationship(foreign_keys=[enterprise_id])
    school: Mapped[Organisation] = relationship(foreign_keys=[school_id])
    items: Mapped[list[OfferItem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OfferItem.equipment_id")
    windows: Mapped[list[OfferWindow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OfferWindow.starts_on")


class OfferItem(db.Model):
    """One of the enterprise's items in an offer, with the value per hour it declares."""

    __tablename__ = "offer_items"
    __table_args__ = (
        CheckConstraint("value_per_hour IS NULL OR value_per_hour >= 0", name="value_per_hour"),
    )

    offer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True)
    equipment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("equipment.id", ondelete="RESTRICT"), primary_key=True,
        index=True)
    value_per_hour: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    equipment: Mapped[Equipment] = relationship(lazy="joined", innerjoin=True)


class OfferWindow(IdMixin, db.Model):
    """Local days starts_on..ends_on (inclusive, in each item's base zone) and weekly spans."""

    __tablename__ = "offer_windows"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_on_after_start"),)

    offer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    spans: Mapped[list[OfferWindowSpan]] = relationship(
        cascade="all, delete-orphan", lazy="selectin",
        order_by="(OfferWindowSpan.weekday, OfferWindowSpan.opens)")


class OfferWindowSpan(db.Model):
    """A weekly wall-clock span of a window: ISO weekday, opens, closes."""

    __tablename__ = "offer_window_spans"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    window_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("offer_windows.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    opens: Mapped[time] = mapped_column(Time, primary_key=True)
    closes: Mapped[time] = mapped_column(ClosingTime)


class OfferEvent(IdMixin, StatusEventMixin, db.Model):
    """Every change of an offer's status: who, when, from which to which, and why."""

    __tablename__ = "offer_events"

    offer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("offers.id", ondelete="CASCADE"), index=True)
