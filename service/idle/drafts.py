"""Use case of idle equipment: one click from an enterprise's idle item to a draft offer."""

from __future__ import annotations

from datetime import datetime

from marshmallow import missing
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import OFFERING_ROLES
from ..calendar import wallclock
from ..catalogue.models import Equipment
from ..db import utcnow
from ..offers.models import Offer
from ..offers.schemas import OfferCreateSchema
from ..offers.services import CONDITIONS, create_offer
from ..offers.terms import onto_grid
from . import rules
from .errors import NotOfferOwner, SchoolEquipment
from .queries import get_visible_finding


def default_conditions() -> dict:
    """The conditions a new offer gets when POST /offers is not told otherwise."""
    fields = OfferCreateSchema().fields
    return {name: fields[name].load_default for name in CONDITIONS
            if fields[name].load_default is not missing}


def draft_offer_from_finding(session: Session, actor: User, finding_id: int, *,
                             school_id: int, now: datetime | None = None,
                             max_window_days: int = 366) -> Offer:
    """A draft offer to `school_id` holding the finding's item, by its enterprise's staff.

    The window runs DRAFT_WEEKS weeks from the next Monday (in the item's base zone) and
    opens the item in the base's opening hours on every weekday it opens; the weekly budget
    is the item's average free hours per judged week; the other conditions are those of a
    new offer. It stays a draft: the enterprise edits and submits it as any other."""
    finding = get_visible_finding(session, actor, finding_id)
    if finding["owner_kind"] != "enterprise":
        raise SchoolEquipment("A school's idle equipment is shared with partner enterprises or "
                              "moved; only an enterprise's equipment is offered.")
    if actor.role not in OFFERING_ROLES or actor.organisation_id != \
            finding["owner_organisation_id"]:
        raise NotOfferOwner("Only the owning enterprise's staff draft offers of its equipment.")
    equipment = session.get(Equipment, finding["equipment_id"])
    monday = rules.next_monday(now or utcnow(), equipment.base.timezone)
    # The week in force when the window opens (a change scheduled later is the booking
    # engine's to apply: offered spans are cut to each day's hours), cut to the item's slot
    # grid: an offer offers only what can be booked.
    opening = [(weekday, *span)
               for weekday, opens, closes in wallclock.week_on(equipment.base.weekly_hours,
                                                               monday)
               if (span := onto_grid(opens, closes, equipment.slot_minutes))]
    window = rules.draft_window(opening, monday)
    conditions = {**default_conditions(),
                  "weekly_hours_budget": rules.weekly_budget(finding["free_hours_exact"],
                                                             finding["weeks"])}
    return create_offer(session, actor, school_id=school_id,
                        items=[{"equipment_id": equipment.id}], windows=[window],
                        max_window_days=max_window_days, **conditions)
