"""Who reads which audit entries (README, "Audit history")."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true

from ..accounts.models import User
from ..accounts.permissions import is_operator, is_organisation_manager
from .errors import NotAnAuditReader
from .models import AuditEntry


def require_reader(actor: User) -> None:
    """An organisation's admins (a school's admins, an enterprise's managers) and the
    platform's operators; everyone else is refused."""
    if not is_organisation_manager(actor):
        raise NotAnAuditReader("The audit history is read by your organisation's admins.")


def visible_entries(actor: User) -> ColumnElement[bool]:
    """Filter on AuditEntry: operators see every entry (the platform's own too); an admin
    or manager those of their own organisation."""
    if is_operator(actor):
        return true()
    return AuditEntry.organisation_id == actor.organisation_id
