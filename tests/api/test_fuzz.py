"""Schemathesis over the whole OpenAPI document as each role: no 5xx, no off-schema reply.

Every endpoint added to the API is fuzzed here too. FUZZ_EXAMPLES bounds examples per operation.
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
# Examples per operation, role and generation mode of the positive/negative-data run (eight
# runs over the document, so fewer each; FUZZ_MODE_EXAMPLES raises them).
MODE_EXAMPLES = int(os.environ.get("FUZZ_MODE_EXAMPLES", "6"))
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


# ---------------------------------------------------------------- positive and negative data

# A schema-valid request may still be refused (422) for a rule no JSON Schema can state; the
# document says each in the field's or the operation's description. Only these pass.
STATED_RULE_CODES = {
    "validation_error",     # with one of STATED_RULE_MESSAGES below, never a shape message
    "invalid_span",         # ends_at after starts_at (blackouts, reservations, offers)
    "invalid_timezone",     # an IANA zone name, e.g. Asia/Shanghai (training bases)
    "unknown_reservation",  # reservation_id names a reservation of yours (outcomes)
    "series_end_required",  # a series gives until or count, not both
    "idempotency_key_reused",  # the same Idempotency-Key with another body
    "not_a_school",         # an offer's school_id names a school
    "role_does_not_fit_organisation",  # a user's role is one of its organisation's kind
    "manager_is_staff",     # is_manager: enterprise staff only
}
STATED_RULE_MESSAGES = {
    "Does not exist.",          # an id in the body names no row (organisation, base, item...)
    "Not in your school.",      # an id in the body names a user outside your school
    "No such reservation.",     # reservation_id names no reservation you may see
    "Must be after from.",      # `to` after `from` (reports, availability, lists)
    "Must be after starts_at.",  # ends_at after starts_at
    "Unknown IANA time zone.",  # timezone is not in the IANA database
    "Not an active member of your school.",  # holder_id names no active member of yours
    "Must not be before starts_on.",  # a closure's ends_on
    "Give free_from and free_to together.",  # equipment filter: both or neither
    "At most 366 days after from.",  # reports: REPORTS_MAX_DAYS (366 by default)
    "Give until or count, not both.",  # series_end_required
    "Used with another request.",  # idempotency_key_reused
    "Not a school.",            # not_a_school
    "Not a role of a school.",  # role_does_not_fit_organisation, for each kind
    "Not a role of a enterprise.",
    "Not a role of a platform.",
    "Only for enterprise_staff.",  # manager_is_staff
}


def _messages(errors) -> list:
    """Every message of a problem's `errors`, however deeply its fields nest (list items)."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return [errors]


def refused_for_a_stated_rule(status: int, body) -> bool:
    if status != 422 or not isinstance(body, dict):
        return False
    messages = _messages(body.get("errors") or {})
    return (body.get("code") in STATED_RULE_CODES and bool(messages)
            and all(m in STATED_RULE_MESSAGES for m in messages))


def positive_data_accepted(ctx, response, case):
    """positive_data_acceptance, except a 422 for one of the stated rules above."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if refused_for_a_stated_rule(response.status_code, body):
        return None
    return positive_data_acceptance(ctx, response, case)


MODES = {"positive": (GenerationMode.POSITIVE, positive_data_accepted),
         "negative": (GenerationMode.NEGATIVE, negative_data_rejection)}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("role", ["admin", "student", "enterprise_staff", "operator"])
def test_valid_data_is_accepted_and_invalid_refused(api_schema, world, role, mode):
    headers = world.headers(role)
    generation_mode, data_check = MODES[mode]
    fuzzed = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue

        @given(case=operation.as_strategy(generation_mode=generation_mode))
        @settings(max_examples=MODE_EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.headers = {**(case.headers or {}), **headers}
            response = case.call()
            case.validate_response(response, checks=[*CHECKS, data_check])

        check()
        fuzzed += 1
    assert fuzzed >= 30


def test_only_the_stated_rules_pass_the_positive_check(client, world):
    """The allow-list lets through an id naming no row, and nothing a schema could say."""
    headers = world.headers("admin")
    unknown_base = client.post("/api/v1/equipment", headers=headers, json={
        "asset_tag": "T-1", "base_id": 2**62, "category_id": world.category.id, "name": "Lathe"})
    assert unknown_base.status_code == 422
    assert refused_for_a_stated_rule(422, unknown_base.get_json())
    too_big_a_page = client.get("/api/v1/equipment?page_size=101", headers=headers)
    assert too_big_a_page.status_code == 422
    assert not refused_for_a_stated_rule(422, too_big_a_page.get_json())
    both = client.get("/api/v1/reservations?page_size=101&to=1900-01-01T00:00:00Z",
                      headers=headers)
    assert both.status_code == 422
    assert not refused_for_a_stated_rule(422, both.get_json())
