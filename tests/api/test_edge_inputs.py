"""Hostile inputs the fuzzer rarely produces: they are refused with a 4xx, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("raw", [
    '{"code": "ok", "name": "\\ud800"}',            # lone surrogate
    '{"code": "ok", "name": "x", "description": 1e999}',
    '{"code": "ok", "name": "' + "\\u0000" + '"}',
    '{"code": ["a"], "name": {"b": 1}}',
    'null',
    '"just a string"',
    '{"code": "ok", "name": "x"' + "}" * 5,
    '[' * 5000 + ']' * 5000,
])
def test_hostile_bodies_are_4xx(client, world, raw):
    response = client.post("/api/v1/equipment-categories", data=raw, headers={
        **world.headers("operator"), "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("query", [
    "q=%ED%A0%80",          # a UTF-8 encoded surrogate
    "page=1e3", "page_size=-0", "sort=-", "sort=--name", "base_id=1&base_id=2",
    "status=", "requires_qualification=perhaps",
])
def test_hostile_query_strings_are_4xx_or_ignored(client, world, query):
    response = client.get(f"/api/v1/equipment?{query}", headers=world.headers("student"))
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"


def test_huge_token_is_401_not_500(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer " + "x" * 10000})
    assert response.status_code == 401


def test_json_body_on_a_get_is_ignored(client, world):
    response = client.get("/api/v1/me", json={"x": 1}, headers=world.headers("student"))
    assert response.status_code == 200
