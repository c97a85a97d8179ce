"""A person's own settings: the language their e-mails, notices and the app are written in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..versioning import check_version
from .models import User
from .principal import Principal


def update_own_settings(session: Session, actor: Principal, *, changes: dict,
                        expected_versions: list[int] | None = None) -> User:
    """Change one's own language (If-Match: the version of GET /me's ETag). Nobody else's:
    an admin sets another person's language through PATCH /users/<id>."""
    user = session.scalar(select(User).where(User.id == actor.id).with_for_update(of=User))
    check_version(user, expected_versions)
    for key, value in changes.items():
        setattr(user, key, value)
    session.commit()
    return user
