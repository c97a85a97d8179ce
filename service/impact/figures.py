"""The figures of an enterprise's offers over periods of local days: hours offered (pure Python
over the few spans of each item), everything reservations gave (PostgreSQL), valued hours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from ..calendar import wallclock
from ..calendar.spans import Span, intersect
from ..catalogue.models import Equipment
from ..offers.models import Offer, OfferItem
from ..offers.rules import windows_of
from . import queries, rules

ZERO = Decimal(0)
COUNTS = ("sessions", "students_trained", "no_shows", "outcomes_received")


def _empty() -> dict:
    return {"booked_spans": [], "used_spans": [], "sessions": 0, "no_shows": 0,
            "outcomes_received": 0, "students_trained": 0, "skills": {}}


@dataclass
class ItemFigures:
    """One item of one offer over one period."""

    offer: Offer
    equipment: Equipment
    value_per_hour: Decimal | None
    figures: dict


@dataclass
class OfferFigures:
    offer: Offer
    items: list[ItemFigures] = field(default_factory=list)
    figures: dict = field(default_factory=dict)


@dataclass
class PeriodFigures:
    first_day: date
    end_day: date  # exclusive
    offers: list[OfferFigures] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    @property
    def items(self) -> list[ItemFigures]:
        return [item for offer in self.offers for item in offer.items]


def _finish(measured: dict, offered: Decimal, valued_booked, valued_used) -> dict:
    """The figures as they leave: hours and money to the cent, the top skills."""
    return {"hours_offered": rules.rounded(offered),
            "hours_booked": rules.rounded(measured["hours_booked"]),
            "hours_used": rules.rounded(measured["hours_used"]),
            **{name: measured[name] for name in COUNTS},
            "top_skills": [{"tag": tag, "count": count}
                           for tag, count in rules.top_skills(measured["skills"])],
            "valued_hours_booked": rules.rounded(valued_booked),
            "valued_hours_used": rules.rounded(valued_used)}


class _Calendar:
    """What is needed to say what an offer gave of its items: bases' hours and closures,
    items' blackouts, when each offer was open in each zone; loaded once for all periods."""

    def __init__(self, session: Session, offers: list[Offer], first_day: date, end_day: date):
        items = [item.equipment for offer in offers for item in offer.item_terms]
        self.closures = queries.closures_of(session, {e.base_id for e in items}, first_day,
                                            end_day)
        self.blackouts = queries.blackouts_of(session, {e.id for e in items}, first_day,
                                              end_day)
        self.open = queries.open_while(session, {
            (offer.id, item.equipment.base.timezone)
            for offer in offers for item in offer.item_terms})
        self.open_offers = {offer_id for offer_id, _ in self.open}

    def offered(self, offer: Offer, equipment: Equipment, terms: list[OfferItem],
                first_day: date, end_day: date) -> list[tuple[list[Span], Decimal | None]]:
        """What the offer made available of the item in the local days (docs/reports.md#offered):
        its windows inside the base's hours, less closures and blackouts, while it was open;
        per row of the item's terms, on the days that row was in force, with its value."""
        tz = equipment.base.timezone
        opened = self.open.get((offer.id, tz))
        if not opened:
            return []
        given = []
        for row in terms:
            lo = max(first_day, row.in_force.lower or first_day)
            hi = min(end_day, row.in_force.upper or end_day)
            if lo >= hi:
                continue
            start, end = wallclock.day_bounds(lo, hi, tz)
            spans = rules.offered_spans(
                windows_of(offer), tz=tz,
                opening_hours=equipment.base.weekly_hours,
                closures=self.closures.get(equipment.base_id, ()),
                blackouts=self.blackouts.get(equipment.id, ()), start=start, end=end)
            given.append((intersect(spans, opened), _decimal(row.value_per_hour)))
        return given


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _value_shown(rows: list[OfferItem], end_day: date) -> Decimal | None:
    """The value per hour an item's line shows: that of the terms in force on the period's
    last day the item was in them."""
    before = [r for r in rows if r.in_force.lower is None or r.in_force.lower < end_day]
    return _decimal(before[-1].value_per_hour) if before else None


def _in_force_within(row: OfferItem, first_day: date, end_day: date) -> bool:
    return (row.in_force.lower is None or row.in_force.lower < end_day) and (
        row.in_force.upper is None or row.in_force.upper > first_day)


def _overlaps(offer: Offer, first_day: date, end_day: date) -> bool:
    return any(
        w.starts_on < end_day and w.ends_on >= first_day for w in offer.windows)


def enterprise_figures(session: Session, enterprise_id: int, periods: list[tuple[date, date]],
                       *, detail: bool = True, school_id: int | None = None
                       ) -> list[PeriodFigures]:
    """Per period: each offer open in it (or booked under in it), each of its items; only the
    offers to `school_id` when given (what the enterprise gave that school)."""
    measured = queries.reservation_figures(session, enterprise_id, periods, detail=detail,
                                           school_id=school_id)
    first, end = min(p[0] for p in periods), max(p[1] for p in periods)
    booked_under = {offer_id for _, offer_id, _ in measured if offer_id is not None}
    offers = queries.offers_of(session, enterprise_id, first, end, also=booked_under,
                               school_id=school_id)
    calendar = _Calendar(session, offers, first, end)
    extra_items = {e for _, _, e in measured if e is not None} - {
        i.equipment_id for offer in offers for i in offer.item_terms}
    strays = queries.equipment_named(session, extra_items)  # booked, never in the terms
    result = []
    for idx, (first_day, end_day) in enumerate(periods):
        period = PeriodFigures(first_day, end_day)
        for offer in offers:
            # Every row of the item's terms: those of the days before a change too.
            terms: dict[int, tuple[Equipment, list[OfferItem]]] = {}
            for i in offer.item_terms:
                terms.setdefault(i.equipment_id, (i.equipment, []))[1].append(i)
            for at, offer_id, equipment_id in measured:
                if (at, offer_id) == (idx, offer.id) and equipment_id in strays:
                    terms.setdefault(equipment_id, (strays[equipment_id], []))
            shown = offer.id in calendar.open_offers and _overlaps(offer, first_day, end_day)
            row = OfferFigures(offer)
            for equipment_id, (equipment, rows) in sorted(terms.items()):
                rows = sorted(rows, key=lambda r: r.in_force.lower or date.min)
                got = measured.get((idx, offer.id, equipment_id))
                # An item shows where it was in the terms in the period, or booked in it.
                if got is None and not (shown and any(
                        _in_force_within(r, first_day, end_day) for r in rows)):
                    continue
                got = dict(got or _empty())
                given = calendar.offered(offer, equipment, rows, first_day, end_day)
                spans = [span for part, _ in given for span in part]
                offered = rules.hours(spans)
                booked, used = got.pop("booked_spans"), got.pop("used_spans")
                # Booked and used within what the offer made available (booked <= offered),
                # each part valued at the value of the terms in force on its days.
                got["hours_booked"] = rules.hours(intersect(booked, sorted(spans)))
                got["hours_used"] = rules.hours(intersect(used, sorted(spans)))
                value = _value_shown(rows, end_day)
                parts = given or [([], value)]
                row.items.append(ItemFigures(offer, equipment, value, {
                    **got, "offered": offered,
                    "valued_booked": rules.add_values(
                        rules.valued(v, rules.hours(intersect(booked, part)))
                        for part, v in parts),
                    "valued_used": rules.add_values(
                        rules.valued(v, rules.hours(intersect(used, part)))
                        for part, v in parts)}))
            if row.items:
                row.figures = _roll_up(measured.get((idx, offer.id, None)), row.items)
                period.offers.append(row)
        period.figures = _roll_up(measured.get((idx, None, None)), period.items)
        for row in period.offers:
            for item in row.items:
                item.figures = _finish(item.figures, item.figures["offered"],
                                       item.figures["valued_booked"],
                                       item.figures["valued_used"])
        result.append(period)
    return result


def _roll_up(measured: dict | None, items: list[ItemFigures]) -> dict:
    """A level's own counts (distinct students are not a sum) and its items' hours and values
    added up."""
    measured = {**(measured or _empty()),
                **{name: sum((i.figures[name] for i in items), ZERO)
                   for name in ("hours_booked", "hours_used")}}
    return _finish(measured, sum((i.figures["offered"] for i in items), ZERO),
                   rules.add_values(i.figures["valued_booked"] for i in items),
                   rules.add_values(i.figures["valued_used"] for i in items))
