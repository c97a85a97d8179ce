"""What an offer's withdrawal or narrowing does to the bookings made under it: which no longer
fit, which are kept within the notice period, and their cancellation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import statuses, wallclock
from ..calendar.spans import covers
from ..reservations.models import Reservation
from ..reservations.offered import counted_hours
from ..reservations.transitions import notify_about, record
from .models import Offer
from .rules import Window, offer_spans


def _future_bookings(session: Session, offer_id: int, now: datetime) -> list[Reservation]:
    return list(session.scalars(select(Reservation).where(
        Reservation.offer_id == offer_id, Reservation.status.in_(statuses.NOT_UNDER_WAY),
        Reservation.starts_at > now).order_by(Reservation.starts_at, Reservation.id)
        .with_for_update(of=Reservation)))


def _fits(reservation: Reservation, item_ids: set[int], windows: list[Window]) -> bool:
    if reservation.equipment_id not in item_ids:
        return False
    spans = offer_spans(windows, reservation.equipment.base.timezone,
                        reservation.starts_at, reservation.ends_at)
    return covers(spans, reservation.starts_at, reservation.ends_at)


def _local_day(reservation: Reservation) -> date:
    return wallclock.local(reservation.starts_at, reservation.equipment.base.timezone).date()


def unfit_bookings(session: Session, offer: Offer, *, item_ids: set[int],
                   windows: list[Window], budget: int, now: datetime,
                   from_day: date | None = None) -> list[dict]:
    """Bookings under the offer yet to start that new terms no longer hold, each with its fate:
    cancelled, or kept because it starts within the notice period. Only those starting on
    `from_day` (a local day in each item's zone; None: any day) or later: the terms of the days
    before do not change. Outside the new items or windows, or past a lower weekly budget: in
    each ISO week starting on or after that day (a week's budget is its Monday's) the
    bookings made last are the ones over it (what has already started or ended stays
    counted)."""
    notice_ends = now + timedelta(days=offer.withdrawal_notice_days)
    future = [r for r in _future_bookings(session, offer.id, now)
              if from_day is None or _local_day(r) >= from_day]
    unfit = [r for r in future if not _fits(r, item_ids, windows)]
    fitting = [r for r in future if r not in unfit]
    if from_day is not None:  # weeks whose Monday comes before the change keep their budget
        fitting = [r for r in fitting
                   if _local_day(r) - timedelta(days=_local_day(r).weekday()) >= from_day]
    unfit += _over_budget(session, offer.id, fitting, budget, now)
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
        started = counted_hours(session, offer_id, week_start, min(week_end, now)) \
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
            "timezone": reservation.equipment.timezone,
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
