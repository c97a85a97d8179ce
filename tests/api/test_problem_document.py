"""The published Problem schema admits the extension members refusals carry (RFC 9457 3.2),
so a refusal such as a stale If-Match (with `current_etag`) conforms to the document
(issue 10, finding 2)."""

from __future__ import annotations


def test_a_refusal_with_extension_members_conforms_to_the_problem_schema(client, world):
    document = client.get("/api/v1/openapi.json").get_json()
    problem = document["components"]["schemas"]["Problem"]
    url = f"/api/v1/equipment/{world.equipment.id}"
    stale = client.get(url, headers={**world.headers("admin"), "If-Match": '"999"'})
    body = stale.get_json()
    assert stale.status_code == 412
    assert set(problem["required"]) <= set(body)
    # current_etag is an extension member, documented as an optional property.
    assert "current_etag" in body and "current_etag" not in problem["required"]
    assert set(body) <= set(problem["properties"])
    # The document lets such members through (it refused them before).
    assert problem["additionalProperties"] is True
