"""Read side of offers: one offer, the list, the history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..errors import NotFound
from ..pagination import paginate
from ..versioning import check_version
from .models import Offer, OfferEvent
from .permissions import visible_offers


def get_visible_offer(session: Session, actor: User, offer_id: int, *, lock: bool = False,
                      expected_versions: list[int] | None = None) -> Offer:
    stmt = select(Offer).where(Offer.id == offer_id, visible_offers(actor))
    if lock:
        stmt = stmt.with_for_update(of=Offer)
    offer = session.scalar(stmt)
    if offer is None:
        raise NotFound(f"No offer {offer_id}.")
    check_version(offer, expected_versions)
    return offer


def list_offers(session: Session, actor: User, *, page: int, page_size: int, sort: str,
                status: list[str] | None = None, school_id: int | None = None,
                enterprise_id: int | None = None) -> dict:
    stmt = select(Offer).where(visible_offers(actor))
    if status:
        stmt = stmt.where(Offer.status.in_(status))
    if school_id is not None:
        stmt = stmt.where(Offer.school_id == school_id)
    if enterprise_id is not None:
        stmt = stmt.where(Offer.enterprise_id == enterprise_id)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    columns={"id": Offer.id, "created_at": Offer.created_at,
                             "updated_at": Offer.updated_at}, tiebreak=Offer.id)


def history(session: Session, actor: User, offer_id: int) -> list[OfferEvent]:
    """Every recorded change of an offer the actor may see, oldest first."""
    get_visible_offer(session, actor, offer_id)
    return list(session.scalars(select(OfferEvent).where(OfferEvent.offer_id == offer_id)
                                .order_by(OfferEvent.at, OfferEvent.id)))
