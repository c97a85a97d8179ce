"""Pure rules of sign-on: which issuers we trust to fetch from, and what claims mean."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode, urlsplit

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
# Where the browser lands after the callback; the token travels in the fragment, which no
# server (ours, a proxy, a log) ever receives.
COMPLETE_PATH = "/signin/complete"


def issuer_problem(issuer: str) -> str | None:
    """Why an issuer URL is not one we will fetch discovery from, or None. https only (the
    ID token's keys come from there), except on this machine's loopback, for trials."""
    # hostile: urlsplit keeps a space or a control character in the host ("https://a .b").
    if any(c.isspace() or ord(c) < 32 for c in issuer):
        return "Not a URL."
    try:
        parts = urlsplit(issuer)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "Not a URL."
    if not parts.hostname or parts.query or parts.fragment or parts.username is not None:
        return "An https:// URL with a host, without query, fragment or credentials."
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return None
    return "Must be an https:// URL."


def discovery_url(issuer: str) -> str:
    """OpenID Connect Discovery 1.0, section 4: the issuer plus the well-known path."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8", "surrogatepass")).hexdigest()


def language_of(value) -> str | None:
    """A person's BenchShare language from a locale claim (`zh-CN`, `zh_Hans`, `en-GB`)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return "zh-Hans" if value.strip().lower().startswith("zh") else "en"


def claim_text(claims: dict, name: str | None, most: int = 200) -> str | None:
    """A claim as one line of text: the first of a list, None when absent or not text."""
    if not name:
        return None
    value = claims.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())[:most]
    return value or None


def completion_url(**members: str) -> str:
    """The page the browser ends on, the outcome in the fragment."""
    return COMPLETE_PATH + "#" + urlencode(members)
