"""HTTP layer of the accounts domain: sign-in, me, organisations, users."""

from __future__ import annotations

import time

from flask import current_app, request
from flask.views import MethodView

from ..db import db
from ..http import Blueprint, if_match_versions, with_etag
from . import invitations, queries, services
from .auth import bearer_token, current_user, roles
from .permissions import PEOPLE_MANAGING_ROLES
from .schemas import (
    AcceptedSchema,
    MySettingsSchema,
    OrganisationCreateSchema,
    OrganisationPageSchema,
    OrganisationQueryArgsSchema,
    OrganisationSchema,
    OrganisationUpdateSchema,
    PasswordChangeSchema,
    PasswordResetRequestSchema,
    PasswordWithLinkSchema,
    TokenRequestSchema,
    TokenSchema,
    UserCreateSchema,
    UserPageSchema,
    UserQueryArgsSchema,
    UserSchema,
    UserUpdateSchema,
)
from .settings import update_own_settings

blp = Blueprint("accounts", __name__, url_prefix="/api/v1",
                description="Sign-in, the signed-in user, organisations and users.")


@blp.route("/auth/token")
class Tokens(MethodView):
    @blp.arguments(TokenRequestSchema)
    @blp.response(200, TokenSchema)
    @blp.problems(401, 403, 429)  # signon: 403 password_sign_in_disabled
    @blp.doc(security=[])  # signing in is how one gets a bearer token
    def post(self, body):
        """Sign in with e-mail and password

        Answers a bearer token. Repeated failures for one e-mail are refused with 429 for a while.
        """
        config = current_app.config
        return services.sign_in(
            db.session, email=body["email"], password=body["password"],
            remote_addr=request.remote_addr or "unknown",
            ttl_minutes=config["TOKEN_TTL_MINUTES"],
            max_failures=config["LOGIN_MAX_FAILURES"],
            window_seconds=config["LOGIN_WINDOW_SECONDS"])

    @blp.response(204)
    @blp.problems(401)
    def delete(self):
        """Sign out: revoke the token of this request"""
        services.sign_out(db.session, token=bearer_token())


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserSchema)
    @blp.problems(401)
    def get(self):
        """Who am I"""
        return with_etag(current_user())

    @blp.arguments(MySettingsSchema)
    @blp.response(200, UserSchema)
    @blp.problems(401, 412)
    def patch(self, body):
        """Change your own language

        The language of your e-mails and notices, and of the app once you sign in. Honours
        If-Match (GET /me's ETag).
        """
        return with_etag(update_own_settings(db.session, current_user(), changes=body,
                                             expected_versions=if_match_versions()))


@blp.route("/me/password")
class MyPassword(MethodView):
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    @blp.problems(401, 403)
    def post(self, body):
        """Change your own password (your other tokens are revoked)

        Nobody sets another person's password: not an admin, not a manager, not an operator.
        """
        services.change_own_password(db.session, current_user(), keep_token=bearer_token(),
                                     **body)


@blp.route("/organisations")
class Organisations(MethodView):
    @blp.arguments(OrganisationQueryArgsSchema, location="query")
    @blp.response(200, OrganisationPageSchema)
    @blp.problems(401)
    def get(self, args):
        """List organisations"""
        return queries.list_organisations(db.session, current_user(), **args)

    @roles("operator")
    @blp.arguments(OrganisationCreateSchema)
    @blp.response(201, OrganisationSchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """Onboard a school or an enterprise (operator)"""
        return with_etag(services.create_organisation(db.session, current_user(), **body), 201)


@blp.route("/organisations/<int:organisation_id>")
class OrganisationById(MethodView):
    @blp.response(200, OrganisationSchema)
    @blp.problems(401, 404)
    def get(self, organisation_id):
        """Show an organisation"""
        return with_etag(services.get_organisation(db.session, current_user(), organisation_id))

    @blp.arguments(OrganisationUpdateSchema)
    @blp.response(200, OrganisationSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def patch(self, body, organisation_id):
        """Change an organisation's directory entry

        Its own admin or manager, or an operator (who alone may change `kind`). Honours
        If-Match.
        """
        return with_etag(services.update_organisation(
            db.session, current_user(), organisation_id, changes=body,
            expected_versions=if_match_versions()))

    @blp.response(204)
    @blp.problems(401, 403, 404, 409, 412)
    def delete(self, organisation_id):
        """Delete an organisation nothing refers to (operator)"""
        services.delete_organisation(db.session, current_user(), organisation_id,
                                     expected_versions=if_match_versions())


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserQueryArgsSchema, location="query")
    @blp.response(200, UserPageSchema)
    @blp.problems(401)
    def get(self, args):
        """List the users you may see"""
        return queries.list_users(db.session, current_user(), **args)

    @roles(*PEOPLE_MANAGING_ROLES)
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.problems(401, 403, 409)
    def post(self, body):
        """Add a person to your organisation, or onboard an organisation's first one

        A school's admin adds students, instructors and admins; an enterprise's manager adds
        staff. An operator adds the first admin of a school or manager of an enterprise
        (409 already_onboarded once it has one) and fellow operators. Without a `password`,
        the person gets an e-mail inviting them to choose one.
        """
        if "password" not in body:
            return with_etag(invitations.invite_new_user(db.session, current_user(), **body),
                             201)
        return with_etag(services.create_user(db.session, current_user(), **body), 201)


@blp.route("/users/<int:user_id>")
class UserById(MethodView):
    @blp.response(200, UserSchema)
    @blp.problems(401, 404)
    def get(self, user_id):
        """Show a user"""
        return with_etag(services.get_visible_user(db.session, current_user(), user_id))

    @roles(*PEOPLE_MANAGING_ROLES)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def patch(self, body, user_id):
        """Change a person of your organisation

        Their organisation's admin or manager (operators: fellow operators). Disabling revokes
        their tokens. Passwords are not changed here: POST /me/password. Honours If-Match.
        """
        return with_etag(services.update_user(
            db.session, current_user(), user_id, changes=body,
            expected_versions=if_match_versions()))

    @blp.response(200, UserSchema)
    @blp.problems(401, 403, 404, 409, 412)
    def delete(self, user_id):
        """Disable a person of your organisation; their history stays

        Their organisation's admin or manager (operators: fellow operators).
        """
        return with_etag(services.disable_user(db.session, current_user(), user_id,
                                               expected_versions=if_match_versions()))


# ---------------------------------------------------------------- access: links by e-mail

@blp.route("/users/<int:user_id>/invitation")
class UserInvitation(MethodView):
    @roles(*PEOPLE_MANAGING_ROLES)
    @blp.response(202, AcceptedSchema)
    @blp.problems(401, 403, 404, 409)
    def post(self, user_id):
        """Send a person a new invitation to choose their password

        Their organisation's admin or manager. The older link stops working. 409
        `has_password` once they have chosen one, `user_disabled` for a disabled account.
        """
        invitations.invite_again(db.session, current_user(), user_id)
        return {"status": "accepted"}


@blp.route("/auth/password-reset")
class PasswordReset(MethodView):
    @blp.arguments(PasswordResetRequestSchema)
    @blp.response(202, AcceptedSchema)
    @blp.alt_response(429, response="TOO_MANY_REQUESTS", headers={"Retry-After": {
        "description": "Seconds to wait before asking again.", "schema": {"type": "integer"}}})
    @blp.doc(security=[])  # whoever forgot their password has no token
    def post(self, body):
        """Ask for an e-mail with a link to choose a new password

        Answers 202 whether or not the e-mail is anyone's (a disabled account gets no e-mail).
        Throttled per e-mail and per address: 429 with Retry-After.
        """
        started = time.monotonic()
        invitations.request_password_reset(
            db.session, email=body["email"], remote_addr=request.remote_addr or "unknown",
            settings=invitations.LinkSettings.from_config(current_app.config,
                                                          request.url_root))
        # Writing a link takes a few milliseconds more than finding no one: answer both alike.
        floor = current_app.config.get("RESET_ANSWER_MS", 50) / 1000
        time.sleep(max(0.0, floor - (time.monotonic() - started)))
        return {"status": "accepted"}


@blp.route("/auth/password")
class PasswordWithLink(MethodView):
    @blp.arguments(PasswordWithLinkSchema)
    @blp.response(200, TokenSchema)
    @blp.problems(403)
    @blp.doc(security=[])  # the e-mailed link is the proof
    def post(self, body):
        """Choose a password with an invitation's or a reset's link, and sign in

        The link works once: 422 `link_invalid`, `link_used` or `link_expired` (errors name
        `token`). Every other token and link of the person stops working. 403
        `password_sign_in_disabled` when their organisation signs its people on with its own
        accounts only (the link stays unused).
        """
        return invitations.set_password_with_link(
            db.session, token=body["token"], password=body["password"],
            ttl_minutes=current_app.config["TOKEN_TTL_MINUTES"])
