"""Who may see an enterprise's impact and contribution, and who confirms (PRODUCT.md §1).

An enterprise's impact is its own staff's business: everyone else gets 404, a school's id too
(no received-side view yet). Its contribution statement is also shown to the admins of each
school it offered to, for that school's rows only: they are the ones who confirm them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import Organisation, User
from ..accounts.permissions import OFFER_DECIDING_ROLES, OFFERING_ROLES
from ..errors import NotFound
from ..offers.models import Offer


def is_staff_of(actor: User, organisation_id: int) -> bool:
    return actor.role in OFFERING_ROLES and actor.organisation_id == organisation_id


def addressed_schools(session: Session, enterprise_id: int) -> set[int]:
    """The schools the enterprise has sent an offer to (drafts are the enterprise's own)."""
    return set(session.scalars(select(Offer.school_id).where(
        Offer.enterprise_id == enterprise_id, Offer.status != "draft")))


def visible_enterprise(session: Session, actor: User, organisation_id: int, *,
                       schools_too: bool = False) -> tuple[Organisation, set[int] | None]:
    """The enterprise and the schools whose rows the actor sees (None: all of them), or 404.

    With `schools_too`, the admins of a school the enterprise offered to see that school."""
    enterprise = session.get(Organisation, organisation_id)
    if enterprise is not None and enterprise.kind == "enterprise":
        if is_staff_of(actor, enterprise.id):
            return enterprise, None
        if (schools_too and actor.role in OFFER_DECIDING_ROLES
                and actor.organisation_id in addressed_schools(session, enterprise.id)):
            return enterprise, {actor.organisation_id}
    raise NotFound(f"No impact of organisation {organisation_id} to show.")
