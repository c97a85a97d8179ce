"""Read side of notifications: a user's own notices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..pagination import paginate
from .models import Notification


def list_notifications(session: Session, user: User, *, page: int, page_size: int, sort: str,
                       kind: str | None = None) -> dict:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    columns={"id": Notification.id, "created_at": Notification.created_at},
                    tiebreak=Notification.id)
