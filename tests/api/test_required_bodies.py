"""A body the OpenAPI document marks required is required; booleans in bodies are JSON
booleans (issue 10, finding 2)."""

from __future__ import annotations

import pytest

from .problems import assert_problem


@pytest.mark.parametrize("method, path", [
    ("patch", "/api/v1/equipment/{equipment}"),
    ("patch", "/api/v1/training-bases/{base}"),
    ("post", "/api/v1/equipment"),
    ("post", "/api/v1/reservations"),
])
def test_a_request_without_its_body_is_422_naming_the_body(client, world, method, path):
    url = path.format(equipment=world.equipment.id, base=world.base.id)
    response = getattr(client, method)(url, headers=world.headers("admin"))
    body = assert_problem(response, 422, "body_required")
    assert body["errors"] == {"_body": ["Missing."]}


def test_an_empty_json_object_is_still_a_valid_patch(client, world):
    response = client.patch(f"/api/v1/equipment/{world.equipment.id}",
                            headers=world.headers("admin"), json={})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["yes", 1, "true", 0, None, "on"])
def test_booleans_in_bodies_must_be_true_or_false(client, world, value):
    response = client.patch(f"/api/v1/equipment/{world.equipment.id}",
                            headers=world.headers("admin"),
                            json={"requires_qualification": value})
    body = assert_problem(response, 422, "validation_error")
    assert "requires_qualification" in body["errors"]


def test_the_token_endpoint_needs_no_bearer_token_in_the_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["paths"]["/api/v1/auth/token"]["post"]["security"] == []
