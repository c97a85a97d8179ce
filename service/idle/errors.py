"""Refusals of idle equipment."""

from __future__ import annotations

from ..errors import Conflict, Forbidden, NotFound


class UnknownFinding(NotFound):
    code, title = "unknown_idle_finding", "No such idle-equipment finding"


class SchoolEquipment(Conflict):
    code, title = "school_equipment_not_offered", \
        "A school's equipment is shared or moved, not offered"


class NotOfferOwner(Forbidden):
    code, title = "not_offer_owner", "Only the owning enterprise's staff offer its equipment"
