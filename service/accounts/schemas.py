"""Shapes of the accounts API, one schema per direction."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from ..fields import not_blank
from ..http import BaseSchema, Boolean, Integer, PageArgsSchema, page_schema
from .models import LANGUAGES, MEMBER_ORGANISATION_KINDS, ORGANISATION_KINDS, ROLES

NAME = validate.Length(min=1, max=200)
PASSWORD = validate.Length(min=8, max=256)
STUDENT_NUMBER = validate.And(validate.Length(min=1, max=40), not_blank())


class TokenRequestSchema(BaseSchema):
    email = ma.fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = ma.fields.String(required=True, validate=validate.Length(min=1, max=256),
                                load_only=True)


class TokenSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True)
    expires_at = ma.fields.AwareDateTime(required=True)


class OrganisationSchema(ma.Schema):
    id = Integer(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(ORGANISATION_KINDS)})
    description = ma.fields.String(required=True)
    contact_email = ma.fields.String(allow_none=True)
    version = Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


class OrganisationCreateSchema(BaseSchema):
    name = ma.fields.String(required=True, validate=NAME)
    kind = ma.fields.String(required=True, validate=validate.OneOf(MEMBER_ORGANISATION_KINDS))
    description = ma.fields.String(load_default="", validate=validate.Length(max=2000))
    contact_email = ma.fields.Email(load_default=None, allow_none=True,
                                    validate=validate.Length(max=254))


class OrganisationUpdateSchema(BaseSchema):
    name = ma.fields.String(validate=NAME)
    kind = ma.fields.String(validate=validate.OneOf(MEMBER_ORGANISATION_KINDS),
                            metadata={"description": "Operators only."})
    description = ma.fields.String(validate=validate.Length(max=2000))
    contact_email = ma.fields.Email(allow_none=True, validate=validate.Length(max=254))


class OrganisationQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "name", "kind")
    kind = ma.fields.String(validate=validate.OneOf(ORGANISATION_KINDS))
    q = ma.fields.String(validate=validate.Length(min=1, max=100),
                         metadata={"description": "Text the name contains."})


class UserSchema(ma.Schema):
    id = Integer(required=True)
    email = ma.fields.String(required=True)
    full_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, metadata={"enum": list(ROLES)})
    organisation_id = Integer(required=True)
    organisation_name = ma.fields.String(attribute="organisation.name", required=True)
    is_active = ma.fields.Boolean(required=True)
    is_manager = ma.fields.Boolean(required=True, metadata={
        "description": "Enterprise staff who also manage the enterprise's people and bases."})
    language = ma.fields.String(required=True, metadata={
        "enum": list(LANGUAGES),
        "description": "What their e-mails, notices and refusals are written in."})
    student_number = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "A student's number in their school's roster (unique in the school)."})
    version = Integer(required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


# A rule of the organisation named, which no schema of this field can state.
ROLE_FITS = ("A role of the organisation's kind: a school's (student, instructor, admin), "
             "an enterprise's (enterprise_staff), the platform's (operator); otherwise 422 "
             "role_does_not_fit_organisation.")


class UserCreateSchema(BaseSchema):
    organisation_id = Integer(validate=validate.Range(min=1, max=2**63 - 1), metadata={
        "description": "Your own organisation when left out; operators name the one they "
                       "onboard."})
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    full_name = ma.fields.String(required=True, validate=NAME)
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES), metadata={
        "description": ROLE_FITS})
    is_manager = Boolean(load_default=False, metadata={
        "description": "Enterprise staff only: also manages the enterprise's people."})
    language = ma.fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))
    student_number = ma.fields.String(load_default=None, allow_none=True,
                                      validate=STUDENT_NUMBER, metadata={
                                          "description": "Students only (otherwise 422 "
                                                         "student_number_not_student)."})
    password = ma.fields.String(validate=PASSWORD, load_only=True, metadata={
        "description": "The first password; only its owner changes it (POST /me/password). "
                       "Left out: they get an e-mail inviting them to choose one (the link "
                       "works once, for INVITATION_TTL_HOURS)."})


class UserUpdateSchema(BaseSchema):
    """No password here: only its owner changes it, through POST /me/password."""

    email = ma.fields.Email(validate=validate.Length(max=254))
    full_name = ma.fields.String(validate=NAME)
    role = ma.fields.String(validate=validate.OneOf(ROLES), metadata={"description": ROLE_FITS})
    is_active = Boolean()
    is_manager = Boolean()
    language = ma.fields.String(validate=validate.OneOf(LANGUAGES))
    student_number = ma.fields.String(allow_none=True, validate=STUDENT_NUMBER)


class PasswordChangeSchema(BaseSchema):
    current_password = ma.fields.String(required=True, validate=validate.Length(min=1, max=256),
                                        load_only=True)
    new_password = ma.fields.String(required=True, validate=PASSWORD, load_only=True)


class MySettingsSchema(BaseSchema):
    """What a person changes of their own account (PATCH /me)."""

    language = ma.fields.String(validate=validate.OneOf(LANGUAGES), metadata={
        "description": "The language of your e-mails, notices and the app."})


class UserQueryArgsSchema(PageArgsSchema):
    SORTABLE = ("id", "email", "full_name", "created_at")
    organisation_id = Integer(validate=validate.Range(min=1, max=2**63 - 1))
    role = ma.fields.String(validate=validate.OneOf(ROLES))
    is_active = ma.fields.Boolean()
    q = ma.fields.String(validate=validate.Length(min=1, max=100),
                         metadata={"description": "Text the name or e-mail contains."})


# access: invitations and password resets
class PasswordResetRequestSchema(BaseSchema):
    email = ma.fields.String(required=True, validate=validate.Length(min=3, max=254))


class AcceptedSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"enum": ["accepted"]})


class PasswordWithLinkSchema(BaseSchema):
    token = ma.fields.String(required=True, validate=validate.Length(min=1, max=200),
                             load_only=True, metadata={
                                 "description": "The token of the e-mailed link (after "
                                                "#token=). One no link has, one used "
                                                "already or one expired: 422 link_invalid, "
                                                "link_used or link_expired."})
    password = ma.fields.String(required=True, validate=PASSWORD, load_only=True)


OrganisationPageSchema = page_schema(OrganisationSchema, "OrganisationPageSchema")
UserPageSchema = page_schema(UserSchema, "UserPageSchema")
