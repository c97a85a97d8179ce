"""Who may change which part of the catalogue (docs/tenancy.md)."""

from __future__ import annotations

from ..accounts.models import User
from ..accounts.permissions import is_operator, manages_equipment_of, manages_organisation
from ..errors import Forbidden
from .errors import NotYourEquipment
from .models import Equipment, TrainingBase


def require_base_manager(actor: User, base: TrainingBase) -> None:
    """A base, its opening hours, closures and co-owners are run by the organisation that runs
    the base: its admins (school) or managers (enterprise)."""
    if not manages_organisation(actor, base.organisation_id):
        raise Forbidden("This base is run by another organisation.", code="not_your_base")


def require_equipment_manager(actor: User, equipment: Equipment) -> None:
    """An item is managed by its owner: the school's admins, the enterprise's staff."""
    if not manages_equipment_of(actor, equipment.owner_organisation_id):
        raise NotYourEquipment()


def require_vocabulary_keeper(actor: User) -> None:
    """Shared vocabularies (equipment categories) belong to the platform's operators."""
    if not is_operator(actor):
        raise Forbidden("Equipment categories are shared by every organisation; operators "
                        "keep them.", code="operators_only")


def may_place_at(owner_organisation_id: int, base: TrainingBase) -> bool:
    """An item stands at a base its owner runs or explicitly co-owns (PostgreSQL agrees:
    the equipment row refers to the base's owner row)."""
    return any(o.organisation_id == owner_organisation_id for o in base.owners)
