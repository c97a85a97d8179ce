"""Who reads which audit entries (docs/tenancy.md#audit-history)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from ..accounts.models import User
from ..accounts.permissions import is_operator, is_organisation_manager
from .errors import NotAnAuditReader
from .models import AuditEntry


def require_reader(actor: User) -> None:
    """An organisation's admins (a school's admins, an enterprise's managers) and the
    platform's operators; everyone else is refused."""
    if not is_organisation_manager(actor):
        raise NotAnAuditReader("The audit history is read by your organisation's admins.")


# What an operator runs: the organisations themselves (they onboard them), not what happens
# inside one (its people, bases, equipment, bookings), as everywhere else in the service.
OPERATOR_ENTITIES = ("organisation",)


def visible_entries(actor: User) -> ColumnElement[bool]:
    """Filter on AuditEntry: operators see the platform's own entries (equipment categories,
    removed organisations) and each organisation's own profile; an admin or manager every
    entry of their own organisation."""
    if is_operator(actor):
        return or_(AuditEntry.organisation_id.is_(None),
                   AuditEntry.entity.in_(OPERATOR_ENTITIES))
    return AuditEntry.organisation_id == actor.organisation_id
