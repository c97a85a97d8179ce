"""Idempotency-Key for POSTs: the first answer is stored and replayed to retries."""

from __future__ import annotations

import hashlib
import json
import re

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from .errors import DomainError, domain_problem_body
from .reservations.errors import IdempotencyKeyReused
from .reservations.models import IdempotencyKey

KEY = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")


def request_hash(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def valid_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise DomainError("Idempotency-Key must be 1-200 letters, digits or . _ : -",
                          code="invalid_header",
                          errors={"Idempotency-Key": ["Not a usable key."]})
    return key


def replay(session: Session, user_id: int, key: str, body_hash: str) -> tuple[int, dict] | None:
    """The stored answer for this key, or None the first time; another body is a 422."""
    stored = session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
    if stored is None:
        return None
    if stored.request_hash != body_hash:
        raise IdempotencyKeyReused(errors={"Idempotency-Key": ["Used with another body."]})
    return stored.status_code, stored.response


def remember(session: Session, user_id: int, key: str, body_hash: str, status: int,
             response: dict) -> tuple[int, dict]:
    """Store the first answer (the caller commits with it). A concurrent twin that stored
    first wins: its answer is returned instead."""
    inserted = session.execute(insert(IdempotencyKey).values(
        user_id=user_id, key=key, request_hash=body_hash, status_code=status,
        response=response).on_conflict_do_nothing().returning(IdempotencyKey.key)).scalar()
    if inserted is None:
        session.rollback()
        return replay(session, user_id, key, body_hash)
    return status, response


def run_once(session: Session, *, user_id: int, key: str, body: dict, action
             ) -> tuple[int, dict]:
    """Answer a keyed POST: replay a stored answer, or run `action` (which must not commit and
    returns (status, json)) and store its answer, refusals included, in the same transaction."""
    body_hash = request_hash(body)
    prior = replay(session, user_id, key, body_hash)
    if prior is not None:
        return prior
    try:
        status, response = action()
    except DomainError as exc:
        session.rollback()
        status, response = exc.status, domain_problem_body(exc)
    status, response = remember(session, user_id, key, body_hash, status, response)
    session.commit()
    return status, response
