"""Looking answers up in the published OpenAPI document: declared responses, the Problem schema."""

from __future__ import annotations

import jsonschema_rs

METHODS = ("get", "post", "put", "patch", "delete")


def follow(document, node):
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def answer_doc(document, method, template, status):
    """The declared response of an operation for a status; fails if there is none."""
    responses = document["paths"][f"/api/v1{template}"][method.lower()]["responses"]
    assert str(status) in responses, (
        f"{method} {template} answered {status}, not declared: {sorted(responses)}")
    return follow(document, responses[str(status)])


def problem_validator(document):
    """A validator of the Problem schema, its nested members' schemas resolved."""
    schemas = document["components"]["schemas"]

    def inline(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(follow(document, node))
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    # OpenAPI 3.0 schemas are JSON Schema draft 4, less `nullable` (allowed as null here).
    return jsonschema_rs.Draft4Validator(nullable(inline(schemas["Problem"])),
                                         validate_formats=True)


def nullable(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema says it."""
    if isinstance(node, list):
        return [nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: nullable(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") and isinstance(node.get("type"), str):
        converted["type"] = [node["type"], "null"]
    return converted


def assert_documented(document, method, template, response, *, sent=()):
    """The answer is one the document declares for the operation: its status, its body's
    members (problems), the headers it carries, and the request headers it was sent."""
    declared = answer_doc(document, method, template, response.status_code)
    for header in ("ETag", "Location", "Retry-After", "WWW-Authenticate"):
        if header in response.headers:
            assert header in declared.get("headers", {}), (
                f"{method} {template} {response.status_code} sends {header}, undeclared")
    if response.mimetype == "application/problem+json":
        problem = response.get_json()
        schema = document["components"]["schemas"]["Problem"]
        assert set(problem) <= set(schema["properties"]), set(problem) - set(
            schema["properties"])
        problem_validator(document).validate(problem)
    operation = document["paths"][f"/api/v1{template}"][method.lower()]
    parameters = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
    assert set(sent) <= parameters, f"{method} {template} reads {set(sent) - parameters}"
    return response
