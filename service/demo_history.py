"""Past use of the demo items (seeds/history.json), so reports and the dashboard have something
to draw on a fresh start: some items busy, some idle for weeks, check-ins and check-outs,
no-shows, cancellations (some late), classes with attendees, enterprise items used inside their
approved offer's windows by the school, and (rows marked `internal`) by their own enterprise.

The booking engine refuses the past, so the rows are written as they would stand today, like
the offers' past sessions in service/seeding.py. The draw is seeded by the item and the week,
so the same load date gives the same history; loading again adds nothing."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from .accounts.models import User
from .calendar.spans import covers
from .calendar.wallclock import at_local
from .catalogue.models import Equipment
from .offers.models import Offer, OfferItem
from .offers.rules import offer_spans, windows_of
from .reservations.models import Reservation, ReservationAttendee, ReservationEvent


@dataclass(frozen=True)
class Slot:
    item: Equipment
    day: date
    starts: time
    ends: time


def _span(text: str) -> tuple[time, time]:
    opens, closes = text.split("-")
    return time.fromisoformat(opens), time.fromisoformat(closes)


def load_history(session: Session, seeds_dir: Path, today: date) -> int:
    """Write the past reservations of seeds/history.json unless they are there; how many."""
    with open(Path(seeds_dir) / "history.json", encoding="utf-8") as handle:
        plan = json.load(handle)
    purpose = plan["purpose"]
    if session.scalar(select(exists().where(Reservation.purpose == purpose))):
        return 0
    users = {u.email: u for u in session.scalars(select(User))}
    items = {e.asset_tag: e for e in session.scalars(select(Equipment).where(
        Equipment.status != "retired"))}
    monday = today - timedelta(days=today.isoweekday() - 1)
    weeks = [monday - timedelta(weeks=n) for n in range(plan["weeks"], 0, -1)]
    # The demo's items have been in service since before their history (an item entered
    # today would be too new to be judged idle over past weeks).
    with open(Path(seeds_dir) / "equipment.json", encoding="utf-8") as handle:
        tags = [row["asset_tag"] for row in json.load(handle)]
    since = datetime.combine(weeks[0] - timedelta(days=1), time(0), tzinfo=UTC)
    session.execute(update(Equipment).where(Equipment.asset_tag.in_(tags),
                                            Equipment.created_at > since)
                    .values(created_at=since))
    taken: set[tuple[str, date, time]] = set()
    written: list[tuple[Reservation, list]] = []
    for row in plan["classes"]:
        item, (starts, ends) = items[row["asset_tag"]], _span(row["slot"])
        for week in row["weeks"]:
            day = monday + timedelta(weeks=week, days=row["weekday"] - 1)
            taken.add((item.asset_tag, day, starts))
            written.append(_past(Slot(item, day, starts, ends), users[row["holder"]],
                                 "completed", purpose,
                                 attendees=[users[e] for e in row["attendees"]]))
    odds = plan["outcome_odds"]
    for row in plan["items"]:
        item, profile = items[row["asset_tag"]], plan["profiles"][row["profile"]]
        # The school books an enterprise's item under its offer; the enterprise's own staff
        # (an `internal` row) under none, in the base's opening hours.
        offer = _offer_of(session, item) \
            if item.owner.kind == "enterprise" and not row.get("internal") else None
        holders = [users[e] for e in row["holders"]]
        for week_start in weeks:
            draw = random.Random(f"{item.asset_tag}/{(monday - week_start).days}")
            for slot in _slots(item, row, profile, week_start):
                if draw.random() >= profile["taken"] or \
                        (item.asset_tag, slot.day, slot.starts) in taken:
                    continue
                if offer is not None and not _inside(offer, slot):
                    continue
                fate = draw.random()
                status = "no_show" if fate < odds["no_show"] else \
                    "cancelled" if fate < odds["no_show"] + odds["cancelled"] else "completed"
                late = status == "cancelled" and draw.random() < odds["late_share"]
                written.append(_past(slot, draw.choice(holders), status, purpose, offer=offer,
                                     late=late, minutes_late=draw.choice((0, 5, 10))))
    # All at once: one round of inserts for the reservations, then one for their events.
    session.add_all(reservation for reservation, _ in written)
    session.flush()
    session.add_all(ReservationEvent(reservation_id=reservation.id, actor_id=reservation.holder_id,
                                     from_status=before, to_status=after, at=at)
                    for reservation, steps in written for before, after, at in steps)
    session.commit()
    return len(written)


def _slots(item: Equipment, row: dict, profile: dict, week_start: date):
    """The item's candidate slots in one week: the profile's (or the row's own) on each open
    weekday, cut to the item's longest booking."""
    weekdays = row.get("weekdays") or [1, 2, 3, 4, 5, 6]
    longest = timedelta(minutes=item.max_duration_minutes)
    for weekday in weekdays:
        spans = row.get("slots") or (profile["saturday_slots"] if weekday == 6
                                     else profile["weekday_slots"])
        day = week_start + timedelta(days=weekday - 1)
        for text in spans:
            starts, ends = _span(text)
            end = min(datetime.combine(day, ends), datetime.combine(day, starts) + longest)
            yield Slot(item, day, starts, end.time())


def _offer_of(session: Session, item: Equipment) -> Offer | None:
    return session.scalar(select(Offer).join(OfferItem).where(
        OfferItem.equipment_id == item.id, Offer.status == "approved").order_by(Offer.id))


def _inside(offer: Offer, slot: Slot) -> bool:
    tz = slot.item.base.timezone
    starts, ends = at_local(slot.day, slot.starts, tz), at_local(slot.day, slot.ends, tz)
    return covers(offer_spans(windows_of(offer), tz, starts, ends), starts, ends)


def _past(slot: Slot, holder: User, status: str, purpose: str, *, offer: Offer | None = None,
          attendees=(), late: bool = False, minutes_late: int = 0) -> tuple[Reservation, list]:
    """One past reservation and its status steps (from, to, when): completed (checked in,
    maybe a little late, and out at the end), a no-show, or cancelled three days or three
    hours before the start."""
    tz = slot.item.base.timezone
    starts_at, ends_at = at_local(slot.day, slot.starts, tz), at_local(slot.day, slot.ends, tz)
    buffer = timedelta(minutes=slot.item.setup_buffer_minutes)
    checked_in = starts_at + timedelta(minutes=minutes_late) if status == "completed" else None
    reservation = Reservation(
        equipment_id=slot.item.id, holder_id=holder.id, created_by_id=holder.id, status=status,
        starts_at=starts_at, ends_at=ends_at, blocked_until=ends_at + buffer, purpose=purpose,
        offer_id=offer.id if offer else None, checked_in_at=checked_in,
        checked_out_at=ends_at if checked_in else None,
        attendees=[ReservationAttendee(user_id=u.id, checked_in_at=checked_in)
                   for u in attendees])
    steps = [(None, "confirmed", starts_at - timedelta(days=5))]
    if status == "completed":
        steps += [("confirmed", "checked_in", checked_in), ("checked_in", "completed", ends_at)]
    elif status == "no_show":
        steps.append(("confirmed", "no_show", starts_at + timedelta(minutes=30)))
    else:
        notice = timedelta(hours=3) if late else timedelta(days=3)
        steps.append(("confirmed", "cancelled", starts_at - notice))
    return reservation, steps
