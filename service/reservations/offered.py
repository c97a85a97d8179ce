"""Enterprise equipment is booked under an offer: only by the addressed school's members, only
inside the approved offer's windows, within its weekly hour budget; what an offer's withdrawal
or narrowing does to the bookings made under it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import statuses, wallclock
from ..calendar.spans import Span, covers
from ..offers import rules as offer_rules
from ..offers.models import Offer, OfferItem
from .errors import NotOfferedToYou, OfferBudgetExceeded, OutsideOfferWindow
from .models import Reservation
from .targets import BookingTarget
from .transitions import notify_about, record


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
    windows: tuple[offer_rules.Window, ...]

    def spans(self, tz: str, start: datetime, end: datetime) -> list[Span]:
        return offer_rules.offer_spans(self.windows, tz, start, end)


def _terms(offer: Offer) -> OfferTerms:
    return OfferTerms(
        offer_id=offer.id, enterprise_id=offer.enterprise_id,
        weekly_hours_budget=offer.weekly_hours_budget, requires_approval=offer.requires_approval,
        approval_hours=offer.approval_hours, supervisor_on_site=offer.supervisor_on_site,
        supervisor_contact=offer.supervisor_contact, allowed_uses=offer.allowed_uses,
        asks_back=offer.asks_back, windows=tuple(offer_rules.windows_of(offer)))


def _approved_offers(equipment_id: int):
    return select(Offer).join(OfferItem, OfferItem.offer_id == Offer.id).where(
        OfferItem.equipment_id == equipment_id, Offer.status == "approved")


def terms_for(session: Session, equipment_id: int, school_id: int, *,
              lock: bool = False) -> OfferTerms | None:
    """The approved offer of the item addressed to the school (one at most: an enterprise keeps
    one live offer per school). With lock, the offer's row is held until commit: bookings under
    one offer then count its budget one after the other, and an edit or withdrawal waits."""
    stmt = _approved_offers(equipment_id).where(Offer.school_id == school_id)
    if lock:
        stmt = stmt.with_for_update(of=Offer)
    offer = session.scalar(stmt)
    return _terms(offer) if offer else None


def bookable_spans(session: Session, actor: User, equipment: BookingTarget, start: datetime,
                   end: datetime) -> tuple[list[Span], OfferTerms | None]:
    """Where an enterprise's item may be booked as the actor sees it: a school's member sees
    their school's approved offer; the owning enterprise sees all its approved offers; anyone
    else nothing. Also the terms the actor books under (school members only)."""
    if actor.organisation_id == equipment.owner_organisation_id:
        offers = session.scalars(_approved_offers(equipment.id)).all()
        return offer_rules.offer_spans(
            [w for o in offers for w in offer_rules.windows_of(o)], equipment.timezone,
            start, end), None
    terms = terms_for(session, equipment.id, actor.organisation_id)
    if terms is None:
        return [], None
    return terms.spans(equipment.timezone, start, end), terms


def offered_for_span(session: Session, actor: User, start: datetime, end: datetime) -> list[int]:
    """Enterprise items whose approved offers open all of [start, end) to the actor: offers to
    the actor's school, or the actor's enterprise's own."""
    return [item for item, windows, tz in _offered_items(session, actor)
            if covers(offer_rules.offer_spans(windows, tz, start, end), start, end)]


def _offered_items(session: Session, actor: User):
    offers = session.scalars(select(Offer).where(
        Offer.status == "approved",
        (Offer.school_id == actor.organisation_id)
        | (Offer.enterprise_id == actor.organisation_id))).all()
    for offer in offers:
        windows = offer_rules.windows_of(offer)
        for item in offer.items:
            yield item.equipment_id, windows, item.equipment.base.timezone


def week_usage(session: Session, terms: OfferTerms, tz: str, start: datetime,
               end: datetime) -> list[dict]:
    """Booked and remaining budget hours of each ISO week (in the item's zone) touching
    [start, end), counted as the budget check counts them."""
    weeks, cursor = [], start
    while cursor < end:
        week = wallclock.iso_week(cursor, tz)
        weeks.append(week)
        cursor = week[1]
    usage = []
    for week_start, week_end in weeks:
        booked = _booked_hours(session, terms.offer_id, week_start, week_end)
        usage.append({"week_starts_at": week_start.isoformat(), "booked_hours": booked,
                      "remaining_hours": round(max(0.0, terms.weekly_hours_budget - booked),
                                               2)})
    return usage


def _booked_hours(session: Session, offer_id: int, week_start: datetime,
                  week_end: datetime) -> float:
    seconds = session.scalar(select(func.coalesce(func.sum(
        func.extract("epoch", Reservation.ends_at - Reservation.starts_at)), 0)).where(
        Reservation.offer_id == offer_id, Reservation.status.in_(statuses.COUNTED_AGAINST_BUDGET),
        Reservation.starts_at >= week_start, Reservation.starts_at < week_end))
    return round(float(seconds) / 3600, 2)


def check_window(session: Session, holder: User, equipment: BookingTarget, starts_at: datetime,
                 ends_at: datetime, *, lock: bool = False) -> OfferTerms:
    """The approved offer to the holder's school whose windows hold the whole span."""
    terms = terms_for(session, equipment.id, holder.organisation_id, lock=lock)
    if terms is None:
        raise NotOfferedToYou(
            f"{equipment.name} belongs to an enterprise and is not offered to your school.")
    if not covers(terms.spans(equipment.timezone, starts_at, ends_at), starts_at, ends_at):
        raise OutsideOfferWindow(errors={"starts_at": ["Outside the offer's windows."]},
                                 offer_id=terms.offer_id)
    return terms


def check_offer(session: Session, holder: User, equipment: BookingTarget, starts_at: datetime,
                ends_at: datetime) -> OfferTerms:
    """The offer an enterprise's item is booked under, once the span fits its windows and its
    budget. The offer's row stays locked until commit, so two bookings racing for the last
    hours of a week are counted one after the other: PostgreSQL decides, not the client."""
    terms = check_window(session, holder, equipment, starts_at, ends_at, lock=True)
    tz = equipment.timezone
    week_start, week_end = wallclock.iso_week(starts_at, tz)
    booked = _booked_hours(session, terms.offer_id, week_start, week_end)
    wanted = (ends_at - starts_at).total_seconds() / 3600
    if booked + wanted > terms.weekly_hours_budget + 1e-9:
        raise OfferBudgetExceeded(
            f"The offer allows {terms.weekly_hours_budget} hours in the ISO week starting "
            f"{wallclock.local(week_start, tz):%Y-%m-%d}; {booked:g} are booked.",
            offer_id=terms.offer_id, weekly_hours_budget=terms.weekly_hours_budget,
            booked_hours=booked, week_starts_at=week_start.isoformat())
    return terms


def decision_deadline(terms: OfferTerms, starts_at: datetime, now: datetime) -> datetime:
    """When a request under an offer that asks for approval lapses: the offer's decision time
    after the request, and never later than the session's start."""
    return min(now + timedelta(hours=terms.approval_hours), starts_at)


def deadline_on_taking_up(session: Session, reservation: Reservation,
                          now: datetime) -> datetime | None:
    """When a waitlist offer under an offer that asks for approval is taken up, the request
    goes to the enterprise: its decision deadline (None when the offer does not ask)."""
    if reservation.offer_id is None:
        return None
    offer = session.get(Offer, reservation.offer_id)
    if not offer.requires_approval:
        return None
    return decision_deadline(_terms(offer), reservation.starts_at, now)


def _future_bookings(session: Session, offer_id: int, now: datetime) -> list[Reservation]:
    return list(session.scalars(select(Reservation).where(
        Reservation.offer_id == offer_id, Reservation.status.in_(statuses.NOT_UNDER_WAY),
        Reservation.starts_at > now).order_by(Reservation.starts_at, Reservation.id)
        .with_for_update(of=Reservation)))


def _fits(reservation: Reservation, item_ids: set[int],
          windows: list[offer_rules.Window]) -> bool:
    if reservation.equipment_id not in item_ids:
        return False
    spans = offer_rules.offer_spans(windows, reservation.equipment.base.timezone,
                                    reservation.starts_at, reservation.ends_at)
    return covers(spans, reservation.starts_at, reservation.ends_at)


def unfit_bookings(session: Session, offer: Offer, *, item_ids: set[int],
                   windows: list[offer_rules.Window], budget: int,
                   now: datetime) -> list[dict]:
    """Bookings under the offer yet to start that new terms no longer hold, each with its fate:
    cancelled, or kept because it starts within the notice period. Outside the new items or
    windows, or past a lower weekly budget: in each ISO week the bookings made last are the
    ones over it (what has already started or ended stays counted)."""
    notice_ends = now + timedelta(days=offer.withdrawal_notice_days)
    future = _future_bookings(session, offer.id, now)
    unfit = [r for r in future if not _fits(r, item_ids, windows)]
    unfit += _over_budget(session, offer.id, [r for r in future if r not in unfit], budget, now)
    unfit.sort(key=lambda r: (r.starts_at, r.id))
    return [affected(r, notice_ends) for r in unfit]


def _over_budget(session: Session, offer_id: int, kept: list[Reservation], budget: int,
                 now: datetime) -> list[Reservation]:
    weeks: dict[tuple, list[Reservation]] = {}
    for reservation in kept:
        weeks.setdefault(wallclock.iso_week(reservation.starts_at,
                                        reservation.equipment.base.timezone), []).append(
            reservation)
    over = []
    for (week_start, week_end), bookings in weeks.items():
        # Hours of the week no change can take back: sessions already started or over.
        started = _booked_hours(session, offer_id, week_start, min(week_end, now)) \
            if week_start < now else 0.0
        total = started
        for reservation in sorted(bookings, key=lambda r: (r.created_at, r.id)):
            total += (reservation.ends_at - reservation.starts_at).total_seconds() / 3600
            if total > budget + 1e-9:
                over.append(reservation)
    return over


def affected(reservation: Reservation, notice_ends: datetime) -> dict:
    """A booking as the enterprise sees it in a list of those its change touches: holder's
    name and school only (the `reservation` key stays inside the service)."""
    holder = reservation.holder
    return {"reservation": reservation, "id": reservation.id,
            "equipment_id": reservation.equipment_id,
            "starts_at": reservation.starts_at, "ends_at": reservation.ends_at,
            "status": reservation.status, "holder_name": holder.full_name,
            "school_name": holder.organisation.name,
            "fate": "kept" if reservation.starts_at < notice_ends else "cancelled"}


def cancel_bookings(session: Session, bookings: list[dict], actor: User, reason: str) -> None:
    """Cancel the listed bookings whose fate is cancellation, telling each holder why (the
    caller commits)."""
    for booking in bookings:
        if booking["fate"] == "cancelled":
            reservation = booking["reservation"]
            record(session, reservation, "cancelled", actor, reason)
            notify_about(session, reservation, "cancelled", reason=reason)


def bookings_after_notice(session: Session, offer: Offer, now: datetime) -> list[dict]:
    """On withdrawal: every booking yet to start, cancelled if it starts after the notice
    period, kept if sooner."""
    notice_ends = now + timedelta(days=offer.withdrawal_notice_days)
    return [affected(r, notice_ends) for r in _future_bookings(session, offer.id, now)]


def listed(bookings: list[dict]) -> list[dict]:
    """The listed bookings as an answer shows them (without the rows behind them)."""
    return [{key: value for key, value in booking.items() if key != "reservation"}
            for booking in bookings]


def public(bookings: list[dict]) -> list[dict]:
    """The listed bookings as JSON values, for a problem's extension member."""
    return [{key: value.isoformat() if isinstance(value, datetime) else value
             for key, value in booking.items()} for booking in listed(bookings)]
