"""Who may see and change which organisations and users (PRODUCT.md section 1)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true

from .errors import RoleNotAllowed
from .models import Organisation, User

STAFF_ROLES = ("instructor", "admin")


def require_role(actor: User, *roles: str) -> None:
    if actor.role not in roles:
        raise RoleNotAllowed(f"This needs one of the roles: {', '.join(roles)}.")


def manages_organisation(actor: User, organisation: Organisation) -> bool:
    """Admins run their own school and onboard the enterprises that share with it."""
    return actor.role == "admin" and (
        organisation.id == actor.organisation_id or organisation.kind == "enterprise")


def visible_users(actor: User) -> ColumnElement[bool]:
    """Filter on User for the people the actor may see in the directory."""
    if actor.role == "admin":
        enterprises = select(Organisation.id).where(Organisation.kind == "enterprise")
        return or_(User.organisation_id == actor.organisation_id,
                   User.organisation_id.in_(enterprises))
    if actor.role in ("instructor", "enterprise_staff"):
        return User.organisation_id == actor.organisation_id
    return User.id == actor.id


def visible_organisations(actor: User) -> ColumnElement[bool]:
    """The directory of organisations is public to every signed-in user."""
    return true()
