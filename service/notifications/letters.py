"""E-mail-only letters (invitations, password links) into the outbox, for the accounts below us.

Accounts cannot import notifications (notifications reads users), so the app hands this
writer to them when it starts (service/__init__.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from .models import EMAIL_ONLY_KINDS, Notification, request_trace


def post_letters(session: Session, letters: list[dict], *, now: datetime) -> None:
    """Put letters ({user_id, kind, subject, body, data}) in the outbox (the caller commits).
    They are marked read at once: e-mail only, they never count as unread notices in the
    app."""
    if any(letter["kind"] not in EMAIL_ONLY_KINDS for letter in letters):
        raise ValueError(f"letters are of the kinds {EMAIL_ONLY_KINDS} only")
    traced = request_trace()
    session.execute(insert(Notification), [
        {"reservation_id": None, "read_at": now, **letter,
         "data": {**traced, **(letter.get("data") or {})}} for letter in letters])
