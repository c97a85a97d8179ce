"""Qualifications: who may use which category, granted by a school's staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import SCHOOL_ROLES, User
from ..accounts.permissions import STAFF_ROLES, require_role
from ..db import utcnow
from ..errors import Forbidden, Invalid, NotFound
from ..versioning import check_version
from .categories import existing_category
from .errors import QualificationExists, QualificationRevoked
from .models import Qualification

# Revoking one is service/qualifications' use case: it tells of the bookings the revocation
# puts at risk, and reservations (which import this module's gate) sit above the catalogue.


def _visible_qualification(session: Session, actor: User, qualification_id: int) -> Qualification:
    qualification = session.get(Qualification, qualification_id)
    if qualification is None or not may_see_qualifications_of(actor, qualification.user):
        raise NotFound(f"No qualification {qualification_id}.")
    return qualification


def may_see_qualifications_of(actor: User, user: User) -> bool:
    if actor.id == user.id:
        return True
    return actor.role in STAFF_ROLES and user.organisation_id == actor.organisation_id


def get_qualification(session: Session, actor: User, qualification_id: int) -> Qualification:
    return _visible_qualification(session, actor, qualification_id)


def grant_qualification(session: Session, actor: User, *, user_id: int, category_id: int,
                        expires_at: datetime | None = None, note: str = "") -> Qualification:
    """An instructor (or admin) lets a member of their school use a category of equipment."""
    require_role(actor, *STAFF_ROLES)
    holder = session.get(User, user_id)
    if holder is None or holder.organisation_id != actor.organisation_id:
        raise Invalid("No such user in your school.", errors={"user_id": ["Not in your school."]})
    if holder.id == actor.id:
        raise Forbidden("Nobody grants themselves a qualification; ask a colleague.",
                        code="own_qualification", errors={"user_id": ["Yourself."]})
    qualification = register_qualification(session, holder=holder, category_id=category_id,
                                           granted_by=actor, expires_at=expires_at, note=note)
    session.commit()
    return qualification


def register_qualification(session: Session, *, holder: User, category_id: int,
                           granted_by: User, expires_at: datetime | None = None,
                           note: str = "") -> Qualification:
    """A qualification from validated values, without a permission check: for the use case
    above, the seeds and the tests (the caller commits)."""
    user_id = holder.id
    if holder.role not in SCHOOL_ROLES:
        raise Invalid("Only school members hold qualifications.",
                      errors={"user_id": ["Not a school member."]})
    existing_category(session, category_id)
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid("A qualification cannot expire in the past.",
                      code="expiry_in_past", errors={"expires_at": ["Must be in the future."]})
    standing = session.scalar(select(Qualification).where(
        Qualification.user_id == user_id, Qualification.category_id == category_id,
        Qualification.revoked_at.is_(None)))
    if standing is not None:
        raise QualificationExists(
            f"Qualification {standing.id} already stands; change its expiry instead.",
            existing_id=standing.id)
    qualification = Qualification(user_id=user_id, category_id=category_id,
                                  granted_by_id=granted_by.id, expires_at=expires_at, note=note)
    session.add(qualification)
    session.flush()
    return qualification


def update_qualification(session: Session, actor: User, qualification_id: int, *,
                         changes: dict, expected_versions: list[int] | None = None
                         ) -> Qualification:
    """Renew (change the expiry of) or annotate a standing qualification."""
    qualification = _visible_qualification(session, actor, qualification_id)
    require_role(actor, *STAFF_ROLES)
    check_version(qualification, expected_versions)
    if qualification.revoked_at is not None:
        raise QualificationRevoked()
    if qualification.user_id == actor.id:
        raise Forbidden("Nobody renews their own qualification; ask a colleague.",
                        code="own_qualification")
    if changes.get("expires_at") is not None and changes["expires_at"] <= utcnow():
        raise Invalid("A qualification cannot expire in the past.",
                      code="expiry_in_past", errors={"expires_at": ["Must be in the future."]})
    for key, value in changes.items():
        setattr(qualification, key, value)
    session.commit()
    return qualification


def holds_valid_qualification(session: Session, *, user_id: int, category_id: int,
                              at: datetime) -> bool:
    """Whether the user may use the category at the instant `at`."""
    return session.scalar(select(Qualification.id).where(
        Qualification.user_id == user_id, Qualification.category_id == category_id,
        Qualification.valid_at(at)).limit(1)) is not None


def unqualified_among(session: Session, user_ids: list[int], *, category_id: int,
                      until: datetime) -> list[int]:
    """Those of the users (a class's attendees) who hold no qualification for the category
    valid until `until`, in one statement; admins are exempt, as for holders."""
    if not user_ids:
        return []
    qualified = select(Qualification.user_id).where(
        Qualification.user_id.in_(user_ids), Qualification.category_id == category_id,
        Qualification.valid_at(until))
    admins = select(User.id).where(User.id.in_(user_ids), User.role == "admin")
    covered = set(session.scalars(qualified.union(admins)))
    return [user_id for user_id in user_ids if user_id not in covered]


def lacks_qualification(session: Session, holder: User, *, requires_qualification: bool,
                        category_id: int, until: datetime) -> bool:
    """The gate of items that need a qualification: the holder must hold one valid until
    the end of the session. A school's admins are exempt (they grant them)."""
    return requires_qualification and holder.role != "admin" and not holds_valid_qualification(
        session, user_id=holder.id, category_id=category_id, at=until)
