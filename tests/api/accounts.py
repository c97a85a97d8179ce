"""Signing in over HTTP."""

from __future__ import annotations

from ..factories import PASSWORD


def sign_in(client, email, password=PASSWORD, **kwargs):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password},
                       **kwargs)
