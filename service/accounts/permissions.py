"""Who may see and change which organisations and users: the tenancy model (docs/tenancy.md).

Every organisation manages only itself. A school's admins run their school; an enterprise's
managers (staff with `is_manager`) run their enterprise; the platform's operators run the
platform: they onboard organisations and the *first* admin or manager of each (never a second
one: that would let an operator take an organisation over), keep the shared vocabularies and
the directory, and manage their fellow operators. Nobody changes another organisation's
people, bases or equipment.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_

from ..i18n import gettext
from .errors import RoleNotAllowed
from .models import SCHOOL_ROLES, Organisation, User

# Every role tuple of the service lives here (or, for the kinds of organisation, in models).
STAFF_ROLES = ("instructor", "admin")  # a school's staff: classes, qualifications
# Who manage an organisation's things: a school's admins, an enterprise's staff (its
# managers, `is_manager`, also its people and bases).
MANAGING_ROLES = ("admin", "enterprise_staff")
PEOPLE_MANAGING_ROLES = (*MANAGING_ROLES, "operator")  # and operators: fellow operators
BOOKING_ROLES = SCHOOL_ROLES  # bookings are held by a school's members
# ...and, of their own organisation's equipment only, by an enterprise's staff (internal
# reservations: docs/booking-rules.md#internal-reservations).
RESERVING_ROLES = (*BOOKING_ROLES, "enterprise_staff")
# The roles a quota may bind: a school's (set by its admins) and an enterprise's staff (set by
# its managers: their internal bookings of the enterprise's own equipment).
SCHOOL_QUOTA_ROLES = ("student", "instructor", "admin")
ENTERPRISE_QUOTA_ROLES = ("enterprise_staff",)
QUOTA_ROLES = (*SCHOOL_QUOTA_ROLES, *ENTERPRISE_QUOTA_ROLES)
OFFERING_ROLES = ("enterprise_staff",)  # an enterprise's staff make and run its offers
OFFER_DECIDING_ROLES = ("admin",)  # the addressed school's admins approve or reject them
# Outcomes are recorded by a booking's holder or an instructor of the holder's school.
OUTCOME_RECORDING_ROLES = BOOKING_ROLES
OUTCOME_INSTRUCTING_ROLES = ("instructor",)
# Who see the outcomes of sessions on their organisation's equipment: its staff.
OWNER_STAFF_ROLES = (*STAFF_ROLES, "enterprise_staff")
# The people an operator onboards and may see: each organisation's first admin or manager.
ONBOARDED = "admin", "operator"


def require_role(actor: User, *roles: str) -> None:
    if actor.role not in roles:
        raise RoleNotAllowed(gettext("This needs one of the roles: %(roles)s.",
                                     roles=", ".join(roles)))


def is_operator(actor: User) -> bool:
    return actor.role == "operator"


def is_organisation_manager(actor: User) -> bool:
    """Who runs an organisation from inside: a school's admin, an enterprise's manager, the
    platform's operator."""
    return actor.role in ("admin", "operator") or (
        actor.role == "enterprise_staff" and actor.is_manager)


def is_onboarding_role(role: str, is_manager: bool) -> bool:
    """The first account of an organisation: a school's admin, an enterprise's manager."""
    return role == "admin" or (role == "enterprise_staff" and is_manager)


def manages_organisation(actor: User, organisation_id: int) -> bool:
    """Whether the actor runs this organisation: its people, bases, closures and profile."""
    return is_organisation_manager(actor) and organisation_id == actor.organisation_id


def manages_equipment_of(actor: User, owner_organisation_id: int) -> bool:
    """A school's admins manage its equipment; every staff member of an enterprise manages
    the enterprise's equipment (PRODUCT.md section 1)."""
    return actor.role in MANAGING_ROLES and owner_organisation_id == actor.organisation_id


def manages_user(actor: User, user: User) -> bool:
    return manages_organisation(actor, user.organisation_id)


def visible_users(actor: User) -> ColumnElement[bool]:
    """Filter on User for the people the actor may see in the directory (with e-mails)."""
    if is_operator(actor):
        return or_(User.role.in_(ONBOARDED), User.is_manager.is_(True))
    if actor.role in (*STAFF_ROLES, *MANAGING_ROLES):
        return User.organisation_id == actor.organisation_id
    return User.id == actor.id


def visible_organisations(actor: User) -> ColumnElement[bool]:
    """The directory of schools and enterprises is public to every signed-in user; the
    platform's own organisation only to its operators."""
    if is_operator(actor):
        return Organisation.id.is_not(None)
    return Organisation.kind != "platform"
