"""Use cases of an organisation's sign-on settings: show, set, remove; the public list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.errors import NotYourOrganisation, RoleNotAllowed
from ..accounts.models import ROLES_OF_KIND, Organisation, User
from ..accounts.permissions import is_operator, manages_organisation, visible_organisations
from ..errors import Invalid, NotFound, PreconditionFailed
from ..i18n import gettext
from ..versioning import check_version
from .errors import ProviderNotConfigured
from .models import IdentityProvider
from .rules import issuer_problem

SETTINGS = ("issuer", "client_id", "client_secret", "email_claim", "role_claim", "class_claim",
            "language_claim", "create_users", "default_role", "password_sign_in")


def _organisation(session: Session, actor: User, organisation_id: int, *,
                  reading: bool = False) -> Organisation:
    organisation = session.scalar(select(Organisation).where(
        Organisation.id == organisation_id, visible_organisations(actor)))
    if organisation is None:
        raise NotFound(f"No organisation {organisation_id}.")
    if manages_organisation(actor, organisation.id) or (reading and is_operator(actor)):
        return organisation
    if actor.organisation_id == organisation.id:
        raise RoleNotAllowed(gettext("Only an admin or an enterprise manager sets up sign-on."))
    raise NotYourOrganisation()


def provider_of(session: Session, organisation_id: int, *,
                lock: bool = False) -> IdentityProvider | None:
    query = select(IdentityProvider).where(IdentityProvider.organisation_id == organisation_id)
    return session.scalar(query.with_for_update() if lock else query)


def get_provider(session: Session, actor: User, organisation_id: int) -> IdentityProvider:
    """The organisation's admin or manager, or an operator, reads its sign-on settings."""
    _organisation(session, actor, organisation_id, reading=True)
    provider = provider_of(session, organisation_id)
    if provider is None:
        raise ProviderNotConfigured()
    return provider


def _check_settings(organisation: Organisation, settings: dict) -> None:
    if problem := issuer_problem(settings["issuer"]):
        raise Invalid(gettext("The issuer is not a URL sign-on can use."),
                      code="invalid_issuer", errors={"issuer": [problem]})
    role = settings.get("default_role")
    if role is not None and role not in ROLES_OF_KIND[organisation.kind]:
        raise Invalid(gettext("This role does not exist in this organisation."),
                      code="role_does_not_fit_organisation",
                      errors={"default_role": [f"Not a role of a {organisation.kind}."]})
    if settings.get("create_users") and role is None:
        raise Invalid(gettext("Creating people on their first sign-on needs a default role."),
                      code="default_role_required",
                      errors={"default_role": ["Required when create_users is true."]})


def put_provider(session: Session, actor: User, organisation_id: int, *, settings: dict,
                 expected_versions: list[int] | None = None) -> tuple[IdentityProvider, bool]:
    """Set up or replace the organisation's provider (If-Match when replacing); a replace
    without client_secret keeps the stored one. Answers the provider and whether it is new."""
    organisation = _organisation(session, actor, organisation_id)
    provider = provider_of(session, organisation_id, lock=True)
    if provider is None:
        if expected_versions is not None:
            raise PreconditionFailed(gettext("There is no sign-on to replace."), code="stale_etag")
        if not settings.get("client_secret"):
            raise Invalid(gettext("Give the client secret the provider issued."),
                          code="validation_error",
                          errors={"client_secret": ["Required when setting up sign-on."]})
    else:
        check_version(provider, expected_versions)
    _check_settings(organisation, settings)
    created = provider is None
    if created:
        provider = IdentityProvider(organisation_id=organisation_id)
        session.add(provider)
    # The schema fills in every setting left out (a PUT replaces the whole), but the secret.
    for name in SETTINGS:
        if name in settings and (name != "client_secret" or settings[name]):
            setattr(provider, name, settings[name])
    session.commit()
    return provider, created


def delete_provider(session: Session, actor: User, organisation_id: int,
                    expected_versions: list[int] | None = None) -> None:
    """Remove the organisation's sign-on (password sign-in works again for everyone)."""
    _organisation(session, actor, organisation_id)
    provider = provider_of(session, organisation_id, lock=True)
    if provider is None:
        raise ProviderNotConfigured()
    check_version(provider, expected_versions)
    session.delete(provider)
    session.commit()


def list_sign_on(session: Session, q: str | None = None) -> list[dict]:
    """Every organisation whose people may sign on with their own accounts (public), or
    those whose name contains `q`."""
    query = (select(Organisation.id, Organisation.name)
             .join(IdentityProvider, IdentityProvider.organisation_id == Organisation.id)
             .order_by(Organisation.name))
    if q:
        query = query.where(Organisation.name.icontains(q, autoescape=True))
    rows = session.execute(query).all()
    return [{"organisation_id": id_, "organisation_name": name} for id_, name in rows]


def password_sign_in_allowed(session: Session, organisation_id: int) -> bool:
    """Whether the organisation's people may still sign in with a password."""
    return session.scalar(select(IdentityProvider.password_sign_in).where(
        IdentityProvider.organisation_id == organisation_id)) is not False
