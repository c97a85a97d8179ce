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
    and_,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import DATERANGE, ExcludeConstraint, Range
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..catalogue.models import ClosingTime, Equipment
from ..db import IdMixin, StatusEventMixin, VersionedMixin, db, one_of

OFFER_STATUSES = ("draft", "submitted", "approved", "rejected", "withdrawn", "expired")
# An enterprise keeps at most one of these per school it shares with.
LIVE = ("draft", "submitted", "approved")
ASKS_BACK = ("outcome_per_session", "monthly_summary")
ONE_LIVE_PER_SCHOOL = "uq_offers_one_live_per_school"
# Local days (each item's base zone) a row of terms is in force: unbounded below is "since the
# beginning", unbounded above "from then on" (docs/offers.md#changing-the-terms).
SINCE_EVER = "'(,)'::daterange"


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
    # The items of the terms from the last change on (what the offer shows and a change
    # edits); `item_terms` holds every row, those of the days before a change too.
    items: Mapped[list[OfferItem]] = relationship(
        primaryjoin=lambda: and_(OfferItem.offer_id == Offer.id,
                                 func.upper_inf(OfferItem.in_force)),
        cascade="all, delete-orphan", lazy="selectin", order_by="OfferItem.equipment_id",
        overlaps="item_terms")
    item_terms: Mapped[list[OfferItem]] = relationship(
        viewonly=True, lazy="selectin",
        order_by=lambda: (OfferItem.equipment_id, func.lower(OfferItem.in_force)))
    # Weekly budgets an edit replaced, each with the days it was in force; the column
    # weekly_hours_budget is the one from the last change on.
    budgets: Mapped[list[OfferBudget]] = relationship(
        cascade="all, delete-orphan", lazy="selectin",
        order_by=lambda: func.lower(OfferBudget.in_force))
    windows: Mapped[list[OfferWindow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OfferWindow.starts_on")


class OfferItem(IdMixin, db.Model):
    """One of the enterprise's items in an offer, with the value per hour it declares, on the
    local days `in_force` (a change of the terms closes a row and opens another)."""

    __tablename__ = "offer_items"
    __table_args__ = (
        CheckConstraint("value_per_hour IS NULL OR value_per_hour >= 0", name="value_per_hour"),
        CheckConstraint("NOT isempty(in_force)", name="in_force_not_empty"),
        # An item is in an offer's terms once on any day.
        ExcludeConstraint(("offer_id", "="), ("equipment_id", "="), ("in_force", "&&"),
                          name="one_item_row_a_day", using="gist"),
    )

    offer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("offers.id", ondelete="CASCADE"))
    equipment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("equipment.id", ondelete="RESTRICT"), index=True)
    value_per_hour: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    in_force: Mapped[Range[date]] = mapped_column(
        DATERANGE, default=Range(None, None), server_default=text(SINCE_EVER))

    equipment: Mapped[Equipment] = relationship(lazy="joined", innerjoin=True)


class OfferBudget(IdMixin, db.Model):
    """A weekly budget of an offer that a change replaced, on the local days it was in force
    (an ISO week's budget is the one in force on its Monday)."""

    __tablename__ = "offer_budgets"
    __table_args__ = (
        CheckConstraint("weekly_hours_budget > 0", name="weekly_hours_budget"),
        CheckConstraint("NOT isempty(in_force) AND NOT upper_inf(in_force)",
                        name="in_force_ended"),
        ExcludeConstraint(("offer_id", "="), ("in_force", "&&"),
                          name="one_budget_a_day", using="gist"),
    )

    offer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("offers.id", ondelete="CASCADE"))
    weekly_hours_budget: Mapped[int] = mapped_column(Integer)
    in_force: Mapped[Range[date]] = mapped_column(DATERANGE)


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
    # On a change of the terms (to `submitted`): the local day they take effect from; the
    # school's approval before it stood until then (sql.offered_while).
    effective_from: Mapped[date | None] = mapped_column(Date)
