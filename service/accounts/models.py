"""Tables of organisations, users, access tokens and failed sign-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import IdMixin, VersionedMixin, db, one_of

# `platform` is the one organisation operators belong to; the API onboards only the other two.
ORGANISATION_KINDS = ("school", "enterprise", "platform")
MEMBER_ORGANISATION_KINDS = ("school", "enterprise")
ROLES = ("student", "instructor", "enterprise_staff", "admin", "operator")
SCHOOL_ROLES = ("student", "instructor", "admin")
# The roles each kind of organisation has members in.
# The languages a person can read BenchShare in (BCP 47 tags; `en` is the fallback).
LANGUAGES = ("en", "zh-Hans")
ROLES_OF_KIND = {"school": SCHOOL_ROLES, "enterprise": ("enterprise_staff",),
                 "platform": ("operator",)}


class Organisation(IdMixin, VersionedMixin, db.Model):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(one_of("kind", ORGANISATION_KINDS), name="kind"),)

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))


class User(IdMixin, VersionedMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
        # E-mail is stored folded to lower case, so plain uniqueness is case-insensitive.
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        # Managers are enterprise staff who also manage their enterprise's people and bases.
        CheckConstraint("NOT is_manager OR role = 'enterprise_staff'", name="manager_is_staff"),
        CheckConstraint(one_of("language", LANGUAGES), name="language"),
        # A student number identifies a student within their school only.
        UniqueConstraint("organisation_id", "student_number",
                         name="uq_users_organisation_id_student_number"),
    )

    organisation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # What e-mails, notices and refusals are written in (the API also reads Accept-Language).
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    student_number: Mapped[str | None] = mapped_column(String(40))

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class AccessToken(IdMixin, db.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak leaks no usable token."""

    __tablename__ = "access_tokens"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class LoginFailure(IdMixin, db.Model):
    """One failed sign-in, counted to slow down password guessing across all instances."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_remote_addr_at", "remote_addr", "at"),
    )

    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# access: invitations and password resets
TOKEN_PURPOSES = ("invitation", "reset")


class AccountToken(IdMixin, db.Model):
    """A link that sets a person's password, once and until it expires; only its SHA-256 is
    stored, so neither a database leak nor a log shows a usable link."""

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint(one_of("purpose", TOKEN_PURPOSES), name="purpose"),)

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(lazy="joined")


class PasswordResetRequest(IdMixin, db.Model):
    """One "forgot password" request, counted per e-mail and per address to throttle them
    (whether or not the e-mail is anyone's)."""

    __tablename__ = "password_reset_requests"
    __table_args__ = (
        Index("ix_password_reset_requests_email_at", "email", "at"),
        Index("ix_password_reset_requests_remote_addr_at", "remote_addr", "at"),
    )

    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
