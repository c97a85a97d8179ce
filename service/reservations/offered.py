"""Enterprise equipment is booked under an offer: only by the addressed school's members, only
inside the approved offer's windows, within its weekly hour budget.

The booking engine reads what it needs of offers here, read-only and in plain SQL, one
statement per question. The offers package owns those tables and sits above this one (an
offer's withdrawal cancels bookings, service/offers/bookings.py): this package never imports
it, and finds the tables by name in the shared metadata, as its foreign keys name them."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    DateTime,
    Lateral,
    ScalarSelect,
    Select,
    Table,
    bindparam,
    cast,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import statuses, wallclock
from ..calendar.spans import Span, covers
from ..calendar.wallclock import read_closing_time
from ..calendar.windows import Window, offer_spans
from ..catalogue.models import Equipment, TrainingBase
from ..db import HotRow, HotStatement, db
from ..i18n import gettext
from .errors import NotOfferedToYou, OfferBudgetExceeded, OutsideOfferWindow
from .models import Reservation
from .targets import BookingTarget


@dataclass(frozen=True)
class OfferTerms:
    """What a school's member needs to know of the offer an item is booked under (never the
    enterprise's other items, values or withdrawal notice)."""

    offer_id: int
    enterprise_id: int
    weekly_hours_budget: int
    requires_approval: bool
    approval_hours: int
    supervisor_on_site: bool
    supervisor_contact: str
    allowed_uses: str
    asks_back: str
    windows: tuple[Window, ...]

    def spans(self, tz: str, start: datetime, end: datetime) -> list[Span]:
        return offer_spans(self.windows, tz, start, end)


@dataclass(frozen=True)
class OfferTables:
    """The offer tables this package reads (declared in service/offers/models.py)."""

    offers: Table
    items: Table
    windows: Table
    spans: Table
    budgets: Table


def offer_tables() -> OfferTables:
    """The offer tables, looked up when a statement is built (every model is declared by
    then: the app imports every domain); a renamed table fails here, loudly."""
    tables = db.metadata.tables
    return OfferTables(offers=tables["offers"], items=tables["offer_items"],
                       windows=tables["offer_windows"], spans=tables["offer_window_spans"],
                       budgets=tables["offer_budgets"])


def windows_column(offer_id: ColumnElement, equipment_id: ColumnElement) -> ScalarSelect:
    """SQL: an offer's windows for one item as JSON, [[starts_on, ends_on, [[weekday, opens,
    closes]]]] (closes as PostgreSQL writes it, '24:00:00' included), each cut to the days the
    item was in the offer's terms (a row of offer_items per stretch of days)."""
    t = offer_tables()
    spans = select(func.json_agg(aggregate_order_by(
        func.json_build_array(t.spans.c.weekday, t.spans.c.opens, t.spans.c.closes),
        t.spans.c.weekday, t.spans.c.opens))).where(
        t.spans.c.window_id == t.windows.c.id).scalar_subquery()
    days = t.items.c.in_force
    first = func.greatest(t.windows.c.starts_on, func.lower(days))
    last = func.least(t.windows.c.ends_on, func.upper(days) - 1)
    return select(func.coalesce(func.json_agg(aggregate_order_by(
        func.json_build_array(first, last, spans), first)), text("'[]'::json"))).where(
        t.windows.c.offer_id == offer_id, t.items.c.offer_id == offer_id,
        t.items.c.equipment_id == equipment_id,
        func.daterange(t.windows.c.starts_on, t.windows.c.ends_on, "[]").op("&&")(days)
    ).scalar_subquery()


def _in_terms(offer_id: ColumnElement, equipment_id: ColumnElement):
    """SQL: whether the item is in the offer's terms on some day (EXISTS: one row per
    stretch of days)."""
    t = offer_tables()
    return select(t.items.c.id).where(t.items.c.offer_id == offer_id,
                                      t.items.c.equipment_id == equipment_id).exists()


def windows_of(stored: list) -> tuple[Window, ...]:
    """Windows from windows_column's JSON."""
    return tuple(
        Window(starts_on=date.fromisoformat(starts_on), ends_on=date.fromisoformat(ends_on),
               spans=tuple((weekday, time.fromisoformat(opens), read_closing_time(closes))
                           for weekday, opens, closes in spans or ()))
        for starts_on, ends_on, spans in stored)


# OfferTerms' fields, each a column of the offers table but offer_id (its id) and windows.
_TERMS = ("enterprise_id", "weekly_hours_budget", "requires_approval", "approval_hours",
          "supervisor_on_site", "supervisor_contact", "allowed_uses", "asks_back")


def terms_columns(offers: Table, equipment_id: ColumnElement) -> list:
    """SQL: an offer's row as OfferTerms' columns for one item, by their names."""
    return [offers.c.id.label("offer_id"), *(offers.c[name] for name in _TERMS),
            windows_column(offers.c.id, equipment_id).label("windows")]


def terms_of(row: HotRow | None) -> OfferTerms | None:
    """OfferTerms from a row holding terms_columns (None without one)."""
    if row is None:
        return None
    return OfferTerms(offer_id=row.offer_id, windows=windows_of(row.windows),
                      **{name: getattr(row, name) for name in _TERMS})


def _approved_offer_of(equipment_id: ColumnElement, school_id: ColumnElement) -> Select:
    t = offer_tables()
    return (select(*terms_columns(t.offers, equipment_id))
            .where(_in_terms(t.offers.c.id, equipment_id), t.offers.c.school_id == school_id,
                   t.offers.c.status == "approved"))


def locked_offer(equipment_id: ColumnElement, school_id: ColumnElement, *,
                 lock: bool = True) -> Lateral:
    """SQL, to join to the item being booked: the id of its approved offer to the school as
    `locked_offer_id`, the offer's row locked FOR UPDATE until commit (see check_offer). Only
    the id: the terms are read after the lock (check_offer), and a school's item costs its
    booking statement no more than an empty index lookup."""
    t = offer_tables()
    # Joined, not an EXISTS: the item's id comes from the statement this lateral joins, and a
    # subquery nested one level deeper would not correlate to it (it would read "any item",
    # and lock every offer to the school). An item has a row per stretch of days it was in
    # the offer's terms: the first row is enough.
    found = (select(t.offers.c.id.label("locked_offer_id"))
             .join(t.items, t.items.c.offer_id == t.offers.c.id)
             .where(t.items.c.equipment_id == equipment_id, t.offers.c.school_id == school_id,
                    t.offers.c.status == "approved")
             .limit(1))
    # Unlocked (a span judged, not booked): the same offer, read as any other row.
    return (found.with_for_update(of=t.offers) if lock else found).lateral("offer")


_TERMS_FOR = HotStatement(lambda: _approved_offer_of(
    bindparam("equipment_id", type_=BigInteger), bindparam("school_id", type_=BigInteger)))


def terms_for(session: Session, equipment_id: int, school_id: int) -> OfferTerms | None:
    """The approved offer of the item addressed to the school (one at most: an enterprise keeps
    one live offer per school), unlocked: what availability and the waitlist show. A booking
    locks it with the item (locked_offer) and reads it after the lock (check_offer)."""
    row = _TERMS_FOR.first(session, {"equipment_id": equipment_id, "school_id": school_id})
    return terms_of(row)


def bookable_spans(session: Session, actor: User, equipment: BookingTarget, start: datetime,
                   end: datetime) -> tuple[list[Span], OfferTerms | None]:
    """Where an enterprise's item may be booked by a school's member: inside their school's
    approved offer, whose terms they book under; anyone else, nothing. (The owning
    enterprise's staff book it in its base's opening hours: they are not asked here.)"""
    terms = terms_for(session, equipment.id, actor.organisation_id)
    if terms is None:
        return [], None
    return terms.spans(equipment.timezone, start, end), terms


@functools.cache
def _offered_items() -> Select:
    t = offer_tables()
    org = bindparam("organisation_id", type_=BigInteger)
    # One row per item of an offer, whatever the stretches of days it was in the terms.
    items = select(t.items.c.offer_id, t.items.c.equipment_id).distinct().subquery("items")
    return (select(items.c.equipment_id,
                   windows_column(t.offers.c.id, items.c.equipment_id).label("windows"),
                   TrainingBase.timezone)
            .select_from(t.offers)
            .join(items, items.c.offer_id == t.offers.c.id)
            .join(Equipment, Equipment.id == items.c.equipment_id)
            .join(TrainingBase, TrainingBase.id == Equipment.base_id)
            .where(t.offers.c.status == "approved",
                   (t.offers.c.school_id == org) | (t.offers.c.enterprise_id == org))
            .order_by(t.offers.c.id, items.c.equipment_id))


def offered_for_span(session: Session, actor: User, start: datetime, end: datetime) -> list[int]:
    """Enterprise items whose approved offers open all of [start, end) to the actor: offers to
    the actor's school, or the actor's enterprise's own."""
    rows = session.execute(_offered_items(), {"organisation_id": actor.organisation_id})
    return [row.equipment_id for row in rows
            if covers(offer_spans(windows_of(row.windows), row.timezone, start, end),
                            start, end)]


def week_usage(session: Session, terms: OfferTerms, tz: str, start: datetime,
               end: datetime) -> list[dict]:
    """Counted and remaining budget hours of each ISO week (in the item's zone) touching
    [start, end), as the budget check counts them, which is not what reports call booked:
    docs/reports.md#what-an-offers-weekly-budget-counts."""
    weeks, cursor = [], start
    while cursor < end:
        week = wallclock.iso_week(cursor, tz)
        weeks.append(week)
        cursor = week[1]
    usage = []
    for week_start, week_end in weeks:
        counted = counted_hours(session, terms.offer_id, week_start, week_end)
        budget = budget_on(session, terms.offer_id, wallclock.local(week_start, tz).date())
        usage.append({"week_starts_at": week_start.isoformat(), "counted_hours": counted,
                      "weekly_hours_budget": budget,
                      "remaining_hours": round(max(0.0, budget - counted), 2)})
    return usage


def _budget_on(offer_id: ColumnElement, current: ColumnElement,
               day: ColumnElement) -> ColumnElement:
    """SQL: the weekly budget in force on a local day: a replaced one (offer_budgets) on the
    days it was in force, else the offer's own (from its last change on). An ISO week's
    budget is its Monday's (docs/offers.md#changing-the-terms)."""
    budgets = offer_tables().budgets
    return func.coalesce(select(budgets.c.weekly_hours_budget).where(
        budgets.c.offer_id == offer_id, budgets.c.in_force.op("@>")(day)).scalar_subquery(),
        current)


def budget_on(session: Session, offer_id: int, day: date) -> int:
    """The offer's weekly budget in force on a local day."""
    offers = offer_tables().offers
    return session.scalar(select(_budget_on(offers.c.id, offers.c.weekly_hours_budget, day))
                          .where(offers.c.id == offer_id))


def _booked_seconds(offer_id: ColumnElement | int, week_start: ColumnElement | datetime,
                    week_end: ColumnElement | datetime) -> Select:
    """SQL: the seconds of the offer's budget used by bookings starting in the week."""
    return select(func.coalesce(func.sum(
        func.extract("epoch", Reservation.ends_at - Reservation.starts_at)), 0)).where(
        # One literal each rather than an expanding IN, which a HotStatement cannot run.
        Reservation.offer_id == offer_id,
        Reservation.status.in_([literal(s) for s in statuses.COUNTED_AGAINST_BUDGET]),
        Reservation.starts_at >= week_start, Reservation.starts_at < week_end)


def counted_hours(session: Session, offer_id: int, week_start: datetime,
                 week_end: datetime) -> float:
    """Hours of the offer's budget used by bookings starting in [week_start, week_end)."""
    seconds = session.scalar(_booked_seconds(offer_id, week_start, week_end))
    return round(float(seconds) / 3600, 2)


def check_window(session: Session, holder: User, equipment: BookingTarget, starts_at: datetime,
                 ends_at: datetime) -> OfferTerms:
    """The approved offer to the holder's school whose windows hold the whole span."""
    return window_holds(terms_for(session, equipment.id, holder.organisation_id), equipment,
                        starts_at, ends_at)


def window_holds(terms: OfferTerms | None, equipment: BookingTarget, starts_at: datetime,
                 ends_at: datetime) -> OfferTerms:
    """The terms, once the offer exists and its windows hold the whole span."""
    if terms is None:
        raise NotOfferedToYou(
            gettext("%(item)s belongs to an enterprise and is not offered to your school.",
                    item=equipment.name))
    if not covers(terms.spans(equipment.timezone, starts_at, ends_at), starts_at, ends_at):
        raise OutsideOfferWindow(errors={"starts_at": ["Outside the offer's windows."]},
                                 offer_id=terms.offer_id, timezone=equipment.timezone)
    return terms


def _terms_and_booked() -> Select:
    """An offer's terms by its id, and the seconds booked under it in a week."""
    offers = offer_tables().offers
    booked = _booked_seconds(offers.c.id,
                             bindparam("week_start", type_=DateTime(timezone=True)),
                             bindparam("week_end", type_=DateTime(timezone=True)))
    # Whole seconds (bookings lie on minute grids): an integer needs no conversion on the way.
    return select(*terms_columns(offers, bindparam("equipment_id", type_=BigInteger)),
                  cast(func.round(booked.scalar_subquery()), BigInteger).label("booked_seconds"),
                  _budget_on(offers.c.id, offers.c.weekly_hours_budget,
                             bindparam("monday", type_=Date)).label("week_budget")
                  ).where(offers.c.id == bindparam("offer_id", type_=BigInteger))


_TERMS_AND_BOOKED = HotStatement(_terms_and_booked)


def check_offer(session: Session, locked_offer_id: int | None, equipment: BookingTarget,
                starts_at: datetime, ends_at: datetime) -> OfferTerms:
    """The offer an enterprise's item is booked under, once the span fits its windows and its
    budget. The offer's row was locked with the item (locked_offer) and stays locked until
    commit, so two bookings racing for the last hours of a week are counted one after the
    other: PostgreSQL decides, not the client. Its terms and the week's hours are read here,
    by a statement of their own after the lock: a statement sees what committed before it
    began, so read by the statement that waited for the lock they would miss the booking (or
    the change of terms) it waited for."""
    if locked_offer_id is None:
        return window_holds(None, equipment, starts_at, ends_at)
    tz = equipment.timezone
    week_start, week_end = wallclock.iso_week(starts_at, tz)
    monday = wallclock.local(week_start, tz).date()
    row = _TERMS_AND_BOOKED.first(session, {"offer_id": locked_offer_id,
                                            "equipment_id": equipment.id, "monday": monday,
                                            "week_start": week_start, "week_end": week_end})
    terms = window_holds(terms_of(row), equipment, starts_at, ends_at)
    booked = round(row.booked_seconds / 3600, 2)
    wanted = (ends_at - starts_at).total_seconds() / 3600
    if booked + wanted > row.week_budget + 1e-9:
        raise OfferBudgetExceeded(
            gettext("The offer allows %(hours)s hours in the ISO week starting %(monday)s; "
                    "%(booked)s are taken by bookings and requests.", hours=row.week_budget,
                    monday=monday.strftime("%Y-%m-%d"), booked=format(booked, "g")),
            offer_id=terms.offer_id, weekly_hours_budget=row.week_budget,
            counted_hours=booked, week_starts_at=week_start.isoformat(), timezone=tz)
    return terms
