"""Use cases of signing on: start (to the provider) and finish (its callback, to a token)."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts import passwords
from ..accounts.models import ROLES_OF_KIND, Organisation, User
from ..accounts.services import IssuedToken, issue_token
from ..classes.models import ClassMember
from ..classes.rules import class_named
from ..db import utcnow
from . import oidc
from .errors import ProviderNotConfigured, SignOnRefused
from .models import IdentityProvider, SignOnAttempt
from .rules import claim_text, language_of, state_hash

log = logging.getLogger(__name__)

# Long enough to type a password and a one-time code at the provider, short enough that a
# leaked state is soon worthless.
ATTEMPT_MINUTES = 10


def start_sign_on(session: Session, *, organisation_id: int,
                  redirect_uri: str) -> tuple[str, str]:
    """Record a new attempt (state hashed, nonce, PKCE verifier) and answer the provider's
    authorization URL and the state (the browser keeps its hash: only it may finish). Raises
    SignOnRefused when the provider cannot be reached."""
    provider = session.scalar(select(IdentityProvider).where(
        IdentityProvider.organisation_id == organisation_id))
    if provider is None:
        raise ProviderNotConfigured()
    metadata = oidc.discover(provider.issuer)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 wants 43 to 128
    now = utcnow()
    # Old attempts are of no use to anyone: sweep them as new ones come.
    session.execute(SignOnAttempt.__table__.delete().where(
        SignOnAttempt.expires_at < now - timedelta(days=1)))
    session.add(SignOnAttempt(state_hash=state_hash(state), nonce=nonce,
                              code_verifier=code_verifier, organisation_id=organisation_id,
                              expires_at=now + timedelta(minutes=ATTEMPT_MINUTES)))
    session.commit()
    return oidc.authorization_url(metadata, client_id=provider.client_id,
                                  client_secret=provider.client_secret,
                                  redirect_uri=redirect_uri, state=state, nonce=nonce,
                                  code_verifier=code_verifier), state


def _use_attempt(session: Session, state: str | None, browser: str | None) -> SignOnAttempt:
    """The attempt this state belongs to, marked used at once (and committed), so that a
    replayed state is refused even when the rest of this sign-on fails. `browser` is the
    state's hash the starting browser kept: a callback link opened in another browser (sent
    to sign someone into the sender's account) is refused, and leaves the attempt unused."""
    if not state or len(state) > 200:
        raise SignOnRefused("sign_on_state_invalid", "missing")
    if browser is None or not secrets.compare_digest(browser, state_hash(state)):
        raise SignOnRefused("sign_on_state_invalid", "browser")
    attempt = session.scalar(select(SignOnAttempt).where(
        SignOnAttempt.state_hash == state_hash(state)).with_for_update())
    if attempt is None:
        raise SignOnRefused("sign_on_state_invalid", "unknown")
    if attempt.used_at is not None:
        raise SignOnRefused("sign_on_state_invalid", "used")
    now = utcnow()
    if attempt.expires_at <= now:
        raise SignOnRefused("sign_on_state_invalid", "expired")
    attempt.used_at = now
    session.commit()
    return attempt


def finish_sign_on(session: Session, *, state: str | None, code: str | None,
                   error: str | None, redirect_uri: str, ttl_minutes: int,
                   browser: str | None) -> IssuedToken:
    """The provider's callback: the state used once, the code exchanged, the ID token
    checked, the person found (or created) in the organisation that set up the provider, a
    bearer token issued. Every refusal is a SignOnRefused with its code."""
    try:
        attempt = _use_attempt(session, state, browser)
        provider = session.scalar(select(IdentityProvider).where(
            IdentityProvider.organisation_id == attempt.organisation_id))
        if provider is None:
            raise SignOnRefused("sign_on_failed", "provider_removed")
        if error or not code or len(code) > 2000:
            raise SignOnRefused("sign_on_failed", "provider_error" if error else "no_code")
        metadata = oidc.discover(provider.issuer)
        id_token = oidc.exchange_code(metadata, client_id=provider.client_id,
                                      client_secret=provider.client_secret,
                                      redirect_uri=redirect_uri, code=code,
                                      code_verifier=attempt.code_verifier)
        claims = oidc.verify_id_token(id_token, metadata=metadata, issuer=provider.issuer,
                                      client_id=provider.client_id, nonce=attempt.nonce)
        user = _person(session, provider, claims)
        if not user.is_active:
            raise SignOnRefused("account_disabled")
        issued = issue_token(session, user=user, ttl_minutes=ttl_minutes)
        session.commit()
        return issued
    except SignOnRefused as refusal:
        # Nothing of a refused sign-on is committed but its attempt's use (the request's
        # session is discarded after it).
        log.info("sign-on refused: %s", refusal)
        raise


def _person(session: Session, provider: IdentityProvider, claims: dict) -> User:
    email = claim_text(claims, provider.email_claim, most=254)
    if not email or "@" not in email:
        raise SignOnRefused("sign_on_failed", "no_email")
    # A provider that says the address is unverified does not vouch for who owns it.
    if claims.get("email_verified") in (False, "false"):
        raise SignOnRefused("sign_on_email_unverified")
    email = email.lower()
    user = session.scalar(select(User).where(User.email == email))
    if user is not None:
        # Never across organisations: a school's provider vouches for its own people only.
        if user.organisation_id != provider.organisation_id:
            raise SignOnRefused("sign_on_wrong_organisation")
        return user
    if not provider.create_users:
        raise SignOnRefused("sign_on_no_account")
    try:
        with session.begin_nested():
            return _create_person(session, provider, claims, email)
    except IntegrityError:
        # Created meanwhile by the same person's other tab: use that one.
        user = session.scalar(select(User).where(User.email == email))
        if user is None or user.organisation_id != provider.organisation_id:
            raise SignOnRefused("sign_on_failed", "creation") from None
        return user


def _create_person(session: Session, provider: IdentityProvider, claims: dict,
                   email: str) -> User:
    organisation = session.get(Organisation, provider.organisation_id)
    role = claim_text(claims, provider.role_claim, most=20)
    # The provider's role counts when it is one of this organisation's; else the default.
    if role not in ROLES_OF_KIND[organisation.kind]:
        role = provider.default_role
    if role not in ROLES_OF_KIND[organisation.kind]:
        raise SignOnRefused("sign_on_no_account", "default_role")
    user = User(organisation_id=organisation.id, email=email, role=role,
                full_name=claim_text(claims, "name") or email.split("@")[0],
                password_hash=passwords.UNUSABLE,
                language=language_of(claims.get(provider.language_claim or "")) or "en")
    session.add(user)
    session.flush()
    class_name = claim_text(claims, provider.class_claim, most=100)
    school_class = class_named(session, organisation.id, class_name) \
        if class_name and role == "student" else None
    if school_class is not None:  # a name of spaces only names no class
        session.add(ClassMember(class_id=school_class.id, user_id=user.id))
        session.flush()
    return user
