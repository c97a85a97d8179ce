"""Moving an offer between statuses: the event that records it and the notice to the other
side."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..i18n import gap, gettext, in_language, lazy_gettext
from ..notifications.models import Notification
from .errors import InvalidTransition, ReasonRequired
from .models import Offer, OfferEvent

# Who hears of a move: the school's admins when the enterprise acts, and the other way round.
NOTICES = {
    "submitted": ("offer_submitted", "school", lazy_gettext("Offer awaiting your decision")),
    "approved": ("offer_approved", "enterprise", lazy_gettext("Offer approved")),
    "rejected": ("offer_rejected", "enterprise", lazy_gettext("Offer rejected")),
    "withdrawn": ("offer_withdrawn", "school", lazy_gettext("Offer withdrawn")),
    "expired": ("offer_expired", "both", lazy_gettext("Offer expired")),
}


def record(session: Session, offer: Offer, to_status: str, actor: User | None,
           reason: str = "", effective_from=None) -> None:
    """Move the offer to a status and write the event that says who, when and why (and, for
    a change of its terms, from which local day they apply)."""
    session.add(OfferEvent(offer_id=offer.id, actor_id=actor.id if actor else None,
                           from_status=offer.status, to_status=to_status, reason=reason,
                           effective_from=effective_from))
    offer.status = to_status


def require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise ReasonRequired(errors={"reason": ["Required."]})
    return reason.strip()


def transition_error(offer: Offer, action: str) -> InvalidTransition:
    return InvalidTransition(f"A {offer.status} offer cannot be {action}.",
                             current_status=offer.status)


def _recipients(session: Session, offer: Offer, side: str) -> list[tuple[int, str]]:
    """(id, language) of each active person of the side(s) told."""
    wanted = []
    if side in ("school", "both"):
        wanted.append((User.organisation_id == offer.school_id) & (User.role == "admin"))
    if side in ("enterprise", "both"):
        wanted.append((User.organisation_id == offer.enterprise_id)
                      & (User.role == "enterprise_staff"))
    ids: list[tuple[int, str]] = []
    for condition in wanted:
        ids += [tuple(row) for row in session.execute(
            select(User.id, User.language).where(condition, User.is_active.is_(True))
            .order_by(User.id))]
    return ids


def notify_other_side(session: Session, offer: Offer, *, reason: str = "") -> None:
    """Tell the other side what happened to the offer (the caller commits)."""
    if offer.status not in NOTICES:
        return
    kind, side, subject = NOTICES[offer.status]
    for user_id, language in _recipients(session, offer, side):
        with in_language(language):  # each recipient's own
            body = gettext("%(subject)s: %(enterprise)s's offer %(offer)s to %(school)s "
                           "(%(count)s item(s)).", subject=str(subject),
                           enterprise=offer.enterprise.name, offer=offer.id,
                           school=offer.school.name, count=len(offer.items))
            if reason:
                body += gap() + gettext("Reason: %(reason)s", reason=reason)
            title = gettext("%(subject)s: offer %(offer)s", subject=str(subject), offer=offer.id)
        session.add(Notification(user_id=user_id, kind=kind, reservation_id=None,
                                 subject=title, body=body[:4000],
                                 data={"offer_id": offer.id, "status": offer.status,
                                       "reason": reason}))
