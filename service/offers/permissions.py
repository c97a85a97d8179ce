"""Who may see and act on which offer (PRODUCT.md section 1)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

from ..accounts.models import User
from ..accounts.permissions import OFFER_DECIDING_ROLES, OFFERING_ROLES
from .models import Offer


def visible_offers(actor: User) -> ColumnElement[bool]:
    """An enterprise's staff see its offers; a school's admins those addressed to their
    school once submitted (never drafts); everyone else none (in this step students and
    instructors meet offered items through booking, not offers)."""
    if actor.role in OFFERING_ROLES:
        return Offer.enterprise_id == actor.organisation_id
    if actor.role in OFFER_DECIDING_ROLES:
        return (Offer.school_id == actor.organisation_id) & (Offer.status != "draft")
    return false()


def may_manage(actor: User, offer: Offer) -> bool:
    """The offering enterprise's staff edit, submit and withdraw its offers."""
    return actor.role in OFFERING_ROLES and offer.enterprise_id == actor.organisation_id


def may_decide(actor: User, offer: Offer) -> bool:
    """The addressed school's admins approve or reject."""
    return actor.role in OFFER_DECIDING_ROLES and offer.school_id == actor.organisation_id
