"""Use cases of Idempotency-Key: claim a key with the work, record its answer, replay it."""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..errors import DomainError
from .errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from .models import IdempotencyKey

KEY = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")
# A twin request's answer follows its commit within milliseconds; wait that long for it.
IN_FLIGHT_WAIT_SECONDS = 5.0
IN_FLIGHT_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    headers: dict


def valid_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise DomainError("Idempotency-Key must be 1-200 letters, digits or . _ : -",
                          code="invalid_header",
                          errors={"Idempotency-Key": ["Not a usable key."]})
    return key


def fingerprint(method: str, path: str, body) -> str:
    """What a retry must repeat: the same method, path and JSON body (key order aside)."""
    payload = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _stored(session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    return session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True))


def claim(session: Session, *, user_id: int, key: str, request_hash: str) -> Answer | None:
    """Claim the key inside the transaction about to do the work (which commits it with the
    work), or answer as the first request did. A twin still in flight is waited for."""
    claimed = session.execute(insert(IdempotencyKey).values(
        user_id=user_id, key=key, request_hash=request_hash)
        .on_conflict_do_nothing().returning(IdempotencyKey.key)).scalar()
    if claimed is not None:
        return None
    deadline = time.monotonic() + IN_FLIGHT_WAIT_SECONDS
    while True:
        stored = _stored(session, user_id, key)
        if stored.request_hash != request_hash:
            raise IdempotencyKeyReused(errors={"Idempotency-Key": ["Used with another request."]})
        if stored.status_code is not None:
            return Answer(stored.status_code, stored.response, stored.headers)
        if time.monotonic() >= deadline:
            raise IdempotencyKeyInFlight(
                "The first request with this key has not answered yet; retry shortly.",
                headers={"Retry-After": "1"})
        session.rollback()  # a fresh snapshot for the next look
        time.sleep(IN_FLIGHT_POLL_SECONDS)


def record_answer(session: Session, *, user_id: int, key: str, request_hash: str,
                  answer: Answer) -> None:
    """Keep the answer for retries, in a transaction of its own. A refusal rolled its claim
    back with its work, so the row may have to be written anew."""
    session.execute(insert(IdempotencyKey).values(
        user_id=user_id, key=key, request_hash=request_hash, status_code=answer.status,
        response=answer.body, headers=answer.headers)
        .on_conflict_do_update(
            index_elements=[IdempotencyKey.user_id, IdempotencyKey.key],
            set_={"status_code": answer.status, "response": answer.body,
                  "headers": answer.headers},
            where=IdempotencyKey.status_code.is_(None)))
    session.commit()
