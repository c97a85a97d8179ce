"""Who hears of a revoked qualification: its holder, and the approvers of the items whose
bookings now lack it (the bookings stay; check-in refuses them unless it is granted again)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import statuses
from ..catalogue.models import Equipment, Qualification
from ..i18n import in_language
from ..notifications.models import Notification
from ..notifications.services import AtRisk, language_of, revocation_notice
from .models import Reservation, ReservationAttendee
from .transitions import approver_ids, occasion_of


def bookings_at_risk(session: Session, user: User, *, category_id: int,
                     now: datetime) -> list[tuple[Reservation, bool]]:
    """The user's bookings to come, held or attended, on items needing the category's
    qualification that the user no longer holds until their end; each with whether the
    user only attends. A school's admins need none (booking exempts them too)."""
    if user.role == "admin":
        return []
    attends = exists().where(ReservationAttendee.reservation_id == Reservation.id,
                             ReservationAttendee.user_id == user.id)
    still_qualified = exists().where(Qualification.user_id == user.id,
                                     Qualification.category_id == category_id,
                                     Qualification.valid_at(Reservation.ends_at))
    rows = session.scalars(
        select(Reservation).join(Equipment, Equipment.id == Reservation.equipment_id)
        .where(Equipment.requires_qualification.is_(True), Equipment.category_id == category_id,
               Reservation.status.in_(statuses.NOT_UNDER_WAY), Reservation.ends_at > now,
               Reservation.hold_expires_at.is_(None),
               or_(Reservation.holder_id == user.id, attends), ~still_qualified)
        .order_by(Reservation.starts_at, Reservation.id)).unique().all()
    return [(r, r.holder_id != user.id) for r in rows]


def tell_of_revocation(session: Session, qualification: Qualification, actor: User, *,
                       now: datetime) -> list[Notification]:
    """Write the notices (the caller commits): the holder hears of every booking at risk, each
    owner's approvers of those on their items; nobody of their own doing."""
    user = qualification.user
    at_risk = bookings_at_risk(session, user, category_id=qualification.category_id, now=now)
    risks = [(r, AtRisk(reservation_id=r.id, occasion=occasion_of(r), status=r.status,
                        holder=r.holder.full_name, as_attendee=attending))
             for r, attending in at_risk]
    common = {"category": qualification.category.name, "user": user.full_name,
              "revoked_by": actor.full_name}
    written = []

    def write(user_id: int, risks_told: list[AtRisk], to_holder: bool) -> None:
        with in_language(language_of(session, user_id)):  # language: the recipient's
            message = revocation_notice(**common, at_risk=risks_told, to_holder=to_holder)
        message["data"] |= {"qualification_id": qualification.id, "user_id": user.id}
        written.append(Notification(user_id=user_id, kind="qualification_revoked",
                                    reservation_id=None, **message))

    if user.id != actor.id and user.is_active:
        write(user.id, [risk for _, risk in risks], to_holder=True)
    by_owner = defaultdict(list)
    for reservation, risk in risks:
        by_owner[reservation.equipment.owner_organisation_id, reservation.equipment.owner.kind
                 ].append(risk)
    for (owner_id, owner_kind), owned in by_owner.items():
        for approver in approver_ids(session, owner_organisation_id=owner_id,
                                     owner_kind=owner_kind, exclude=(actor.id, user.id)):
            write(approver, owned, to_holder=False)
    session.add_all(written)
    return written
