"""Invitations and password resets: single-use, expiring links that let a person set a password."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from ..db import utcnow
from ..i18n import gettext, in_language
from . import passwords
from .errors import (
    AlreadyHasPassword,
    LinkExpired,
    LinkInvalid,
    LinkUsed,
    NotYourOrganisation,
    TooManyResetRequests,
    UserDisabled,
)
from .models import AccountToken, LoginFailure, PasswordResetRequest, User
from .permissions import manages_user
from .principal import token_hash
from .services import IssuedToken, add_user, get_visible_user, issue_token, revoke_tokens_of
from .sign_in_policy import check_password_sign_in

# A link's token: 256 random bits, URL-safe. Only its SHA-256 is stored.
LINK_PREFIX = "bsl_"
# The app's extension holding the outbox's writer of letters (service/__init__.py).
OUTBOX = "benchshare.outbox"
# Where a signed-out person reaches the app when PUBLIC_URL is not set and no request says.
FALLBACK_URL = "http://localhost:8000"


@dataclass(frozen=True)
class LinkSettings:
    """What the links need from the config (docs/configuration.md)."""

    public_url: str = FALLBACK_URL
    invitation_ttl_hours: int = 168
    reset_ttl_minutes: int = 60
    reset_max_per_email: int = 3
    reset_max_per_address: int = 30
    reset_window_seconds: int = 3600

    @classmethod
    def from_config(cls, config, request_url: str | None = None) -> LinkSettings:
        # hostile: the request's Host header is the sender's to choose; a link built on it
        # would carry someone's token to the sender's site (a reset asked for by anyone). It
        # is trusted only on this machine (development, the demo); elsewhere set PUBLIC_URL.
        if request_url and not _on_this_machine(request_url):
            request_url = None
        return cls(public_url=(config.get("PUBLIC_URL") or request_url or FALLBACK_URL)
                   .rstrip("/"),
                   invitation_ttl_hours=config.get("INVITATION_TTL_HOURS", 168),
                   reset_ttl_minutes=config.get("RESET_TTL_MINUTES", 60),
                   reset_max_per_email=config.get("RESET_MAX_PER_EMAIL", 3),
                   reset_max_per_address=config.get("RESET_MAX_PER_ADDRESS", 30),
                   reset_window_seconds=config.get("RESET_WINDOW_SECONDS", 3600))

    def link(self, token: str) -> str:
        # In the fragment: browsers never send it, so no server or proxy log holds it.
        return f"{self.public_url}/password#token={token}"


def _on_this_machine(url: str) -> bool:
    """Whether a URL's host is a loopback name or address."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _current_settings() -> LinkSettings:
    """The app's settings, for callers that have only a session (imports, the CLI)."""
    from flask import current_app, has_request_context, request

    return LinkSettings.from_config(current_app.config,
                                    request.url_root if has_request_context() else None)


def _issue(session: Session, users: list[User], purpose: str, expires_at: datetime
           ) -> dict[int, str]:
    """A new link per user; a newer link of the same purpose replaces their older ones."""
    ids = [user.id for user in users]
    session.execute(delete(AccountToken).where(
        AccountToken.user_id.in_(ids), AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None)))
    tokens = {user.id: LINK_PREFIX + secrets.token_urlsafe(32) for user in users}
    session.execute(insert(AccountToken), [
        {"user_id": user_id, "purpose": purpose, "token_hash": token_hash(token),
         "expires_at": expires_at} for user_id, token in tokens.items()])
    return tokens


def _post(session: Session, letters: list[dict], now: datetime) -> None:
    """Into the outbox of notifications, which sits above accounts (it reads users): the app
    hands its writer in when it starts (notifications/letters.py), so we import none of it."""
    from flask import current_app

    current_app.extensions[OUTBOX](session, letters, now=now)


def invite_people(session: Session, users: list[User], inviter, *,
                  settings: LinkSettings | None = None, now: datetime | None = None) -> int:
    """Write an invitation e-mail to each active user in the outbox, in their language, with a
    link to set their password (the caller commits). Answers how many were invited."""
    users = [user for user in users if user.is_active]
    if not users:
        return 0
    settings = settings or _current_settings()
    now = now or utcnow()
    expires_at = now + timedelta(hours=settings.invitation_ttl_hours)
    tokens = _issue(session, users, "invitation", expires_at)
    inviter_name = getattr(inviter, "full_name", None) or "BenchShare"
    rows = []
    for user in users:
        with in_language(user.language):
            subject = gettext("You are invited to BenchShare")
            body = gettext(
                "Hello %(name)s,\n\n%(inviter)s has added you to BenchShare at "
                "%(organisation)s. Choose your password here:\n\n%(link)s\n\nThe link works "
                "once, for %(hours)s hours. Then sign in with your e-mail address, "
                "%(email)s.",
                name=user.full_name, inviter=inviter_name,
                organisation=user.organisation.name, link=settings.link(tokens[user.id]),
                hours=settings.invitation_ttl_hours, email=user.email)
        rows.append({"user_id": user.id, "kind": "invitation", "subject": subject,
                     "body": body, "data": {"expires_at": expires_at.isoformat()}})
    _post(session, rows, now)
    return len(users)


def invite_new_user(session: Session, actor, **fields) -> User:
    """Add a person without a password and invite them to choose one (POST /users without a
    password)."""
    user = add_user(session, actor, password=None, **fields)
    invite_people(session, [user], actor)
    session.commit()
    return user


def invite_again(session: Session, actor, user_id: int) -> User:
    """Their organisation's admin or manager sends a person a new invitation; the older link
    stops working."""
    user = get_visible_user(session, actor, user_id)
    if not manages_user(actor, user):
        raise NotYourOrganisation(gettext("You invite only the people of your own "
                                          "organisation."))
    if not user.is_active:
        raise UserDisabled(gettext("A disabled account gets no invitation; enable it first."))
    if user.password_hash != passwords.UNUSABLE:
        raise AlreadyHasPassword(gettext("They have chosen a password already; they can ask "
                                         "for a new one with \"Forgot your password?\"."))
    invite_people(session, [user], actor)
    session.commit()
    return user


def request_password_reset(session: Session, *, email: str, remote_addr: str,
                           settings: LinkSettings, now: datetime | None = None) -> None:
    """Send a reset link to an active account's e-mail; say nothing of whether there is one.

    Both answers do the same reads and writes but for the link itself (one token row, one
    outbox row, no e-mail sent in the request), so they take about the same time. Throttled
    per e-mail and per address, counting every request, known e-mail or not."""
    email = email.strip().lower()
    now = now or utcnow()
    since = now - timedelta(seconds=settings.reset_window_seconds)
    by_email, by_addr, first = session.execute(
        select(func.count().filter(PasswordResetRequest.email == email),
               func.count().filter(PasswordResetRequest.remote_addr == remote_addr),
               func.min(PasswordResetRequest.at))
        .where(PasswordResetRequest.at >= since,
               (PasswordResetRequest.email == email)
               | (PasswordResetRequest.remote_addr == remote_addr))).one()
    if by_email >= settings.reset_max_per_email or by_addr >= settings.reset_max_per_address:
        wait = settings.reset_window_seconds - int((now - first).total_seconds())
        raise TooManyResetRequests(
            gettext("Too many requests for a new password; wait before asking again."),
            headers={"Retry-After": str(max(1, wait))})
    session.add(PasswordResetRequest(email=email, remote_addr=remote_addr, at=now))
    user = session.scalar(select(User).where(User.email == email))
    if user is not None and user.is_active:
        expires_at = now + timedelta(minutes=settings.reset_ttl_minutes)
        token = _issue(session, [user], "reset", expires_at)[user.id]
        with in_language(user.language):
            subject = gettext("Your new BenchShare password")
            body = gettext(
                "Hello %(name)s,\n\nsomeone, hopefully you, asked for a new password for "
                "your BenchShare account, %(email)s. Choose it here:\n\n%(link)s\n\nThe link "
                "works once, for %(minutes)s minutes. If you did not ask, ignore this e-mail: "
                "your password stays as it is.",
                name=user.full_name, email=user.email, link=settings.link(token),
                minutes=settings.reset_ttl_minutes)
        _post(session, [{"user_id": user.id, "kind": "password_reset", "subject": subject,
                         "body": body, "data": {"expires_at": expires_at.isoformat()}}], now)
    session.commit()


def set_password_with_link(session: Session, *, token: str, password: str, ttl_minutes: int,
                           now: datetime | None = None) -> IssuedToken:
    """Set a password with an invitation's or a reset's link and sign in: the link is used up,
    the person's other links and bearer tokens stop working."""
    now = now or utcnow()
    link = session.scalar(select(AccountToken).where(AccountToken.token_hash == token_hash(token))
                          .with_for_update(of=AccountToken))
    field = {"token": [gettext("Ask for a new link.")]}
    if link is None or not link.user.is_active:
        raise LinkInvalid(gettext("This link is not valid; ask for a new one."), errors=field)
    if link.used_at is not None:
        raise LinkUsed(gettext("This link has been used already; ask for a new one."),
                       errors=field)
    if link.expires_at <= now:
        raise LinkExpired(gettext("This link has expired; ask for a new one."), errors=field)
    user = link.user
    # Where the organisation signs its people on with its own accounts, a password would open
    # no door: the link stays unused.
    check_password_sign_in(session, user.organisation_id)
    user.password_hash = passwords.hash_password(password)
    session.execute(update(AccountToken)
                    .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
                    .values(used_at=now))
    revoke_tokens_of(session, user.id)
    session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
    issued = issue_token(session, user=user, ttl_minutes=ttl_minutes)
    session.commit()
    return issued
