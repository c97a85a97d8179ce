"""Hostile inputs the fuzzer rarely produces: they are refused with a 4xx, never a 500."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from service.accounts.models import AccessToken
from service.http import MAX_JSON_DEPTH

from ..factories import PASSWORD


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


# ---------------------------------------------------------------- bodies past the limit

def login_padded(user, size: int) -> bytes:
    """A valid sign-in body, padded with JSON whitespace to exactly `size` bytes."""
    body = json.dumps({"email": user.email, "password": PASSWORD}).encode()
    return body + b" " * (size - len(body))


def post_chunked(client, path: str, body: bytes, **headers):
    """POST `body` as gunicorn hands a chunked request to the app: no length, input terminated."""
    return client.post(path, input_stream=io.BytesIO(body), headers={
        "Content-Type": "application/json", "Transfer-Encoding": "chunked", **headers},
        environ_overrides={"wsgi.input_terminated": True})


def tokens_issued(session) -> int:
    return session.scalar(select(func.count()).select_from(AccessToken))


def assert_too_large(response):
    assert response.status_code == 413, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "payload_too_large" and body["status"] == 413
    assert "access_token" not in body


def test_chunked_login_padded_with_2_mib_of_spaces_is_413_and_issues_no_token(
        client, session, world):
    before = tokens_issued(session)
    response = post_chunked(client, "/api/v1/auth/token",
                            login_padded(world.users["student"], 2 * 1024 * 1024))
    assert_too_large(response)
    assert tokens_issued(session) == before


def test_chunked_garbage_past_the_limit_is_413_not_400(client, app):
    response = post_chunked(client, "/api/v1/auth/token",
                            b"\xff" * (app.config["MAX_CONTENT_LENGTH"] * 2))
    assert_too_large(response)


def test_chunked_body_one_byte_past_the_limit_is_413(client, app, world):
    response = post_chunked(client, "/api/v1/auth/token",
                            login_padded(world.users["student"],
                                         app.config["MAX_CONTENT_LENGTH"] + 1))
    assert_too_large(response)


def test_chunked_body_of_exactly_the_limit_still_signs_in(client, app, world):
    response = post_chunked(client, "/api/v1/auth/token",
                            login_padded(world.users["student"], app.config["MAX_CONTENT_LENGTH"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["token_type"] == "Bearer"


def test_small_chunked_body_is_read_like_any_other(client, world):
    response = post_chunked(client, "/api/v1/auth/token", login_padded(world.users["student"], 0))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["access_token"]


def test_login_padded_past_the_limit_with_a_content_length_is_413_and_issues_no_token(
        client, session, world):
    before = tokens_issued(session)
    response = client.post("/api/v1/auth/token", headers={"Content-Type": "application/json"},
                           data=login_padded(world.users["student"], 2 * 1024 * 1024))
    assert_too_large(response)
    assert tokens_issued(session) == before


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_body_is_413_even_where_the_view_reads_no_body(client, app, world, chunked):
    big = b" " * (app.config["MAX_CONTENT_LENGTH"] + 1)
    headers = {**world.headers("student"), "Content-Type": "application/json"}
    if chunked:
        response = client.delete("/api/v1/auth/token", input_stream=io.BytesIO(big),
                                 headers={**headers, "Transfer-Encoding": "chunked"},
                                 environ_overrides={"wsgi.input_terminated": True})
    else:
        response = client.delete("/api/v1/auth/token", data=big, headers=headers)
    assert_too_large(response)
    assert client.get("/api/v1/me", headers=world.headers("student")).status_code == 200


# ---------------------------------------------------------------- JSON nested too deep

def nested_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def category_named(inner: str) -> str:
    """A category body whose name is `inner`: one level more than `inner` itself."""
    return '{"code": "deep", "name": ' + inner + "}"


def send_json(client, world, method: str, raw: str):
    # Categories are the operators'; the base is the school admin's.
    url, role = (("/api/v1/equipment-categories", "operator") if method == "post"
                 else (f"/api/v1/training-bases/{world.base.id}", "admin"))
    return getattr(client, method)(url, data=raw, headers={
        **world.headers(role), "Content-Type": "application/json"})


def assert_malformed_json(response):
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "malformed_json" and body["status"] == 400
    assert body["errors"] == {"_json": [f"Nested deeper than {MAX_JSON_DEPTH} levels."]}


DEEP_BODIES = {
    "1,000 lists": nested_lists(1000),
    "100,000 objects": nested_objects(100_000),
    # Python's json parses these; the depth limit, not the interpreter's stack, decides.
    "500 lists in a field": category_named(nested_lists(500)),
    "500 objects in a field": category_named(nested_objects(500)),
    "one level past the limit": category_named(nested_lists(MAX_JSON_DEPTH)),
}


@pytest.mark.parametrize("raw", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
@pytest.mark.parametrize("method", ["post", "patch"])
def test_json_nested_too_deep_is_400_malformed_json_not_a_missing_body(
        client, world, method, raw):
    assert_malformed_json(send_json(client, world, method, raw))


def test_deep_json_leaves_the_record_unchanged(client, world):
    before = client.get(f"/api/v1/training-bases/{world.base.id}", headers=world.headers("admin"))
    assert_malformed_json(send_json(client, world, "patch", nested_objects(100_000)))
    after = client.get(f"/api/v1/training-bases/{world.base.id}", headers=world.headers("admin"))
    assert after.headers["ETag"] == before.headers["ETag"]


def test_json_at_the_depth_limit_is_parsed_and_validated_like_any_body(client, world):
    response = send_json(client, world, "post", category_named(nested_lists(MAX_JSON_DEPTH - 1)))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "validation_error" and list(body["errors"]) == ["name"]


def test_a_fraction_where_a_whole_number_belongs_is_422_not_truncated(client, world):
    """Found by our review: 2.5 hours was stored as 2, and equipment 1.5 read as 1."""
    response = client.post("/api/v1/reservations", headers=world.headers("student"), json={
        "equipment_id": world.equipment.id + 0.5, "starts_at": "2030-01-07T09:00:00+08:00",
        "ends_at": "2030-01-07T10:00:00+08:00"})
    body = response.get_json()
    assert (response.status_code, body["code"]) == (422, "validation_error")
    assert body["errors"] == {"equipment_id": ["Not a valid integer."]}
    whole = client.post("/api/v1/reservations", headers=world.headers("student"), json={
        "equipment_id": float(world.equipment.id), "starts_at": "2030-01-07T09:00:00+08:00",
        "ends_at": "2030-01-07T10:00:00+08:00"})
    assert "equipment_id" not in (whole.get_json().get("errors") or {})  # 3.0 is still 3


@pytest.mark.parametrize("path", [
    "/api/v1/equipment/9223372036854775808", "/api/v1/users/99999999999999999999",
    "/api/v1/offers/9223372036854775808/history", "/api/v1/reservations/18446744073709551616"])
def test_an_id_beyond_bigint_is_404_like_any_missing_one(client, world, path):
    response = client.get(path, headers=world.headers("admin"))
    body = response.get_json()
    assert (response.status_code, body["code"]) == (404, "not_found"), body
    assert response.mimetype == "application/problem+json"


def test_the_largest_bigint_id_is_an_ordinary_missing_one(client, world):
    response = client.get("/api/v1/equipment/9223372036854775807",
                          headers=world.headers("admin"))
    assert (response.status_code, response.get_json()["code"]) == (404, "not_found")
