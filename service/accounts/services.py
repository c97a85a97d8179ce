"""Use cases of the accounts domain: sign-in, tokens, organisations and users."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..db import db, utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..i18n import gettext
from ..versioning import check_version
from . import passwords
from .errors import (
    AccountDisabled,
    EmailTaken,
    InvalidCredentials,
    InvalidCurrentPassword,
    NotYourOrganisation,
    OrganisationNameTaken,
    RoleNotAllowed,
    StudentNumberTaken,
    TooManyLoginAttempts,
)
from .models import (
    ROLES_OF_KIND,
    AccessToken,
    AccountToken,
    LoginFailure,
    Organisation,
    User,
)
from .permissions import (
    is_onboarding_role,
    is_operator,
    is_organisation_manager,
    manages_organisation,
    manages_user,
    require_role,
    visible_organisations,
    visible_users,
)
from .principal import token_hash
from .sign_in_policy import check_password_sign_in

TOKEN_PREFIX = "bs_"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_at: datetime
    token_type: str = "Bearer"


# ---------------------------------------------------------------- sign-in and tokens

def sign_in(session: Session, *, email: str, password: str, remote_addr: str,
            ttl_minutes: int, max_failures: int, window_seconds: int) -> IssuedToken:
    """Exchange e-mail and password for a bearer token, slowing down password guessing."""
    email = email.strip().lower()
    since = utcnow() - timedelta(seconds=window_seconds)
    failures_by_email, failures_by_addr = session.execute(
        select(
            func.count().filter(LoginFailure.email == email),
            func.count().filter(LoginFailure.remote_addr == remote_addr),
        ).where(LoginFailure.at >= since)
    ).one()
    # An address may fail more often than one account: it may be a school's shared NAT.
    if failures_by_email >= max_failures or failures_by_addr >= max_failures * 4:
        raise TooManyLoginAttempts(
            gettext("Too many failed sign-ins; wait before trying again."),
            headers={"Retry-After": str(window_seconds)})
    user = session.scalar(select(User).where(User.email == email))
    if not passwords.verify_password(user.password_hash if user else None, password):
        session.add(LoginFailure(email=email, remote_addr=remote_addr))
        session.commit()
        raise InvalidCredentials()
    if not user.is_active:
        raise AccountDisabled()
    # An organisation may send its people through its own provider only (asked after the
    # password, so that this refusal tells nothing to someone who does not know it).
    check_password_sign_in(session, user.organisation_id)
    session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    issued = issue_token(session, user=user, ttl_minutes=ttl_minutes)
    session.commit()
    return issued


def issue_token(session: Session, *, user: User, ttl_minutes: int) -> IssuedToken:
    """Create a token for the user (the caller commits)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(minutes=ttl_minutes)
    session.add(AccessToken(user_id=user.id, token_hash=token_hash(token), expires_at=expires_at))
    return IssuedToken(access_token=token, expires_at=expires_at)


def sign_out(session: Session, *, token: str) -> None:
    """Revoke the token used for this request."""
    session.execute(update(AccessToken)
                    .where(AccessToken.token_hash == token_hash(token),
                           AccessToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))
    session.commit()


def revoke_tokens_of(session: Session, user_id: int) -> None:
    session.execute(update(AccessToken)
                    .where(AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


# ---------------------------------------------------------------- organisations

PLATFORM_NAME = "BenchShare platform"


def get_organisation(session: Session, actor: User, organisation_id: int) -> Organisation:
    organisation = session.scalar(select(Organisation).where(
        Organisation.id == organisation_id, visible_organisations(actor)))
    if organisation is None:
        raise NotFound(f"No organisation {organisation_id}.")
    return organisation


def platform_organisation(session: Session) -> Organisation:
    """The organisation operators belong to, created the first time an operator is."""
    organisation = session.scalar(select(Organisation).where(Organisation.kind == "platform"))
    if organisation is None:
        organisation = register_organisation(
            session, name=PLATFORM_NAME, kind="platform",
            description="The operators of this BenchShare installation.")
    return organisation


def register_organisation(session: Session, *, name: str, kind: str, description: str = "",
                          contact_email: str | None = None) -> Organisation:
    """Add an organisation without a permission check: for the use cases below, the CLI and
    the seeds (the caller commits)."""
    if session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise OrganisationNameTaken(errors={"name": ["Already taken."]})
    organisation = Organisation(name=name, kind=kind, description=description,
                                contact_email=contact_email)
    session.add(organisation)
    session.flush()
    return organisation


def create_organisation(session: Session, actor: User, *, name: str, kind: str,
                        description: str = "", contact_email: str | None = None) -> Organisation:
    """An operator onboards a school or an enterprise."""
    require_role(actor, "operator")
    organisation = register_organisation(session, name=name, kind=kind,
                                         description=description, contact_email=contact_email)
    session.commit()
    return organisation


def update_organisation(session: Session, actor: User, organisation_id: int, *,
                        changes: dict, expected_versions: list[int] | None = None) -> Organisation:
    """An organisation's own admin or manager edits its profile; operators edit any."""
    organisation = get_organisation(session, actor, organisation_id)
    if not (is_operator(actor) or manages_organisation(actor, organisation.id)):
        raise NotYourOrganisation()
    if "kind" in changes and not is_operator(actor):
        raise Forbidden("Only an operator changes what kind of organisation this is.",
                        code="not_your_organisation", errors={"kind": ["Operators only."]})
    if organisation.kind == "platform" and changes.get("kind", "platform") != "platform":
        raise Conflict("The platform's organisation stays the platform's.",
                       code="platform_organisation")
    check_version(organisation, expected_versions)
    if "name" in changes and changes["name"] != organisation.name and session.scalar(
            select(Organisation.id).where(Organisation.name == changes["name"])):
        raise OrganisationNameTaken(errors={"name": ["Already taken."]})
    if "kind" in changes and changes["kind"] != organisation.kind and session.scalar(
            select(User.id).where(User.organisation_id == organisation.id).limit(1)):
        raise Conflict("An organisation with members cannot change its kind.",
                       code="organisation_has_members")
    for key, value in changes.items():
        setattr(organisation, key, value)
    session.commit()
    return organisation


def delete_organisation(session: Session, actor: User, organisation_id: int,
                        expected_versions: list[int] | None = None) -> None:
    """An operator removes an organisation nothing refers to (else 409 still_referenced)."""
    organisation = get_organisation(session, actor, organisation_id)
    require_role(actor, "operator")
    if organisation.kind == "platform":
        raise Conflict("The platform's organisation cannot be deleted.",
                       code="platform_organisation")
    check_version(organisation, expected_versions)
    session.delete(organisation)
    session.commit()


# ---------------------------------------------------------------- users

def get_visible_user(session: Session, actor: User, user_id: int) -> User:
    user = session.scalar(select(User).where(User.id == user_id, visible_users(actor)))
    if user is None:
        raise NotFound(f"No user {user_id}.")
    return user


def _check_role_fits(organisation: Organisation, role: str, is_manager: bool) -> None:
    if role not in ROLES_OF_KIND[organisation.kind]:
        raise Invalid(f"A {organisation.kind} cannot have a member with role {role}.",
                      code="role_does_not_fit_organisation",
                      errors={"role": [f"Not a role of a {organisation.kind}."]})
    if is_manager and role != "enterprise_staff":
        raise Invalid("Only enterprise staff can be managers.", code="manager_is_staff",
                      errors={"is_manager": ["Only for enterprise_staff."]})


def _check_student_number(session: Session, organisation_id: int, role: str,
                          student_number: str | None, user_id: int | None = None) -> None:
    if student_number is None:
        return
    if role != "student":
        raise Invalid("Only students have a student number.", code="student_number_not_student",
                      errors={"student_number": ["Only for students."]})
    taken = select(User.id).where(User.organisation_id == organisation_id,
                                  User.student_number == student_number)
    if user_id is not None:
        taken = taken.where(User.id != user_id)
    if session.scalar(taken):
        raise StudentNumberTaken(errors={"student_number": ["Already in the school."]})


def register_user(session: Session, *, organisation: Organisation, email: str, full_name: str,
                  role: str, password: str | None, is_manager: bool = False,
                  language: str = "en", student_number: str | None = None) -> User:
    """Add a user without a permission check: for the CLI and the seeds (the caller commits).
    Without a password nobody signs in as them until they set one through an invitation."""
    _check_role_fits(organisation, role, is_manager)
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)):
        raise EmailTaken(errors={"email": ["Already registered."]})
    _check_student_number(session, organisation.id, role, student_number)
    user = User(organisation_id=organisation.id, email=email, full_name=full_name, role=role,
                is_manager=is_manager,
                password_hash=(passwords.UNUSABLE if password is None
                               else passwords.hash_password(password)),
                language=language, student_number=student_number)
    session.add(user)
    session.flush()
    return user


def _has_active_manager(session: Session, organisation: Organisation) -> bool:
    return session.scalar(select(User.id).where(
        User.organisation_id == organisation.id, User.is_active.is_(True),
        (User.role == "admin") | User.is_manager.is_(True)).limit(1)) is not None


def create_user(session: Session, actor: User, **fields) -> User:
    """An organisation's admin or manager adds its people; an operator onboards the first
    admin (school) or manager (enterprise) of an organisation that has none."""
    user = add_user(session, actor, **fields)
    session.commit()
    return user


def add_user(session: Session, actor: User, *, organisation_id: int | None = None,
             email: str, full_name: str, role: str, password: str | None,
             is_manager: bool = False, language: str = "en",
             student_number: str | None = None) -> User:
    """create_user's checks and row, without the commit (an invitation may go with it)."""
    if not is_organisation_manager(actor):
        raise RoleNotAllowed("This needs an admin, an enterprise manager or an operator.")
    organisation = session.scalar(select(Organisation).where(
        Organisation.id == (organisation_id or actor.organisation_id),
        visible_organisations(actor)))
    if organisation is None:
        raise Invalid("No such organisation.", errors={"organisation_id": ["Does not exist."]})
    if is_operator(actor) and organisation.id != actor.organisation_id:
        if not is_onboarding_role(role, is_manager):
            raise Forbidden("Operators onboard an organisation's first admin or manager; the "
                            "organisation adds the rest of its people itself.",
                            code="not_onboarding", errors={"role": ["Not an onboarding role."]})
        if _has_active_manager(session, organisation):
            raise Conflict("This organisation is onboarded: its own admins or managers add "
                           "people now.", code="already_onboarded")
    elif not manages_organisation(actor, organisation.id):
        raise NotYourOrganisation("You add people only to your own organisation.",
                                  errors={"organisation_id": ["Not your organisation."]})
    user = register_user(session, organisation=organisation, email=email, full_name=full_name,
                         role=role, password=password, is_manager=is_manager,
                         language=language, student_number=student_number)
    return user


def update_user(session: Session, actor: User, user_id: int, *, changes: dict,
                expected_versions: list[int] | None = None) -> User:
    """Their organisation's admin or manager edits a person (operators: their fellow
    operators). Passwords change only through their owner."""
    user = get_visible_user(session, actor, user_id)
    if not manages_user(actor, user):
        raise NotYourOrganisation("You manage only the people of your own organisation.")
    check_version(user, expected_versions)
    if user.id == actor.id and (changes.get("is_active") is False
                                or changes.get("role", user.role) != user.role
                                or changes.get("is_manager", user.is_manager) != user.is_manager):
        raise Conflict("You cannot disable or demote yourself.", code="cannot_change_self")
    if "role" in changes or "is_manager" in changes:
        _check_role_fits(user.organisation, changes.get("role", user.role),
                         changes.get("is_manager", user.is_manager))
    if "email" in changes:
        email = changes["email"].strip().lower()
        if email != user.email and session.scalar(select(User.id).where(User.email == email)):
            raise EmailTaken(errors={"email": ["Already registered."]})
        changes["email"] = email
        if email != user.email:
            # hostile: links e-mailed to the old address (often a mistyped one, a stranger's)
            # must not set this person's password; their admin sends a new invitation.
            session.execute(delete(AccountToken).where(AccountToken.user_id == user.id,
                                                       AccountToken.used_at.is_(None)))
    if "student_number" in changes or "role" in changes:
        _check_student_number(session, user.organisation_id, changes.get("role", user.role),
                              changes.get("student_number", user.student_number), user.id)
    if changes.get("role", "student") != "student":
        # hostile: only students are in classes; one who is no longer a student would
        # otherwise be booked, and listed, with the class. (The table by name: classes
        # imports accounts, not the other way round.)
        members = db.metadata.tables["class_members"]
        session.execute(delete(members).where(members.c.user_id == user.id))
    for key, value in changes.items():
        setattr(user, key, value)
    if changes.get("is_active") is False:
        revoke_tokens_of(session, user.id)
    session.commit()
    return user


def disable_user(session: Session, actor: User, user_id: int,
                 expected_versions: list[int] | None = None) -> User:
    """Accounts are disabled rather than deleted: their history must stay attributable."""
    return update_user(session, actor, user_id, changes={"is_active": False},
                       expected_versions=expected_versions)


def change_own_password(session: Session, actor: User, *, current_password: str,
                        new_password: str, keep_token: str | None = None) -> None:
    """Only its owner changes a password, proving they know the current one; every other
    token of theirs is revoked."""
    user = session.get(User, actor.id)  # the signed-in user's entity, to change it
    if not passwords.verify_password(user.password_hash, current_password):
        raise InvalidCurrentPassword(errors={"current_password": ["Not your current password."]})
    user.password_hash = passwords.hash_password(new_password)
    others = update(AccessToken).where(AccessToken.user_id == actor.id,
                                       AccessToken.revoked_at.is_(None))
    if keep_token:
        others = others.where(AccessToken.token_hash != token_hash(keep_token))
    session.execute(others.values(revoked_at=utcnow()))
    session.commit()
