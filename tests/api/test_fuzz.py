"""Schemathesis over the whole OpenAPI document as each role: no 5xx, no off-schema reply.

Every endpoint added to the API is fuzzed here too. FUZZ_EXAMPLES bounds examples per operation.
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Signing out would end the token the rest of the run uses; test_auth covers it.
SKIPPED = {("DELETE", "/api/v1/auth/token")}


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_the_document_lists_every_api_route(app, api_schema):
    documented = {op.ok().path for op in api_schema.get_all_operations()}
    routed = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              and rule.endpoint != "api-docs.openapi_json"}
    assert routed == documented


@pytest.mark.parametrize("role", [
    "student", "instructor", "enterprise_staff", "manager", "admin", "operator"])
def test_no_operation_answers_a_5xx_or_off_schema(api_schema, world, role):
    headers = world.headers(role)
    fuzzed = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.headers = {**(case.headers or {}), **headers}
            response = case.call()
            case.validate_response(response, checks=CHECKS)

        check()
        fuzzed += 1
    assert fuzzed >= 30
