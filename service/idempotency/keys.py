"""Use cases of Idempotency-Key: claim a key with the work, record its answer, replay it."""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..errors import DomainError
from .errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from .models import IdempotencyKey

KEY = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")
# A twin request's answer follows its commit within milliseconds; wait that long for it.
# A claim still without an answer (and without a booking to rebuild it from) after that is
# stale: its holder died between its commit and keeping its answer.
IN_FLIGHT_WAIT_SECONDS = 5.0
IN_FLIGHT_POLL_SECONDS = 0.02
# Where the claim of the transaction under way waits for `made` (session.info is per session).
CLAIMED = "idempotency_claim"


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict
    headers: dict


@dataclass(frozen=True)
class Claim:
    """A key this request holds: the answer it earns is kept on this claim and no later one."""

    user_id: int
    key: str
    request_hash: str
    claim_id: uuid.UUID


# Rebuilds a booking's answer from the reservation a committed claim names.
Rebuild = Callable[[int], Answer]


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


def _where(user_id: int, key: str):
    return (IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)


def _answer(stored: IdempotencyKey) -> Answer:
    return Answer(stored.status_code, stored.response, stored.headers)


def _keep_rebuilt(session: Session, stored: IdempotencyKey, rebuild: Rebuild) -> Answer:
    """The answer of a committed booking whose holder has not kept it (or never will): rebuilt
    from the reservation, kept unless the holder kept its own first, and that one answered."""
    answer = rebuild(stored.reservation_id)
    session.execute(update(IdempotencyKey).where(
        *_where(stored.user_id, stored.key), IdempotencyKey.claim_id == stored.claim_id,
        IdempotencyKey.status_code.is_(None))
        .values(status_code=answer.status, response=answer.body, headers=answer.headers))
    session.commit()
    return _answer(_stored(session, stored.user_id, stored.key))


def _drop_stale(session: Session, stored: IdempotencyKey) -> None:
    """Forget a claim whose holder committed nothing but the claim (a refused booking) and
    died before keeping its answer, so this request can claim the key anew. Only that very
    claim goes: one answered or claimed again meanwhile stays."""
    session.execute(delete(IdempotencyKey).where(
        *_where(stored.user_id, stored.key), IdempotencyKey.claim_id == stored.claim_id,
        IdempotencyKey.status_code.is_(None), IdempotencyKey.reservation_id.is_(None)))
    session.commit()


def claim(session: Session, *, user_id: int, key: str, request_hash: str,
          rebuild: Rebuild | None = None) -> Answer | Claim:
    """Claim the key inside the transaction about to do the work (which commits it with the
    work), or answer as the first request did.

    A claim is seen by others only once its transaction committed (PostgreSQL makes a twin's
    insert wait for the holder's transaction), so a claim without an answer is committed work
    whose answer is not kept yet. With `rebuild` (bookings) the answer is rebuilt from the
    reservation the claim names; a claim naming none committed no booking and, once stale, is
    dropped and the work run again. Without it the twin waits for the holder's answer."""
    deadline = time.monotonic() + IN_FLIGHT_WAIT_SECONDS
    while True:
        claim_id = uuid.uuid4()
        claimed = session.execute(insert(IdempotencyKey).values(
            user_id=user_id, key=key, request_hash=request_hash, claim_id=claim_id)
            .on_conflict_do_nothing().returning(IdempotencyKey.key)).scalar()
        if claimed is not None:
            held = Claim(user_id, key, request_hash, claim_id)
            session.info[CLAIMED] = held
            return held
        stored = _stored(session, user_id, key)
        if stored is None:  # the row went between our insert and our look: claim again
            continue
        if stored.request_hash != request_hash:
            raise IdempotencyKeyReused(errors={"Idempotency-Key": ["Used with another request."]})
        if stored.status_code is not None:
            return _answer(stored)
        if rebuild is not None and stored.reservation_id is not None:
            return _keep_rebuilt(session, stored, rebuild)
        if time.monotonic() >= deadline:
            if rebuild is None:
                raise IdempotencyKeyInFlight(
                    "The first request with this key has not answered yet; retry shortly.",
                    headers={"Retry-After": "1"})
            _drop_stale(session, stored)
            continue
        session.rollback()  # a fresh snapshot for the next look
        time.sleep(IN_FLIGHT_POLL_SECONDS)


def made(session: Session, *, reservation_id: int) -> None:
    """Note on the key this transaction claimed (if any) the reservation its work made: it
    commits with the booking, so a committed booking's key always leads to it. The booking
    use case calls it just before its commit."""
    held = session.info.get(CLAIMED)
    if held is None:
        return
    session.execute(update(IdempotencyKey).where(
        *_where(held.user_id, held.key), IdempotencyKey.claim_id == held.claim_id)
        .values(reservation_id=reservation_id))


def release(session: Session) -> None:
    """The request is over: its claim no longer waits for `made`."""
    session.info.pop(CLAIMED, None)


def record_answer(session: Session, held: Claim, answer: Answer) -> None:
    """Keep the answer for retries, in a transaction of its own, on this request's claim only.
    A refusal rolled its claim back with its work, so the row may have to be written anew;
    a row claimed meanwhile by a retry (which did the work itself) keeps the retry's answer."""
    session.execute(insert(IdempotencyKey).values(
        user_id=held.user_id, key=held.key, request_hash=held.request_hash,
        claim_id=held.claim_id, status_code=answer.status, response=answer.body,
        headers=answer.headers)
        .on_conflict_do_update(
            index_elements=[IdempotencyKey.user_id, IdempotencyKey.key],
            set_={"status_code": answer.status, "response": answer.body,
                  "headers": answer.headers},
            where=(IdempotencyKey.status_code.is_(None))
            & (IdempotencyKey.claim_id == held.claim_id)))
    session.commit()
