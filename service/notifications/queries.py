"""Read side of notifications: a user's own notices."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..pagination import paginate
from .models import EMAIL_ONLY_KINDS, Notification


def list_notifications(session: Session, user: User, *, page: int, page_size: int, sort: str,
                       kind: str | None = None, unread: bool | None = None) -> dict:
    stmt = select(Notification).where(Notification.user_id == user.id,
                                      Notification.kind.not_in(EMAIL_ONLY_KINDS))  # access
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    if unread is not None:
        stmt = stmt.where(Notification.read_at.is_(None) if unread
                          else Notification.read_at.is_not(None))
    listed = paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                      columns={"id": Notification.id, "created_at": Notification.created_at},
                      tiebreak=Notification.id)
    return {**listed, "unread": unread_count(session, user.id)}


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notices are unread."""
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.unread_of(user_id)))
