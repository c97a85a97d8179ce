"""HTTP layer of the accounts domain: sign-in, me, organisations, users."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView

from ..db import db
from ..http import Blueprint, if_match_versions, with_etag
from . import queries, services
from .auth import bearer_token, current_user, roles
from .permissions import PEOPLE_MANAGING_ROLES
from .schemas import (
    OrganisationCreateSchema,
    OrganisationPageSchema,
    OrganisationQueryArgsSchema,
    OrganisationSchema,
    OrganisationUpdateSchema,
    PasswordChangeSchema,
    TokenRequestSchema,
    TokenSchema,
    UserCreateSchema,
    UserPageSchema,
    UserQueryArgsSchema,
    UserSchema,
    UserUpdateSchema,
)

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
        return current_user()


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
        (409 already_onboarded once it has one) and fellow operators.
        """
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
