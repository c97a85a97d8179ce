"""The table of answers to POSTs that carried an Idempotency-Key."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, SmallInteger, String, Uuid, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..db import db


class IdempotencyKey(db.Model):
    """A key's claim, written in the same transaction as what the POST does, then its answer.

    A claim without an answer is committed work whose answer is not kept yet: the holder is
    about to keep it, or its process died in between. A booking notes on its claim, in its own
    transaction, the reservation it made, so a retry can always rebuild the answer from it.
    `claim_id` tells one claim from a later one of the same key: an answer is kept only on
    the claim that earned it.
    """

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    claim_id: Mapped[uuid.UUID] = mapped_column(Uuid, server_default=text("gen_random_uuid()"))
    reservation_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("reservations.id", ondelete="CASCADE"))
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    response: Mapped[dict | None] = mapped_column(JSONB)
    headers: Mapped[dict] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
