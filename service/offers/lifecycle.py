"""Lifecycle use cases of one offer: submit, approve, reject, withdraw."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..db import utcnow
from ..errors import Forbidden
from . import bookings as offered_bookings
from . import rules
from .errors import OfferEnded, OfferItemRetired
from .models import Offer
from .permissions import may_decide, may_manage
from .queries import get_visible_offer
from .transitions import notify_other_side, record, require_reason, transition_error


def zones_of(offer: Offer) -> list[str]:
    return [item.equipment.base.timezone for item in offer.items]


def has_ended(offer: Offer, now: datetime) -> bool:
    return rules.ended(rules.windows_of(offer), zones_of(offer), now)


def _no_retired_items(offer: Offer) -> None:
    """An item retired since the offer was drafted is no longer the enterprise's to lend:
    the offer goes on only once an edit takes it out."""
    retired = [item.equipment_id for item in offer.items if item.equipment.status == "retired"]
    if retired:
        raise OfferItemRetired(
            f"Equipment {', '.join(map(str, retired))} has been retired; take it out of the "
            "offer's items first.", retired_items=retired)


def _load(session: Session, actor: User, offer_id: int, expected_versions, *, allowed,
          who: str) -> Offer:
    offer = get_visible_offer(session, actor, offer_id, lock=True,
                              expected_versions=expected_versions)
    if not allowed(actor, offer):
        raise Forbidden(f"Only {who} may do this.")
    return offer


def submit_offer(session: Session, actor: User, offer_id: int, *, reason: str = "",
                 now: datetime | None = None,
                 expected_versions: list[int] | None = None) -> Offer:
    """The enterprise sends its draft to the school for approval."""
    offer = _load(session, actor, offer_id, expected_versions, allowed=may_manage,
                  who="the offering enterprise's staff")
    if offer.status != "draft":
        raise transition_error(offer, "submitted")
    if has_ended(offer, now or utcnow()):
        raise OfferEnded()
    _no_retired_items(offer)
    record(session, offer, "submitted", actor, (reason or "").strip())
    notify_other_side(session, offer)
    session.commit()
    return offer


def approve_offer(session: Session, actor: User, offer_id: int, *, reason: str = "",
                  now: datetime | None = None,
                  expected_versions: list[int] | None = None) -> Offer:
    """The addressed school's admin accepts the offer's terms."""
    offer = _load(session, actor, offer_id, expected_versions, allowed=may_decide,
                  who="the addressed school's admins")
    if offer.status != "submitted":
        raise transition_error(offer, "approved")
    if has_ended(offer, now or utcnow()):
        raise OfferEnded()
    _no_retired_items(offer)
    reason = (reason or "").strip()
    record(session, offer, "approved", actor, reason)
    notify_other_side(session, offer, reason=reason)
    session.commit()
    return offer


def reject_offer(session: Session, actor: User, offer_id: int, *, reason: str | None,
                 now: datetime | None = None,
                 expected_versions: list[int] | None = None) -> Offer:
    """The addressed school's admin turns the offer down, saying why."""
    offer = _load(session, actor, offer_id, expected_versions, allowed=may_decide,
                  who="the addressed school's admins")
    reason = require_reason(reason)
    if offer.status != "submitted":
        raise transition_error(offer, "rejected")
    # A resubmitted offer may have bookings made under the terms approved before: the offer
    # ends with the rejection, so they go as on a withdrawal (after the notice period).
    bookings = offered_bookings.bookings_after_notice(session, offer, now or utcnow())
    offered_bookings.cancel_bookings(session, bookings, actor,
                                     f"The school rejected the offer's new terms: {reason}")
    record(session, offer, "rejected", actor, reason)
    notify_other_side(session, offer, reason=reason)
    session.commit()
    offer.affected_reservations = offered_bookings.listed(bookings)
    return offer


def withdraw_offer(session: Session, actor: User, offer_id: int, *, reason: str | None,
                   now: datetime | None = None,
                   expected_versions: list[int] | None = None) -> Offer:
    """The enterprise takes back its offer, saying why (a draft too: it frees the one live
    offer per school a stale draft would otherwise hold). Bookings under it that start after
    the notice period are cancelled and their holders told why; sooner ones stay. The offer
    answered lists both (`affected_reservations`)."""
    offer = _withdrawable(session, actor, offer_id, lock=True,
                          expected_versions=expected_versions)
    reason = require_reason(reason)
    was_draft = offer.status == "draft"
    bookings = offered_bookings.bookings_after_notice(session, offer, now or utcnow())
    offered_bookings.cancel_bookings(session, bookings, actor,
                                     f"The enterprise withdrew its offer: {reason}")
    record(session, offer, "withdrawn", actor, reason)
    if not was_draft:  # the school never saw a draft: nothing to tell it
        notify_other_side(session, offer, reason=reason)
    session.commit()
    offer.affected_reservations = offered_bookings.listed(bookings)
    return offer


def _withdrawable(session: Session, actor: User, offer_id: int, *, lock: bool,
                  expected_versions: list[int] | None = None) -> Offer:
    """An offer its enterprise's staff may withdraw now, or the refusal withdrawing gives."""
    offer = get_visible_offer(session, actor, offer_id, lock=lock,
                              expected_versions=expected_versions)
    if not may_manage(actor, offer):
        raise Forbidden("Only the offering enterprise's staff may do this.")
    if offer.status not in ("draft", "submitted", "approved"):
        raise transition_error(offer, "withdrawn")
    return offer


def preview_withdrawal(session: Session, actor: User, offer_id: int, *,
                       now: datetime | None = None) -> dict:
    """What withdrawing the offer now would do to the bookings under it (cancelled after the
    notice period, kept sooner), refused as the withdrawal would be; nothing is written."""
    offer = _withdrawable(session, actor, offer_id, lock=False)
    bookings = offered_bookings.bookings_after_notice(session, offer, now or utcnow())
    return {"offer_id": offer.id, "affected_reservations": offered_bookings.listed(bookings)}
