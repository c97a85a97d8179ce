"""Every rule a booking must pass, in the order booking checks them: one definition, run by
booking before its insert and by judging (a span weighed before booking, nothing written)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import RESERVING_ROLES, require_role
from ..catalogue.errors import NotYourEquipment
from ..catalogue.qualifications import lacks_qualification
from ..i18n import gettext
from .conflicts import check_free
from .holders import (
    attendees_of,
    qualification_required,
    require_attendees_qualified,
    resolve_holder,
)
from .offered import OfferTerms, check_offer
from .quotas import check_quota
from .spans import booking_target_and_facts, check_span
from .targets import BookingTarget


@dataclass(frozen=True)
class Verdict:
    """A span that passed every rule: for whom, with whom, under which offer, and what a
    booking of it becomes (`pending` when the owner must approve, or for a waitlist hold)."""

    equipment: BookingTarget
    holder: User
    attendee_ids: list[int]
    terms: OfferTerms | None
    status: str
    offer_decides: bool
    blocked_until: datetime


def judge(session: Session, actor: User, *, equipment_id: int, starts_at: datetime,
          ends_at: datetime, attendees: Iterable[int] = (), holder_id: int | None = None,
          hold_expires_at: datetime | None = None, now: datetime, lock: bool) -> Verdict:
    """Raise the first rule the span breaks, as booking would. `lock` when booking: the item
    (FOR SHARE), its offer and the holder's quota row are locked until commit, and the
    exclusion constraint, met by the insert, has the last word on overlaps. Without `lock`
    (judging), nothing is locked and the bookings in the way are asked for here, last, where
    booking meets them; starts_at and ends_at are UTC."""
    require_role(actor, *RESERVING_ROLES)
    holder = resolve_holder(session, actor, holder_id)
    equipment, facts, offer_id = booking_target_and_facts(session, equipment_id, starts_at,
                                                          ends_at, holder, lock=lock)
    internal = holder.organisation_id == equipment.owner_organisation_id and equipment.offered
    if holder.role == "enterprise_staff" and not internal:
        raise NotYourEquipment(gettext("%(item)s is not your organisation's: an enterprise's "
                                       "staff book its own equipment only.", item=equipment.name),
                               errors={"equipment_id": ["Not your organisation's."]})
    attendee_ids = attendees_of(session, actor, holder, equipment, attendees)
    limits = check_span(session, equipment, starts_at, ends_at, now=now,
                                            holder=holder, facts=facts)
    # The owner's staff run their own machines (nobody grants them a qualification): exempt.
    if not internal and lacks_qualification(
            session, holder, requires_qualification=equipment.requires_qualification,
            category_id=equipment.category_id, until=ends_at):
        raise qualification_required(
            session, gettext("%(person)s needs a valid '%(category)s' qualification lasting "
                             "until the end of the reservation.", person=holder.full_name,
                             category=equipment.category_name),
            school_id=holder.organisation_id, category_id=equipment.category_id,
            category_code=equipment.category_code, category_name=equipment.category_name)
    if equipment.requires_qualification and attendee_ids:
        require_attendees_qualified(session, equipment, attendee_ids, ends_at,
                                    holder.organisation_id)
    check_quota(session, holder, equipment, starts_at, ends_at, now, limits, lock=lock)
    terms = check_offer(session, offer_id, equipment, starts_at, ends_at) \
        if equipment.under_offer_for(holder.organisation_id) else None
    offer_decides = terms is not None and terms.requires_approval and hold_expires_at is None
    if hold_expires_at is not None or equipment.requires_approval or offer_decides:
        status = "pending"
    else:
        status = "confirmed"
    blocked_until = ends_at + timedelta(minutes=equipment.setup_buffer_minutes)
    if not lock:
        check_free(session, actor, equipment.id, starts_at, blocked_until, equipment.timezone)
    return Verdict(equipment=equipment, holder=holder, attendee_ids=attendee_ids, terms=terms,
                   status=status, offer_decides=offer_decides, blocked_until=blocked_until)
