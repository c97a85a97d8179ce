"""Shapes of sign-on: an organisation's provider settings, the public list, the callback."""

from __future__ import annotations

import marshmallow as ma
from marshmallow.validate import Length, OneOf

from ..accounts.models import ROLES
from ..http import BaseSchema, Boolean, Integer

CLAIM = {"validate": Length(min=1, max=100)}


class IdentityProviderSchema(ma.Schema):
    organisation_id = Integer(required=True)
    issuer = ma.fields.String(required=True)
    client_id = ma.fields.String(required=True)
    has_client_secret = ma.fields.Constant(True, required=True, metadata={
        "description": "The secret is stored; it is never answered."})
    email_claim = ma.fields.String(required=True)
    role_claim = ma.fields.String(required=True, allow_none=True)
    class_claim = ma.fields.String(required=True, allow_none=True)
    language_claim = ma.fields.String(required=True, allow_none=True)
    create_users = ma.fields.Boolean(required=True)
    default_role = ma.fields.String(required=True, allow_none=True)
    password_sign_in = ma.fields.Boolean(required=True)
    redirect_uri = ma.fields.String(required=True, metadata={
        "description": "The redirect URI to register at the provider for this client."})
    version = Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


class IdentityProviderPutSchema(BaseSchema):
    issuer = ma.fields.String(required=True, validate=Length(min=1, max=500), metadata={
        "description": "The provider's issuer URL (https; http only on loopback), as its "
                       "discovery document and ID tokens name it."})
    client_id = ma.fields.String(required=True, validate=Length(min=1, max=255))
    client_secret = ma.fields.String(load_only=True, validate=Length(min=1, max=500), metadata={
        "description": "Write-only. Required when setting up; left out on a replace, the "
                       "stored one is kept."})
    email_claim = ma.fields.String(load_default="email", **CLAIM)
    role_claim = ma.fields.String(load_default=None, allow_none=True, **CLAIM, metadata={
        "description": "On creation, a role of this organisation named by this claim wins "
                       "over default_role."})
    class_claim = ma.fields.String(load_default=None, allow_none=True, **CLAIM, metadata={
        "description": "On creation, a student joins the class this claim names (created "
                       "if new)."})
    language_claim = ma.fields.String(load_default="locale", allow_none=True, **CLAIM)
    create_users = Boolean(load_default=False, metadata={
        "description": "Create a person signing on for the first time (needs default_role)."})
    default_role = ma.fields.String(load_default=None, allow_none=True,
                                    validate=OneOf(ROLES[:4]))
    password_sign_in = Boolean(load_default=True, metadata={
        "description": "False: this organisation's people sign in only through the provider "
                       "(POST /auth/token answers 403 password_sign_in_disabled)."})


class SignOnOrganisationSchema(ma.Schema):
    organisation_id = Integer(required=True)
    organisation_name = ma.fields.String(required=True)
    start_url = ma.fields.String(required=True, metadata={
        "description": "Open this in the browser to sign on (it redirects to the provider)."})


class SignOnQueryArgsSchema(BaseSchema):
    q = ma.fields.String(validate=Length(min=1, max=100), metadata={
        "description": "Only organisations whose name contains this (any case): for a "
                       "platform serving many schools."})


class SignOnListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SignOnOrganisationSchema), required=True)


class CallbackArgsSchema(ma.Schema):
    """What a provider sends back; members it adds (iss, session_state, scope) are ignored."""

    class Meta:
        unknown = ma.EXCLUDE

    # Not validated here: the callback answers every request with a redirect (lengths are
    # checked by the use case).
    code = ma.fields.String()
    state = ma.fields.String()
    error = ma.fields.String()
    error_description = ma.fields.String()
