"""Refusals of sign-on: problems on the API, and the codes a callback redirects with."""

from ..errors import NotFound


class ProviderNotConfigured(NotFound):
    code, title = "identity_provider_not_configured", "This organisation has no sign-on"


class SignOnRefused(Exception):
    """A sign-on that ends on the completion page with an error `code` (and, for a token
    that failed a check, the `reason`: which one)."""

    def __init__(self, code: str, reason: str | None = None):
        super().__init__(code if reason is None else f"{code}: {reason}")
        self.code = code
        self.reason = reason
