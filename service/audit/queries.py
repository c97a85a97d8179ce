"""Read side of the audit history: one page of the entries the reader may see."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..pagination import paginate
from .models import AuditEntry
from .permissions import require_reader, visible_entries


def list_entries(session: Session, actor: User, *, page: int, page_size: int, sort: str,
                 entity: str | None = None, entity_id: int | None = None,
                 actor_id: int | None = None, from_: datetime | None = None,
                 to: datetime | None = None) -> dict:
    """Entries at or after `from` and before `to`, newest first unless sorted otherwise."""
    require_reader(actor)
    stmt = select(AuditEntry).where(visible_entries(actor))
    if entity is not None:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if from_ is not None:
        stmt = stmt.where(AuditEntry.at >= from_)
    if to is not None:
        stmt = stmt.where(AuditEntry.at < to)
    # Entries of one transaction share its instant: their ids keep the order they were made.
    tiebreak = AuditEntry.id.desc() if sort.startswith("-") else AuditEntry.id.asc()
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    columns={"at": AuditEntry.at, "id": AuditEntry.id}, tiebreak=tiebreak)
