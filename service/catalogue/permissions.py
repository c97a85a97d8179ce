"""Who may change which part of the catalogue (PRODUCT.md section 1)."""

from __future__ import annotations

from ..accounts.models import Organisation, User
from ..accounts.permissions import manages_organisation, require_role
from .errors import NotYourEquipment
from .models import Equipment, TrainingBase


def require_equipment_manager(actor: User, equipment: Equipment) -> None:
    """Admins manage equipment of their school and partners; staff only their enterprise's."""
    require_role(actor, "admin", "enterprise_staff")
    if actor.role == "enterprise_staff":
        if equipment.owner_organisation_id != actor.organisation_id:
            raise NotYourEquipment()
    elif not manages_organisation(actor, equipment.owner):
        raise NotYourEquipment()


def may_place_at(actor: User, base: TrainingBase) -> bool:
    """Enterprise staff list items at their own enterprise's bases or at co-built ones."""
    if actor.role == "admin":
        return True
    return base.kind == "co_built" or base.organisation_id == actor.organisation_id


def may_own(actor: User, owner: Organisation) -> bool:
    if actor.role == "enterprise_staff":
        return owner.id == actor.organisation_id
    return manages_organisation(actor, owner)
