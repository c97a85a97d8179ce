"""HTTP layer of sign-on: an organisation's provider settings, and the browser's round trip."""

from __future__ import annotations

import functools

from flask import current_app, redirect, request, url_for
from flask.views import MethodView

from ..accounts.auth import current_user, roles
from ..db import db
from ..http import Blueprint, if_match_versions, with_etag
from . import flow, services
from .errors import SignOnRefused
from .rules import COMPLETE_PATH, completion_url, state_hash
from .schemas import (
    CallbackArgsSchema,
    IdentityProviderPutSchema,
    IdentityProviderSchema,
    SignOnListSchema,
    SignOnQueryArgsSchema,
)

blp = Blueprint("signon", __name__, url_prefix="/api/v1",
                description="Sign-on with an organisation's own accounts (OpenID Connect).")

REDIRECT_HEADERS = {"Location": {
    "description": "Where the browser goes next.",
    "schema": {"type": "string", "format": "uri-reference"}}}
CALLBACK_PATH = "/api/v1/auth/sign-on/callback"
# The browser that starts a sign-on keeps its state's hash in this cookie, and only that
# browser may finish it (instances stay stateless: the attempt is in PostgreSQL).
BROWSER_COOKIE = "benchshare_sign_on"
COOKIE_PATH = "/api/v1/auth/sign-on"
START_HEADERS = {**REDIRECT_HEADERS, "Set-Cookie": {
    "description": f"{BROWSER_COOKIE}: this browser's proof of the sign-on it started "
                   "(HttpOnly, SameSite=Lax, for the callback only, 10 minutes).",
    "schema": {"type": "string"}}}
CALLBACK_HEADERS = {**REDIRECT_HEADERS, "Set-Cookie": {
    "description": f"Clears {BROWSER_COOKIE}.", "schema": {"type": "string"}}}


def _base() -> str:
    """The app's address as people reach it (PUBLIC_URL; else as this request came)."""
    return current_app.config.get("PUBLIC_URL") or request.url_root.rstrip("/")


def redirect_uri() -> str:
    return _base() + CALLBACK_PATH


def _answer(provider):
    provider.redirect_uri = redirect_uri()
    return provider


def _cookie_path() -> str:
    return request.script_root + COOKIE_PATH


def _completion(**members: str):
    # A relative Location would do; an absolute one keeps a proxy's path prefix.
    return redirect(_base() + completion_url(**members), code=302)


def _if_match_first(view):
    """A garbled If-Match is refused before the body is read, as on every other write."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if_match_versions()
        return view(*args, **kwargs)

    return checked


@blp.route("/organisations/<int:organisation_id>/identity-provider")
class IdentityProviderOfOrganisation(MethodView):
    @roles("admin", "enterprise_staff", "operator")
    @blp.response(200, IdentityProviderSchema)
    @blp.problems(401, 403, 404)
    def get(self, organisation_id):
        """An organisation's sign-on settings (its admin or manager; operators read)

        The client secret is never answered (`has_client_secret`). `redirect_uri` is what to
        register at the provider. 404 identity_provider_not_configured when there is none.
        """
        return with_etag(_answer(services.get_provider(db.session, current_user(),
                                                       organisation_id)))

    @roles("admin", "enterprise_staff")
    @_if_match_first
    @blp.arguments(IdentityProviderPutSchema)
    @blp.response(200, IdentityProviderSchema)
    @blp.alt_response(201, schema=IdentityProviderSchema, description="Sign-on set up.")
    @blp.problems(401, 403, 404, 409, 412)
    def put(self, body, organisation_id):
        """Set up or replace the organisation's sign-on (its admin or enterprise manager)

        201 when set up, 200 when replaced (honours If-Match). Every setting left out takes
        its default, but `client_secret`: left out on a replace, the stored one is kept.
        """
        provider, created = services.put_provider(
            db.session, current_user(), organisation_id, settings=body,
            expected_versions=if_match_versions())
        return with_etag(_answer(provider), 201 if created else 200)

    @roles("admin", "enterprise_staff")
    @blp.response(204)
    @blp.problems(401, 403, 404, 409, 412)
    def delete(self, organisation_id):
        """Remove the organisation's sign-on; password sign-in works again (honours If-Match)"""
        services.delete_provider(db.session, current_user(), organisation_id,
                                 expected_versions=if_match_versions())


@blp.route("/auth/sign-on")
class SignOnList(MethodView):
    @blp.arguments(SignOnQueryArgsSchema, location="query")
    @blp.response(200, SignOnListSchema)
    @blp.doc(security=[])
    def get(self, args):
        """The organisations whose people sign on with their own accounts (public)"""
        items = services.list_sign_on(db.session, **args)
        for item in items:
            item["start_url"] = url_for("signon.SignOnStart",
                                        organisation_id=item["organisation_id"])
        return {"items": items}


@blp.route("/auth/sign-on/<int:organisation_id>/start")
class SignOnStart(MethodView):
    @blp.response(302, headers=START_HEADERS, description=(
        "To the provider's sign-in page; or, when the provider cannot be reached, to "
        f"{COMPLETE_PATH}#error=sign_on_provider_unavailable."))
    @blp.problems(404)
    @blp.doc(security=[])
    def get(self, organisation_id):
        """Sign on with an organisation's accounts: to its provider (public)

        Authorization-code flow with PKCE (S256), a state used once and a nonce. 404
        identity_provider_not_configured for an organisation without sign-on.
        """
        try:
            url, state = flow.start_sign_on(db.session, organisation_id=organisation_id,
                                            redirect_uri=redirect_uri())
        except SignOnRefused as refusal:
            return _completion(error=refusal.code)
        response = redirect(url, code=302)
        # SameSite=Lax: sent on the provider's top-level redirect back, not on others' posts.
        response.set_cookie(BROWSER_COOKIE, state_hash(state),
                            max_age=flow.ATTEMPT_MINUTES * 60, path=_cookie_path(),
                            httponly=True, secure=request.is_secure, samesite="Lax")
        return response


@blp.route("/auth/sign-on/callback")
class SignOnCallback(MethodView):
    @blp.arguments(CallbackArgsSchema, location="query", unknown="exclude")
    @blp.response(302, headers=CALLBACK_HEADERS, description=(
        f"To {COMPLETE_PATH}#access_token=...&token_type=Bearer&expires_at=... when signed "
        f"on; else to {COMPLETE_PATH}#error=<code> (sign_on_state_invalid, sign_on_failed, "
        "sign_on_token_invalid with reason=<claim>, sign_on_no_account, "
        "sign_on_wrong_organisation, sign_on_email_unverified, account_disabled, "
        "sign_on_provider_unavailable)."))
    @blp.doc(security=[])
    def get(self, args):
        """Where the provider sends the browser back (public): signed in, or why not"""
        try:
            issued = flow.finish_sign_on(
                db.session, state=args.get("state"), code=args.get("code"),
                error=args.get("error"), redirect_uri=redirect_uri(),
                ttl_minutes=current_app.config["TOKEN_TTL_MINUTES"],
                browser=request.cookies.get(BROWSER_COOKIE))
        except SignOnRefused as refusal:
            members = {"error": refusal.code}
            if refusal.reason and refusal.code == "sign_on_token_invalid":
                members["reason"] = refusal.reason
            response = _completion(**members)
        else:
            response = _completion(access_token=issued.access_token,
                                   token_type=issued.token_type,
                                   expires_at=issued.expires_at.isoformat())
        response.delete_cookie(BROWSER_COOKIE, path=_cookie_path(), httponly=True,
                               secure=request.is_secure, samesite="Lax")
        return response

