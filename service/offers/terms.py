"""An offer's terms with a history: a change takes effect from a local day and never rewrites
the days before it (docs/offers.md#changing-the-terms)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from ..calendar import wallclock
from ..calendar.windows import Window
from ..catalogue.equipment import GRID_CHANGE_CHECKS
from ..catalogue.errors import EffectiveDateInPast
from . import rules
from .errors import OffersOffNewGrid, OfferSpanOffGrid
from .models import LIVE, Offer, OfferBudget, OfferEvent, OfferItem, OfferWindow, OfferWindowSpan


def was_approved(session: Session, offer: Offer) -> bool:
    """Whether the school ever approved the offer: only then has it a past to keep."""
    if offer.status == "approved":
        return True
    return session.scalar(select(OfferEvent.id).where(
        OfferEvent.offer_id == offer.id, OfferEvent.to_status == "approved").limit(1)) is not None


def effective_from(given: date | None, zones: set[str], now: datetime) -> date:
    """The local day a change takes effect from: the one given, or the next day. A day before
    today in any offered item's zone is refused (today is a day still under way)."""
    todays = [wallclock.local(now, tz).date() for tz in zones or {"UTC"}]
    if given is None:
        return max(todays) + timedelta(days=1)
    if given < max(todays):
        raise EffectiveDateInPast(
            f"A change takes effect from today ({max(todays):%Y-%m-%d} in the items' zones) "
            "or later; the days before stay as they were.",
            errors={"effective_from": ["Must not be before today in any item's zone."]})
    return given


def clip_items(session: Session, offer: Offer, items: list[OfferItem], day: date) -> None:
    """From `day` on the offer holds these items (new rows, not flushed, with their values):
    rows in force before it end the day before, rows from it on go; an item kept at the same
    value keeps its row."""
    given = {item.equipment_id: item for item in items}
    for row in list(offer.item_terms):
        lower, upper = row.in_force.lower, row.in_force.upper
        new = given.get(row.equipment_id)
        if upper is None and (lower is None or lower < day) and new is not None \
                and new.value_per_hour == row.value_per_hour:
            given.pop(row.equipment_id)  # the same terms go on
        elif lower is not None and lower >= day:
            session.delete(row)
        elif upper is None or upper > day:
            row.in_force = Range(lower, day)
    session.flush()  # the rows clipped and gone before the new ones meet the constraint
    for item in given.values():
        item.offer_id, item.in_force = offer.id, Range(day, None)
        session.add(item)
    session.flush()
    session.expire(offer, ["items", "item_terms"])


def clip_windows(session: Session, offer: Offer, windows: list[Window], day: date) -> None:
    """From `day` on the offer's windows are these (cut to start on it): windows before it end
    the day before, windows from it on go."""
    for row in list(offer.windows):
        if row.starts_on >= day:
            offer.windows.remove(row)
        elif row.ends_on >= day:
            row.ends_on = day - timedelta(days=1)
    session.flush()
    for w in windows:
        if w.ends_on >= day:
            offer.windows.append(OfferWindow(starts_on=max(w.starts_on, day), ends_on=w.ends_on,
                                             spans=[OfferWindowSpan(weekday=d, opens=o,
                                                                    closes=c)
                                                    for d, o, c in w.spans]))


def change_budget(session: Session, offer: Offer, budget: int, day: date) -> None:
    """From `day` on the weekly budget is `budget`; the one it replaces stays in force on the
    days before (kept as a row of offer_budgets, as do earlier ones)."""
    if budget == offer.weekly_hours_budget:
        return
    for row in list(offer.budgets):
        lower, upper = row.in_force.lower, row.in_force.upper
        if lower is not None and lower >= day:
            offer.budgets.remove(row)
        elif upper > day:
            row.in_force = Range(lower, day)
    # The day the offer's current budget took effect (None: since ever).
    since = max((row.in_force.upper for row in offer.budgets), default=None)
    if since is None or since < day:
        session.flush()
        offer.budgets.append(OfferBudget(weekly_hours_budget=offer.weekly_hours_budget,
                                         in_force=Range(since, day)))
    offer.weekly_hours_budget = budget


def budget_on(offer: Offer, day: date) -> int:
    """The weekly budget in force on a local day (an ISO week's: on its Monday)."""
    for row in offer.budgets:
        if (row.in_force.lower is None or row.in_force.lower <= day) \
                and day < row.in_force.upper:
            return row.weekly_hours_budget
    return offer.weekly_hours_budget


def _minutes(value: time, *, closing: bool = False) -> int:
    minutes = value.hour * 60 + value.minute
    return 1440 if closing and minutes == 0 else minutes


def onto_grid(opens: time, closes: time, slot_minutes: int) -> tuple[time, time] | None:
    """A wall-clock span cut to the slot grid (opens rounded up, closes down; 24:00 stays),
    None when no whole slot is left: what a drafted offer offers of an opening span."""
    first = -(-_minutes(opens) // slot_minutes) * slot_minutes
    last = _minutes(closes, closing=True) // slot_minutes * slot_minutes
    if first >= last:
        return None
    return (time(first // 60, first % 60),
            time(0) if last == 1440 else time(last // 60, last % 60))


def off_grid(windows: list[Window], grids: list[tuple[int, int]],
             from_day: date | None = None) -> list[dict]:
    """Each window span that does not open and close on an offered item's slot grid (counted
    from local midnight, service/calendar/grid.py; midnight is on every grid), with the item
    and its grid (`grids`: equipment id, slot minutes): such a span offers time nobody can
    book."""
    found = []
    for index, window in enumerate(windows):
        if from_day is not None and window.ends_on < from_day:
            continue  # the days before a change stay as they were
        for weekday, opens, closes in window.spans:
            for equipment_id, slot in grids:
                if _minutes(opens) % slot or _minutes(closes, closing=True) % slot:
                    found.append({"window": index, "weekday": weekday,
                                  "opens": opens.strftime("%H:%M"),
                                  "closes": wallclock.wall_text(closes, closing=True),
                                  "equipment_id": equipment_id, "slot_minutes": slot})
    return found


def require_on_grid(windows: list[Window], items: list, from_day: date | None = None) -> None:
    """Refuse spans off an item's grid (of windows reaching `from_day`), naming each (422
    offer_span_off_grid)."""
    if found := off_grid(windows, [(e.id, e.slot_minutes) for e in items], from_day):
        first = found[0]
        raise OfferSpanOffGrid(
            f"Window {first['window']}'s span {first['opens']}-{first['closes']} on weekday "
            f"{first['weekday']} is not on equipment {first['equipment_id']}'s "
            f"{first['slot_minutes']}-minute slot grid (slots count from local midnight).",
            off_grid=found,
            errors={f"windows.{f['window']}": ["A span is off an item's slot grid."]
                    for f in found})


def value(given) -> Decimal | None:
    return None if given is None else Decimal(str(given)).quantize(Decimal("0.01"))


def require_offers_on_new_grid(session: Session, equipment, slot_minutes: int,
                               now: datetime) -> None:
    """Before an item's slot grid changes: each live offer holding it from today on keeps every
    span of its windows still to come on the new grid, or the change is refused (409
    offers_off_new_grid, naming the offers and spans)."""
    today = wallclock.local(now, equipment.base.timezone).date()
    offers = session.scalars(select(Offer).join(OfferItem, OfferItem.offer_id == Offer.id).where(
        Offer.status.in_(LIVE), OfferItem.equipment_id == equipment.id,
        func.coalesce(func.upper(OfferItem.in_force) > today, True)).distinct()
        .order_by(Offer.id))
    found = []
    for offer in offers:
        if spans := off_grid(rules.windows_of(offer), [(equipment.id, slot_minutes)], today):
            found.append({"offer_id": offer.id, "status": offer.status, "off_grid": spans})
    if found:
        raise OffersOffNewGrid(
            f"{len(found)} live offer(s) of this item have spans off a {slot_minutes}-minute "
            "grid; change their windows first.", offers=found)


def install() -> None:
    """Have the catalogue run require_offers_on_new_grid before an item's grid changes (the
    catalogue lies below offers and cannot import it)."""
    if require_offers_on_new_grid not in GRID_CHANGE_CHECKS:
        GRID_CHANGE_CHECKS.append(require_offers_on_new_grid)
