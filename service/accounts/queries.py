"""Read side of the accounts domain: directory listings, and who of an organisation to tell."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..pagination import contains, paginate
from .models import Organisation, User
from .permissions import visible_organisations, visible_users


def list_organisations(session: Session, actor: User, *, page: int, page_size: int, sort: str,
                       kind: str | None = None, q: str | None = None) -> dict:
    stmt = select(Organisation).where(visible_organisations(actor))
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if q:
        stmt = stmt.where(Organisation.name.ilike(contains(q)))
    columns = {"id": Organisation.id, "name": Organisation.name, "kind": Organisation.kind}
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort, columns=columns,
                    tiebreak=Organisation.id)


def list_users(session: Session, actor: User, *, page: int, page_size: int, sort: str,
               organisation_id: int | None = None, role: str | None = None,
               is_active: bool | None = None, q: str | None = None) -> dict:
    stmt = select(User).where(visible_users(actor))
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    if role:
        stmt = stmt.where(User.role == role)
    if is_active is not None:
        stmt = stmt.where(User.is_active.is_(is_active))
    if q:
        stmt = stmt.where(or_(User.full_name.ilike(contains(q)), User.email.ilike(contains(q))))
    columns = {"id": User.id, "email": User.email, "full_name": User.full_name,
               "created_at": User.created_at}
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort, columns=columns,
                    tiebreak=User.id)


def staff_of(session: Session, organisation_id: int, role: str) -> list[int]:
    """Active users of one role in an organisation (who hear of its impact,
    of its idle items, ...)."""
    return list(session.scalars(select(User.id).where(
        User.organisation_id == organisation_id, User.role == role,
        User.is_active.is_(True)).order_by(User.id)))
