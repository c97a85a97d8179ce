"""Use case of qualifications that reaches into bookings: revoking one tells of those at risk.

It sits above the catalogue (which keeps the qualification, its grant and the gate booking
checks) and reservations (which know the bookings a revocation puts at risk), so neither of
those imports the other's way up.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.permissions import STAFF_ROLES, require_role
from ..catalogue.errors import QualificationRevoked
from ..catalogue.models import Qualification
from ..catalogue.qualifications import get_qualification
from ..db import utcnow
from ..reservations.revocations import tell_of_revocation
from ..versioning import check_version


def revoke_qualification(session: Session, actor: User, qualification_id: int,
                         expected_versions: list[int] | None = None) -> Qualification:
    """Revoke a qualification; it stays on record. Bookings that need it stay booked (check-in
    refuses them unless it is granted again): their holder and approvers are told which."""
    qualification = get_qualification(session, actor, qualification_id)
    require_role(actor, *STAFF_ROLES)
    check_version(qualification, expected_versions)
    if qualification.revoked_at is not None:
        raise QualificationRevoked()
    qualification.revoked_at = now = utcnow()
    qualification.revoked_by_id = actor.id
    session.flush()
    tell_of_revocation(session, qualification, actor, now=now)
    session.commit()
    return qualification
