"""Every failure is problem+json with a stable code and the field at fault; never a 500."""

from __future__ import annotations

import pytest

from .problems import assert_problem


def test_unknown_route_is_404_problem(client):
    assert_problem(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_405_with_allow_header(client, world):
    response = client.put("/api/v1/equipment", headers=world.headers("admin"), json={})
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400(client, world):
    response = client.post("/api/v1/equipment", data="{not json", headers={
        **world.headers("admin"), "Content-Type": "application/json"})
    assert_problem(response, 400, "malformed_json")


def test_body_that_is_not_json_is_415_naming_content_type(client, world):
    response = client.post("/api/v1/equipment", data="name=x", headers={
        **world.headers("admin"), "Content-Type": "application/x-www-form-urlencoded"})
    body = assert_problem(response, 415, "unsupported_media_type")
    assert "Content-Type" in body["errors"]


def test_oversized_body_is_413(app, client, world):
    big = '{"name": "' + "x" * (app.config["MAX_CONTENT_LENGTH"] + 10) + '"}'
    response = client.post("/api/v1/equipment", data=big, headers={
        **world.headers("admin"), "Content-Type": "application/json"})
    assert_problem(response, 413, "payload_too_large")


def test_unknown_body_field_is_422_naming_it(client, world):
    response = client.post("/api/v1/equipment-categories", headers=world.headers("operator"),
                           json={"code": "lathes", "name": "Lathes", "colour": "red"})
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"] == {"colour": ["Unknown field."]}


def test_unknown_query_parameter_is_422_naming_it(client, world):
    response = client.get("/api/v1/equipment?colour=red", headers=world.headers("student"))
    body = assert_problem(response, 422, "validation_error")
    assert "colour" in body["errors"]


@pytest.mark.parametrize("query, field", [
    ("page=0", "page"),
    ("page_size=101", "page_size"),
    ("page=abc", "page"),
    ("sort=password_hash", "sort"),
    ("status=broken", "status"),
    ("base_id=-1", "base_id"),
    ("base_id=99999999999999999999999", "base_id"),
])
def test_bad_query_values_are_422_naming_the_parameter(client, world, query, field):
    response = client.get(f"/api/v1/equipment?{query}", headers=world.headers("student"))
    body = assert_problem(response, 422, "validation_error")
    assert field in body["errors"]


def test_naive_timestamp_is_422(client, world):
    response = client.post("/api/v1/qualifications", headers=world.headers("instructor"), json={
        "user_id": world.users["student"].id, "category_id": world.category.id,
        "expires_at": "2030-01-01T09:00:00"})
    body = assert_problem(response, 422, "validation_error")
    assert "expires_at" in body["errors"]


def test_text_with_nul_byte_is_refused_not_a_500(client, world):
    response = client.get("/api/v1/equipment?q=a%00b", headers=world.headers("student"))
    body = assert_problem(response, 422, "validation_error")
    assert "q" in body["errors"]


def test_json_array_instead_of_object_is_422(client, world):
    response = client.post("/api/v1/equipment-categories", headers=world.headers("operator"),
                           json=[1, 2])
    assert_problem(response, 422, "validation_error")


def test_request_id_is_echoed_or_generated(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["X-Request-ID"] != "bad id with spaces"
    assert len(generated.headers["X-Request-ID"]) == 32
