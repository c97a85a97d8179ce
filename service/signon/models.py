"""Tables of the organisations' identity providers and the sign-ons under way."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ..db import IdMixin, VersionedMixin, db


class IdentityProvider(IdMixin, VersionedMixin, db.Model):
    """An organisation's OpenID provider (one per organisation): whose accounts sign in here."""

    __tablename__ = "identity_providers"

    organisation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="CASCADE"), unique=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    # Never answered: the API says only whether one is set.
    client_secret: Mapped[str] = mapped_column(String(500))
    email_claim: Mapped[str] = mapped_column(String(100), default="email",
                                             server_default="email")
    role_claim: Mapped[str | None] = mapped_column(String(100))
    class_claim: Mapped[str | None] = mapped_column(String(100))
    language_claim: Mapped[str | None] = mapped_column(String(100), default="locale",
                                                       server_default="locale")
    create_users: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    default_role: Mapped[str | None] = mapped_column(String(20))
    password_sign_in: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class SignOnAttempt(IdMixin, db.Model):
    """One trip to the provider and back, kept in PostgreSQL so that any instance may take
    the callback; its state is stored hashed and used once."""

    __tablename__ = "sign_on_attempts"

    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))
    organisation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
