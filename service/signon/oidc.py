"""The OpenID Connect client: discovery and keys fetched over HTTP and cached, the authorization
URL (PKCE S256, state, nonce), the code exchanged, the ID token checked (authlib, joserfc)."""

from __future__ import annotations

import threading
import time

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError
from joserfc.jwk import KeySet

from .errors import SignOnRefused
from .rules import discovery_url

TIMEOUT_SECONDS = 10
CACHE_SECONDS = 3600
# Keys are fetched again for an unknown key id (the provider rotated), at most this often.
KEYS_REFETCH_SECONDS = 60
LEEWAY_SECONDS = 60
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
SCOPE = "openid email profile"

_lock = threading.Lock()
_discovery: dict[str, tuple[float, dict]] = {}
_keys: dict[str, tuple[float, KeySet]] = {}


def _get_json(url: str) -> dict:
    try:
        answer = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
        answer.raise_for_status()
        document = answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignOnRefused("sign_on_provider_unavailable", type(exc).__name__) from exc
    if not isinstance(document, dict):
        raise SignOnRefused("sign_on_provider_unavailable", "not_an_object")
    return document


def discover(issuer: str) -> dict:
    """The provider's metadata, cached for an hour; its issuer must be the configured one."""
    now = time.monotonic()
    with _lock:
        cached = _discovery.get(issuer)
    if cached and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    document = _get_json(discovery_url(issuer))
    endpoints = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    if document.get("issuer") != issuer or not all(
            isinstance(document.get(name), str) for name in endpoints):
        raise SignOnRefused("sign_on_provider_unavailable", "discovery_mismatch")
    with _lock:
        _discovery[issuer] = (now, document)
    return document


def _key_set(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    now = time.monotonic()
    with _lock:
        cached = _keys.get(jwks_uri)
    if cached and (now - cached[0] < (KEYS_REFETCH_SECONDS if fresh else CACHE_SECONDS)):
        return cached[1]
    try:
        keys = KeySet.import_key_set(_get_json(jwks_uri))
    except (ValueError, KeyError, TypeError, JoseError) as exc:
        raise SignOnRefused("sign_on_provider_unavailable", "bad_keys") from exc
    with _lock:
        _keys[jwks_uri] = (now, keys)
    return keys


def forget_cache() -> None:
    """Drop what was fetched (tests start providers on new ports)."""
    with _lock:
        _discovery.clear()
        _keys.clear()


def _session(metadata: dict, client_id: str, client_secret: str,
             redirect_uri: str) -> OAuth2Session:
    # HTTP Basic unless the provider says it takes only the secret in the form (OIDC
    # Discovery: the default when it says nothing is client_secret_basic).
    methods = metadata.get("token_endpoint_auth_methods_supported") or []
    method = "client_secret_post" if (
        "client_secret_basic" not in methods and "client_secret_post" in methods) \
        else "client_secret_basic"
    return OAuth2Session(client_id, client_secret, scope=SCOPE, redirect_uri=redirect_uri,
                         code_challenge_method="S256", token_endpoint_auth_method=method)


def authorization_url(metadata: dict, *, client_id: str, client_secret: str,
                      redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
    with _session(metadata, client_id, client_secret, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], state=state, nonce=nonce,
            code_verifier=code_verifier)
    return url


def exchange_code(metadata: dict, *, client_id: str, client_secret: str, redirect_uri: str,
                  code: str, code_verifier: str) -> str:
    """The ID token the provider gives for the code (with our secret and PKCE verifier)."""
    with _session(metadata, client_id, client_secret, redirect_uri) as client:
        try:
            token = client.fetch_token(metadata["token_endpoint"], code=code,
                                       code_verifier=code_verifier, timeout=TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 - the provider's refusal or its absence
            # authlib raises its OAuthError for a refusal, requests' errors for no answer,
            # ValueError for a body that is not JSON: each one is "the provider said no".
            raise SignOnRefused("sign_on_failed", "token_endpoint") from exc
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignOnRefused("sign_on_failed", "no_id_token")
    return id_token


def verify_id_token(id_token: str, *, metadata: dict, issuer: str, client_id: str,
                    nonce: str) -> dict:
    """The ID token's claims once its signature, iss, aud, exp and nonce hold
    (OpenID Connect Core 1.0, section 3.1.3.7)."""
    decoded = None
    for fresh in (False, True):
        try:
            decoded = jwt.decode(id_token, _key_set(metadata["jwks_uri"], fresh=fresh),
                                 algorithms=ALGORITHMS)
            break
        except ValueError as exc:  # no key with the token's kid: the provider may have rotated
            if fresh:
                raise SignOnRefused("sign_on_token_invalid", "signature") from exc
        except JoseError as exc:
            raise SignOnRefused("sign_on_token_invalid", "signature") from exc
    claims = decoded.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        nonce={"essential": True, "value": nonce})
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise SignOnRefused("sign_on_token_invalid", "exp") from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        raise SignOnRefused("sign_on_token_invalid", getattr(exc, "claim", "claims")) from exc
    except JoseError as exc:
        raise SignOnRefused("sign_on_token_invalid", "claims") from exc
    # With several audiences, azp must name us (Core 3.1.3.7, items 4 and 5).
    if isinstance(claims.get("aud"), list) and len(claims["aud"]) > 1 \
            and claims.get("azp") != client_id:
        raise SignOnRefused("sign_on_token_invalid", "azp")
    return claims
