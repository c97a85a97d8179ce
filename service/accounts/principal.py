"""Who is signed in: one Core statement from a bearer token to a small value object.

Every authenticated request starts here, so this is one of the hottest statements of the
service: no ORM entities (three of them, and the identity map walked again at every commit),
one indexed lookup joining the token, its user and the user's organisation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, String, bindparam, select
from sqlalchemy.orm import Session

from ..db import HotStatement, utcnow
from .errors import AccountDisabled, InvalidToken, TokenExpired
from .models import AccessToken, Organisation, User


@dataclass(frozen=True, slots=True)
class OrganisationRef:
    """The signed-in user's organisation, as far as requests need it."""

    id: int
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user: the fields of a `User` that rules and answers read. Use cases that
    change the user load the entity itself (`session.get(User, principal.id)`)."""

    id: int
    organisation_id: int
    email: str
    full_name: str
    role: str
    password_hash: str  # the calendar feed's key derives from it
    is_active: bool
    is_manager: bool
    language: str
    version: int
    created_at: datetime
    updated_at: datetime
    organisation: OrganisationRef
    student_number: str | None = None  # language: GET /me answers it as UserSchema says


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_USER_COLUMNS = ("id", "organisation_id", "email", "full_name", "role", "password_hash",
                 "is_active", "is_manager", "language", "version", "created_at", "updated_at",
                 "student_number")


def _lookup() -> Select:
    users, organisations = User.__table__, Organisation.__table__
    tokens = AccessToken.__table__
    return (select(tokens.c.expires_at, tokens.c.revoked_at,
                   *(users.c[name] for name in _USER_COLUMNS),
                   organisations.c.name.label("organisation_name"),
                   organisations.c.kind.label("organisation_kind"))
            .join(users, users.c.id == tokens.c.user_id)
            .join(organisations, organisations.c.id == users.c.organisation_id)
            .where(tokens.c.token_hash == bindparam("token_hash", type_=String)))


_LOOKUP = HotStatement(_lookup)


def user_for_token(session: Session, token: str) -> Principal:
    """The active user a bearer token belongs to, or a 401 saying why not."""
    row = _LOOKUP.first(session, {"token_hash": token_hash(token)})
    if row is None or row.revoked_at is not None:
        raise InvalidToken()
    if row.expires_at <= utcnow():
        raise TokenExpired()
    if not row.is_active:
        raise AccountDisabled()
    return Principal(**{name: getattr(row, name) for name in _USER_COLUMNS},
                     organisation=OrganisationRef(id=row.organisation_id,
                                                  name=row.organisation_name,
                                                  kind=row.organisation_kind))
