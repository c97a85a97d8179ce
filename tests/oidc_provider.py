"""A real OpenID provider for the tests: authlib's server side in a small Flask app, served
over HTTP by werkzeug in a thread, signing ID tokens with RS256 (joserfc).

It has discovery, JWKS, an authorize endpoint that consents at once for its configured user
(no login page: the tests are about BenchShare's side) and a token endpoint, with PKCE
required. It misbehaves on demand: `provider.misbehave(iss=..., aud=..., expired=True,
nonce=..., forged=True, discovery_issuer=...)` changes what it answers next;
`provider.behave()` restores it.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server

CLIENT_ID = "benchshare"
CLIENT_SECRET = "s3cret-of-the-test-provider"


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    auth_methods: tuple[str, ...] = ("client_secret_basic", "client_secret_post")

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in self.auth_methods

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    subject: dict
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class Provider:
    """The provider's state: its key, client, signed-in person, codes and misbehaviour."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
        self.codes: dict[str, Code] = {}
        self.person: dict = {}
        self.client = Client(CLIENT_ID, CLIENT_SECRET, [])
        self.faults: dict = {}
        self.issuer = ""
        self.last_nonce: str | None = None
        self.token_requests = 0

    def sign_in_as(self, email: str, **claims) -> None:
        """Who the provider says is at the keyboard next (the `sub` is derived from the e-mail)."""
        self.person = {"sub": "sub-" + email, "email": email, "email_verified": True,
                       "name": email.split("@")[0].title(), **claims}

    def misbehave(self, **faults) -> None:
        self.faults = faults

    def behave(self) -> None:
        self.faults = {}
        self.client.auth_methods = Client.auth_methods

    def take_secret_only_in_the_form(self) -> None:
        """As some providers do: client_secret_post only (and say so in discovery)."""
        self.client.auth_methods = ("client_secret_post",)


def _app(provider: Provider) -> Flask:
    app = Flask("test_oidc_provider")

    class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, req):
            payload = req.payload
            provider.codes[code] = Code(
                code=code, client_id=req.client.client_id, redirect_uri=payload.redirect_uri,
                scope=req.scope, subject=dict(provider.person),
                nonce=payload.data.get("nonce"),
                code_challenge=payload.data.get("code_challenge"),
                code_challenge_method=payload.data.get("code_challenge_method"))
            provider.last_nonce = payload.data.get("nonce")

        def query_authorization_code(self, code, client):
            item = provider.codes.get(code)
            return item if item and item.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code):
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.subject

    class MisbehavingOpenIDCode(OpenIDCode):
        def exists_nonce(self, nonce, req):
            return False

        def resolve_client_private_key(self, client):
            # A forger's key under the provider's key id: the signature must give it away.
            if provider.faults.get("forged"):
                return KeySet([RSAKey.generate_key(2048, parameters={"kid": provider.key.kid})])
            return KeySet([provider.key])

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": provider.key.kid}

        def get_client_claims(self, client):
            faults, now = provider.faults, int(time.time())
            exp = now - 600 if faults.get("expired") else now + 300
            return {"iss": faults.get("iss", provider.issuer),
                    "aud": faults.get("aud", client.get_client_id()),
                    "iat": now - 900 if faults.get("expired") else now, "exp": exp}

        def get_authorization_code_claims(self, authorization_code):
            claims = super().get_authorization_code_claims(authorization_code)
            if "nonce" in provider.faults:
                claims["nonce"] = provider.faults["nonce"]
            return claims

        def generate_user_info(self, user, scope):
            return UserInfo(**user)

    server = AuthorizationServer(
        app, query_client=lambda cid: provider.client if cid == CLIENT_ID else None,
        save_token=lambda token, req: None)
    server.register_grant(AuthorizationCodeGrant,
                          [CodeChallenge(required=True), MisbehavingOpenIDCode(require_nonce=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        base = provider.issuer
        return jsonify({
            "issuer": provider.faults.get("discovery_issuer", base),
            "authorization_endpoint": base + "/authorize",
            "token_endpoint": base + "/token",
            "jwks_uri": base + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": list(provider.client.auth_methods),
        })

    @app.get("/jwks")
    def jwks():
        return jsonify(KeySet([provider.key]).as_dict(private=False))

    @app.get("/authorize")
    def authorize():
        # Consents at once for the configured person: a real provider would ask first.
        person = dict(provider.person)
        try:
            grant = server.get_consent_grant(end_user=person)
        except OAuth2Error as error:
            return jsonify(dict(error.get_body())), error.status_code
        return server.create_authorization_response(grant_user=person, grant=grant)

    @app.post("/token")
    def token():
        provider.token_requests += 1
        return server.create_token_response()

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # the tests' output is not an access log
        pass


class RunningProvider(Provider):
    """The provider served on a free loopback port until `stop()`."""

    def __init__(self):
        super().__init__()
        self._server = make_server("127.0.0.1", 0, _app(self), threaded=True,
                                   request_handler=_QuietHandler)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def allow_redirect_uri(self, uri: str) -> None:
        self.client.redirect_uris = [uri]

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)
