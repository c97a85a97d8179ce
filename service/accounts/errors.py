"""Refusals of the accounts domain."""

from ..errors import Conflict, Forbidden, Invalid, NotSignedIn, TooManyRequests


class InvalidCredentials(NotSignedIn):
    code, title = "invalid_credentials", "E-mail or password is wrong"


class InvalidToken(NotSignedIn):
    code, title = "invalid_token", "The access token is not valid"


class TokenExpired(NotSignedIn):
    code, title = "token_expired", "The access token has expired"


class AccountDisabled(NotSignedIn):
    code, title = "account_disabled", "This account is disabled"


class TooManyLoginAttempts(TooManyRequests):
    code, title = "too_many_login_attempts", "Too many failed sign-ins"


class EmailTaken(Conflict):
    code, title = "email_taken", "This e-mail is already registered"


class StudentNumberTaken(Conflict):
    code, title = "student_number_taken", "This student number is already in the school"


class OrganisationNameTaken(Conflict):
    code, title = "organisation_name_taken", "An organisation with this name exists"


class RoleNotAllowed(Forbidden):
    code, title = "role_not_allowed", "Your role may not do this"


class NotYourOrganisation(Forbidden):
    code, title = "not_your_organisation", "This belongs to another organisation"


class InvalidCurrentPassword(Forbidden):
    code, title = "invalid_current_password", "The current password is wrong"


# access: the links of invitations and password resets
class LinkInvalid(Invalid):
    code, title = "link_invalid", "This link is not valid"


class LinkUsed(Invalid):
    code, title = "link_used", "This link has been used"


class LinkExpired(Invalid):
    code, title = "link_expired", "This link has expired"


class TooManyResetRequests(TooManyRequests):
    code, title = "too_many_requests", "Too many requests"


class AlreadyHasPassword(Conflict):
    code, title = "has_password", "This person has a password already"


class UserDisabled(Conflict):
    code, title = "user_disabled", "This person's account is disabled"
