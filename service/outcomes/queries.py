"""Read side of outcomes: one outcome, the list, the skill vocabulary."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager

from ..accounts.models import User
from ..errors import NotFound
from ..pagination import paginate
from ..reservations.models import Reservation
from ..versioning import check_version
from .models import Outcome, SkillTag
from .permissions import visible_outcomes


def _visible(actor: User) -> Select:
    """Outcomes the actor may see, each with its reservation loaded from the same join."""
    return (select(Outcome).join(Reservation, Reservation.id == Outcome.reservation_id)
            .options(contains_eager(Outcome.reservation))
            .where(visible_outcomes(actor)))


def get_visible_outcome(session: Session, actor: User, outcome_id: int, *, lock: bool = False,
                        expected_versions: list[int] | None = None) -> Outcome:
    stmt = _visible(actor).where(Outcome.id == outcome_id)
    if lock:
        stmt = stmt.with_for_update(of=Outcome)
    outcome = session.scalar(stmt)
    if outcome is None:
        raise NotFound(f"No outcome {outcome_id}.")
    check_version(outcome, expected_versions)
    return outcome


def outcome_of(session: Session, reservation_id: int) -> int | None:
    """The id of the reservation's outcome, if it has one (whoever may see it)."""
    return session.scalar(select(Outcome.id).where(Outcome.reservation_id == reservation_id))


def list_outcomes(session: Session, actor: User, *, page: int, page_size: int, sort: str,
                  reservation_id: int | None = None, equipment_id: int | None = None,
                  offer_id: int | None = None, from_: datetime | None = None,
                  to: datetime | None = None) -> dict:
    """The outcomes the actor may see; from/to select sessions that end after `from` and
    start before `to`."""
    stmt = _visible(actor)
    if reservation_id is not None:
        stmt = stmt.where(Outcome.reservation_id == reservation_id)
    if equipment_id is not None:
        stmt = stmt.where(Reservation.equipment_id == equipment_id)
    if offer_id is not None:
        stmt = stmt.where(Reservation.offer_id == offer_id)
    if from_ is not None:
        stmt = stmt.where(Reservation.ends_at > from_)
    if to is not None:
        stmt = stmt.where(Reservation.starts_at < to)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    columns={"id": Outcome.id, "created_at": Outcome.created_at,
                             "updated_at": Outcome.updated_at,
                             "starts_at": Reservation.starts_at}, tiebreak=Outcome.id)


def vocabulary(session: Session) -> set[str]:
    """Every slug of the shared skill vocabulary."""
    return set(session.scalars(select(SkillTag.tag)))


def list_skills(session: Session, *, page: int, page_size: int, sort: str) -> dict:
    return paginate(session, select(SkillTag), page=page, page_size=page_size, sort=sort,
                    columns={"tag": SkillTag.tag, "label_en": SkillTag.label_en},
                    tiebreak=SkillTag.tag)
