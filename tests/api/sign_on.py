"""Signing on through the tests' real OpenID provider: set it up, follow the redirects."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET

CALLBACK = "http://localhost/api/v1/auth/sign-on/callback"


def settings(provider, **changes) -> dict:
    return {"issuer": provider.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            **changes}


def set_up(client, world, provider, organisation=None, role="admin", **changes):
    """The organisation's admin (or manager) points BenchShare at the provider."""
    organisation = organisation or world.school
    response = client.put(f"/api/v1/organisations/{organisation.id}/identity-provider",
                          json=settings(provider, **changes), headers=world.headers(role))
    assert response.status_code == 201, response.get_json()
    return response


def start(client, organisation) -> str:
    """The start's redirect: the provider's authorize URL."""
    response = client.get(f"/api/v1/auth/sign-on/{organisation.id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def at_provider(authorize_url: str) -> str:
    """The browser at the provider (over real HTTP): where it is sent back to."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def back_at_benchshare(client, callback_url: str):
    """The browser back at BenchShare's callback: its redirect to the completion page."""
    parts = urlsplit(callback_url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(f"{parts.path}?{parts.query}")


def outcome(response) -> dict:
    """The members of the completion page's fragment."""
    assert response.status_code == 302, response.get_data(as_text=True)
    location = urlsplit(response.headers["Location"])
    assert location.path == "/signin/complete"
    assert not location.query  # the token travels only in the fragment
    return {key: values[0] for key, values in parse_qs(location.fragment).items()}


def sign_on(client, organisation) -> dict:
    """The whole round trip; the completion page's members."""
    return outcome(back_at_benchshare(client, at_provider(start(client, organisation))))
