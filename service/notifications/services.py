"""Use cases of notifications: write to the outbox, deliver it, mark a user's read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import wallclock
from ..db import utcnow
from ..i18n import gap, gettext, in_language, lazy_gettext

# Delivery lives in its own modules; its names stay importable from here.
from .delivery import deliver_notifications as deliver_notifications
from .mail import Mailer as Mailer
from .models import Notification, request_trace

# The subjects by kind, in the language a notice is written in (`in_language`).
SUBJECTS = {
    "confirmed": lazy_gettext("Reservation confirmed"),
    "pending_approval": lazy_gettext("Reservation awaiting approval"),
    "approved": lazy_gettext("Reservation approved"),
    "rejected": lazy_gettext("Reservation rejected"),
    "cancelled": lazy_gettext("Reservation cancelled"),
    "lapsed": lazy_gettext("Request lapsed"),
    "reminder": lazy_gettext("Reservation starting soon"),
    "no_show": lazy_gettext("Reservation marked as no-show"),
    "waitlist_offer": lazy_gettext("A slot you waited for is free"),
    "request_received": lazy_gettext("Booking request to decide"),
    "request_lapsing": lazy_gettext("Booking request about to lapse"),
    "class_booked": lazy_gettext("Class booked"),
    "class_moved": lazy_gettext("Class moved"),
    "class_cancelled": lazy_gettext("Class cancelled"),
    "waitlist_passed_over": lazy_gettext("Waitlist: the slot went on without you"),
}


@dataclass(frozen=True)
class Occasion:
    """What a notice says of a reservation: which item, where, and when (in the base's zone)."""

    equipment_id: int
    equipment_name: str
    asset_tag: str
    base_name: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    hold_expires_at: datetime | None = None
    decide_by: datetime | None = None  # when a request the enterprise must decide lapses


def wall_time(instant: datetime, tz: str, *, day: bool = True) -> str:
    """A local time with its offset, as every human text writes it (calendar.wallclock)."""
    return wallclock.local_text(instant, tz, day=day)


def span_text(start: datetime, end: datetime, tz: str) -> str:
    """"2027-10-31 02:30 (UTC+02:00) to 02:30 (UTC+01:00), Europe/Berlin": the end's date
    only when it falls on another day, and the zone's name once."""
    return gettext("%(span)s, %(zone)s", span=wallclock.local_span_text(start, end, tz), zone=tz)


def language_of(session: Session, user_id: int) -> str:
    """The language a person reads their notices in."""
    user = session.get(User, user_id)
    return user.language if user is not None else "en"


def notice(occasion: Occasion, kind: str, *, reason: str = "", holder: str = "",
           previous: tuple[datetime, datetime] | None = None, language: str | None = None
           ) -> dict:
    """The subject, body and data of a notice (the reservation's id is added by its writer),
    written in `language` (the recipient's; None: the current locale's).
    `holder` names who asked or teaches (for approvers and attendees); `previous` is the span
    a moved class had before."""
    if language is not None:
        with in_language(language):
            return notice(occasion, kind, reason=reason, holder=holder, previous=previous)
    tz = occasion.timezone
    start, end = occasion.starts_at, occasion.ends_at
    reason = str(reason)  # a lazy string (a reason the service gives) in this language
    subject = str(SUBJECTS[kind])
    body = gettext("%(subject)s: %(item)s (%(tag)s) at %(base)s, %(span)s.", subject=subject,
                   item=occasion.equipment_name, tag=occasion.asset_tag,
                   base=occasion.base_name, span=span_text(start, end, tz))
    if holder and kind.startswith("request_"):
        body += gap() + gettext("Requested by %(holder)s.", holder=holder)
    elif holder and kind.startswith("class_"):
        body += gap() + gettext("You attend this class, held by %(holder)s.", holder=holder)
    if previous is not None:
        body += gap() + gettext("It was %(span)s before.", span=span_text(*previous, tz))
    if reason and kind != "lapsed":  # a lapse says why in its own words, below
        body += gap() + gettext("Reason: %(reason)s", reason=reason)
    if kind in ("request_received", "request_lapsing"):
        deadline = min(occasion.decide_by or start, start)
        body += gap() + gettext("Approve or reject it by %(deadline)s; undecided, it lapses "
                              "then.", deadline=wall_time(deadline, tz))
    if kind == "waitlist_offer" and occasion.hold_expires_at:
        body += gap() + gettext("Confirm it before %(deadline)s.",
                              deadline=wall_time(occasion.hold_expires_at, tz))
    if kind == "waitlist_passed_over":
        body += gap() + gettext(
            "The span is free, but booking it would break your quota, so it went to the next "
            "in line and your wish is closed; book it yourself once you are within your "
            "quota, if it is still free.")
    if kind == "lapsed":
        deadline = min(occasion.decide_by or start, start)
        body += gap() + gettext(
            "The item's owner did not decide on the request by %(deadline)s, so it lapsed; it "
            "does not count as a cancellation of yours.", deadline=wall_time(deadline, tz))
    if kind == "pending_approval" and occasion.decide_by:
        body += gap() + gettext("The owner decides by %(deadline)s; undecided, the request "
                              "lapses then.", deadline=wall_time(occasion.decide_by, tz))
    return {"subject": gettext("%(subject)s: %(item)s", subject=subject,
                               item=occasion.equipment_name), "body": body,
            "data": {"equipment_id": occasion.equipment_id, "timezone": tz,
                     "starts_at": occasion.starts_at.isoformat(),
                     "ends_at": occasion.ends_at.isoformat(), "reason": reason,
                     **({"previous_starts_at": previous[0].isoformat(),
                         "previous_ends_at": previous[1].isoformat()} if previous else {}),
                     # Inserted by the booking's one statement too, past the ORM's hook.
                     **request_trace()}}


def notify(session: Session, *, user_id: int, reservation_id: int | None, kind: str,
           occasion: Occasion, reason: str = "", holder: str = "",
           previous: tuple[datetime, datetime] | None = None,
           data: dict | None = None, language: str | None = None) -> Notification:
    """Put a notice about a reservation (or a wish for a span) in the outbox, in the
    recipient's language (`language` when the caller read it already; the caller commits)."""
    message = notice(occasion, kind, reason=reason, holder=holder, previous=previous,
                     language=language or language_of(session, user_id))
    message["data"] = {"reservation_id": reservation_id, **message["data"], **(data or {})}
    notification = Notification(user_id=user_id, kind=kind, reservation_id=reservation_id,
                                **message)
    session.add(notification)
    return notification


def mark_read(session: Session, *, user_id: int, ids: list[int] | None = None,
              everything: bool = False, now: datetime | None = None) -> int:
    """Mark the user's notices read (those named by `ids`, or all of them) and answer how many
    stay unread. Ids of other people's notices are passed over, never refused: a refusal would
    tell the caller that such a notice exists. Marking a read notice again keeps its first
    read_at."""
    if ids or everything:
        stmt = update(Notification).where(Notification.unread_of(user_id))
        if not everything:
            stmt = stmt.where(Notification.id.in_(ids))
        session.execute(stmt.values(read_at=now or utcnow()),
                        execution_options={"synchronize_session": False})
    unread = session.scalar(select(func.count()).select_from(Notification)
                            .where(Notification.unread_of(user_id)))
    session.commit()
    return unread


@dataclass(frozen=True)
class AtRisk:
    """A booking that needs a qualification its holder (or an attendee) just lost."""

    reservation_id: int
    occasion: Occasion
    status: str
    holder: str
    as_attendee: bool = False


# A notice stays readable (and under the outbox's 4,000 characters) however many are at risk.
MAX_LISTED = 20


def revocation_notice(*, category: str, user: str, revoked_by: str, at_risk: list[AtRisk],
                      to_holder: bool) -> dict:
    """What the qualification's holder, and the approvers of the items concerned, are told
    (in the current locale: the writer picks the recipient's with `in_language`)."""
    if to_holder:
        body = gettext("Your '%(category)s' qualification was revoked by %(by)s.",
                       category=category, by=revoked_by)
    else:
        body = gettext("%(user)s's '%(category)s' qualification was revoked by %(by)s.",
                       user=user, category=category, by=revoked_by)
    if not at_risk:
        body += (gap() + gettext("No booking of yours needs it.")) if to_holder else ""
    else:
        body += gap() + gettext("These bookings need it; they stay booked, but will be refused "
                              "at check-in unless it is granted again:")
        for risk in at_risk[:MAX_LISTED]:
            o = risk.occasion
            role = (gap() + gettext("(attending %(holder)s's class)", holder=risk.holder)
                    if risk.as_attendee else "" if to_holder
                    else gap() + gettext("(held by %(holder)s)", holder=risk.holder))
            body += (f"\n- #{risk.reservation_id} " + gettext(
                "%(item)s (%(tag)s) at %(base)s, %(span)s", item=o.equipment_name,
                tag=o.asset_tag, base=o.base_name,
                span=span_text(o.starts_at, o.ends_at, o.timezone))
                + f", {risk.status}{role}")
        if len(at_risk) > MAX_LISTED:
            body += "\n" + gettext("... and %(count)s more.", count=len(at_risk) - MAX_LISTED)
    subject = gettext("Qualification revoked: %(category)s (%(user)s)", category=category,
                      user=user)
    return {"subject": subject[:300], "body": body[:4000],
            "data": {"category": category, "user": user, "reservations": [
                {"reservation_id": r.reservation_id, "equipment_id": r.occasion.equipment_id,
                 "starts_at": r.occasion.starts_at.isoformat(),
                 "ends_at": r.occasion.ends_at.isoformat(), "status": r.status,
                 "as_attendee": r.as_attendee} for r in at_risk]}}

