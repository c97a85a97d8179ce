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
from ..offers.models import Offer
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
    items' blackouts, withdrawals; loaded once for all periods."""

    def __init__(self, session: Session, offers: list[Offer], first_day: date, end_day: date):
        items = [item.equipment for offer in offers for item in offer.items]
        self.closures = queries.closures_of(session, {e.base_id for e in items}, first_day,
                                            end_day)
        self.blackouts = queries.blackouts_of(session, {e.id for e in items}, first_day,
                                              end_day)
        self.open = queries.open_while(session, [o.id for o in offers])

    def offered(self, offer: Offer, equipment: Equipment, first_day: date,
                end_day: date) -> list[Span]:
        """What the offer made available of the item in the local days (docs/reports.md#offered):
        its windows inside the base's hours, less closures and blackouts, while it was open."""
        if offer.id not in self.open:
            return []
        tz = equipment.base.timezone
        start, end = wallclock.day_bounds(first_day, end_day, tz)
        opened, closed = self.open[offer.id]
        start, end = max(start, opened or start), min(end, closed or end)
        if start >= end:
            return []
        return rules.offered_spans(
            windows_of(offer), tz=tz,
            opening_hours=equipment.base.weekly_hours,
            closures=self.closures.get(equipment.base_id, ()),
            blackouts=self.blackouts.get(equipment.id, ()), start=start, end=end)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _overlaps(offer: Offer, first_day: date, end_day: date) -> bool:
    return any(
        w.starts_on < end_day and w.ends_on >= first_day for w in offer.windows)


def enterprise_figures(session: Session, enterprise_id: int, periods: list[tuple[date, date]],
                       *, detail: bool = True) -> list[PeriodFigures]:
    """Per period: each offer open in it (or booked under in it), each of its items."""
    measured = queries.reservation_figures(session, enterprise_id, periods, detail=detail)
    first, end = min(p[0] for p in periods), max(p[1] for p in periods)
    booked_under = {offer_id for _, offer_id, _ in measured if offer_id is not None}
    offers = queries.offers_of(session, enterprise_id, first, end, also=booked_under)
    calendar = _Calendar(session, offers, first, end)
    extra_items = {e for _, _, e in measured if e is not None} - {
        i.equipment_id for offer in offers for i in offer.items}
    strays = queries.equipment_named(session, extra_items)  # booked, then taken off the offer
    result = []
    for idx, (first_day, end_day) in enumerate(periods):
        period = PeriodFigures(first_day, end_day)
        for offer in offers:
            values = {i.equipment_id: (i.equipment, _decimal(i.value_per_hour))
                      for i in offer.items}
            for at, offer_id, equipment_id in measured:
                if (at, offer_id) == (idx, offer.id) and equipment_id in strays:
                    values.setdefault(equipment_id, (strays[equipment_id], None))
            shown = offer.id in calendar.open and _overlaps(offer, first_day, end_day)
            row = OfferFigures(offer)
            for equipment_id, (equipment, value) in sorted(values.items()):
                got = measured.get((idx, offer.id, equipment_id))
                if got is None and not shown:
                    continue
                got = dict(got or _empty())
                spans = calendar.offered(offer, equipment, first_day, end_day)
                offered = rules.hours(spans)
                # Booked and used within what the offer made available (booked <= offered).
                got["hours_booked"] = rules.hours(intersect(got.pop("booked_spans"), spans))
                got["hours_used"] = rules.hours(intersect(got.pop("used_spans"), spans))
                row.items.append(ItemFigures(offer, equipment, value, {
                    **got, "offered": offered,
                    "valued_booked": rules.valued(value, got["hours_booked"]),
                    "valued_used": rules.valued(value, got["hours_used"])}))
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
