"""The OpenAPI document tells a client every answer it can get: each refusal's status, its
extension members, the headers read and sent, the feed's text/calendar, the rules a request
must keep (issue 10, sections 2 and 4). Real refusals are provoked over HTTP and looked up
in /api/v1/openapi.json."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from .bookings import body, post, tomorrow
from .openapi_document import (
    METHODS,
    answer_doc,
    assert_documented,
)
from .outcomes import lesson
from .outcomes import post as post_outcome
from .problems import assert_problem

BIGINT_MAX = 2**63 - 1


@pytest.fixture
def document(client):
    """The published OpenAPI document."""
    return client.get("/api/v1/openapi.json").get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


# ---------------------------------------------------------------- refusals provoked

def test_a_student_on_an_operators_route_gets_a_declared_403(client, document, world):
    response = client.post("/api/v1/equipment-categories", json={"code": "x", "name": "X"},
                           headers=world.headers("student"))
    assert_problem(response, 403, "role_not_allowed")
    assert_documented(document, "POST", "/equipment-categories", response)


def test_a_taken_slot_is_a_declared_409_with_its_conflicting_span(
        client, document, world, item):
    assert post(client, world, "instructor", body(item)).status_code == 201
    response = post(client, world, "admin", body(item, start=tomorrow(10, 30)))
    problem = assert_problem(response, 409, "reservation_conflict")
    assert {"starts_at", "ends_at", "blocked_until", "reservation_id"} <= set(
        problem["conflicting_span"])
    assert_documented(document, "POST", "/reservations", response)


def test_a_stale_if_match_on_a_patch_is_a_declared_412_with_current_etag(
        client, document, world):
    response = client.patch(f"/api/v1/equipment/{world.equipment.id}", json={"name": "N"},
                            headers={**world.headers("admin"), "If-Match": '"999"'})
    assert assert_problem(response, 412, "stale_etag")["current_etag"]
    assert_documented(document, "PATCH", "/equipment/{equipment_id}", response,
                      sent=["If-Match"])


def test_a_stale_if_match_on_a_read_is_a_declared_412(client, document, world):
    response = client.get(f"/api/v1/training-bases/{world.base.id}",
                          headers={**world.headers("student"), "If-Match": '"999"'})
    assert assert_problem(response, 412, "precondition_failed")["current_etag"]
    assert_documented(document, "GET", "/training-bases/{base_id}", response,
                      sent=["If-Match"])


def test_if_none_match_is_declared_with_its_304(client, document, world):
    url = f"/api/v1/equipment/{world.equipment.id}"
    tag = client.get(url, headers=world.headers("student")).headers["ETag"]
    response = client.get(url, headers={**world.headers("student"), "If-None-Match": tag})
    assert response.status_code == 304
    assert_documented(document, "GET", "/equipment/{equipment_id}", response,
                      sent=["If-None-Match"])


def test_a_garbled_if_match_on_a_lifecycle_step_is_a_declared_400(
        client, document, world, item):
    booked = post(client, world, "student", body(item)).get_json()
    response = client.post(f"/api/v1/reservations/{booked['id']}/cancel",
                           headers={**world.headers("student"), "If-Match": "v1"})
    assert_problem(response, 400, "invalid_header")
    assert_documented(document, "POST", "/reservations/{reservation_id}/cancel", response,
                      sent=["If-Match"])


def test_ids_out_of_range_are_declared_404s(client, document, world):
    for id_ in (0, BIGINT_MAX + 1, 10**30):
        response = client.get(f"/api/v1/equipment/{id_}", headers=world.headers("student"))
        assert_problem(response, 404, "not_found")
        assert_documented(document, "GET", "/equipment/{equipment_id}", response)


def test_no_token_is_a_declared_401_with_its_challenge(client, document):
    response = client.get("/api/v1/reservations")
    assert_problem(response, 401, "not_authenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert_documented(document, "GET", "/reservations", response)


def test_body_refusals_are_declared(client, document, world, item):
    url = "/api/v1/reservations"
    not_json = client.post(url, data="x", content_type="text/plain",
                           headers=world.headers("student"))
    assert_problem(not_json, 415, "unsupported_media_type")
    malformed = client.post(url, data="{", content_type="application/json",
                            headers=world.headers("student"))
    assert_problem(malformed, 400, "malformed_json")
    invalid = post(client, world, "student", {**body(item), "colour": "red"})
    assert_problem(invalid, 422, "validation_error")
    for response in (not_json, malformed, invalid):
        assert_documented(document, "POST", "/reservations", response)


def test_a_blackout_over_bookings_is_a_declared_409_listing_them(
        client, document, world, item):
    booked = post(client, world, "student", body(item)).get_json()
    response = client.post(f"/api/v1/equipment/{item.id}/blackouts", json={
        "starts_at": booked["starts_at"], "ends_at": booked["ends_at"], "reason": "Service"},
        headers=world.headers("admin"))
    problem = assert_problem(response, 409, "blackout_conflict")
    assert [r["reservation_id"] for r in problem["conflicting_reservations"]] == [booked["id"]]
    assert_documented(document, "POST", "/equipment/{equipment_id}/blackouts", response)


def test_a_second_grant_is_a_declared_409_naming_the_existing_one(client, document, world):
    grant = {"user_id": world.users["student"].id, "category_id": world.category.id}
    first = client.post("/api/v1/qualifications", json=grant,
                        headers=world.headers("instructor"))
    assert first.status_code == 201
    assert_documented(document, "POST", "/qualifications", first)
    again = client.post("/api/v1/qualifications", json=grant,
                        headers=world.headers("instructor"))
    assert assert_problem(again, 409, "qualification_exists")["existing_id"] == \
        first.get_json()["id"]
    assert_documented(document, "POST", "/qualifications", again)


def test_a_series_that_cannot_be_booked_is_a_declared_409_listing_what_was_skipped(
        client, document, world, item):
    start = tomorrow(10)
    assert post(client, world, "student", body(item, start=start)).status_code == 201
    response = client.post("/api/v1/series", headers=world.headers("instructor"), json={
        "equipment_id": item.id, "weekdays": [start.isoweekday()], "start_time": "10:00",
        "duration_minutes": 60, "starts_on": start.date().isoformat(), "count": 2})
    problem = assert_problem(response, 409, "series_conflict")
    assert problem["skipped"][0]["code"] == "reservation_conflict"
    assert_documented(document, "POST", "/series", response)


def test_a_quota_refusal_is_declared_with_its_quota_and_limit(
        client, document, world, item):
    school = world.school.id
    response = client.put(f"/api/v1/organisations/{school}/quotas/student",
                          json={"weekly_hours": None, "active_reservations": 1},
                          headers=world.headers("admin"))
    assert_documented(document, "PUT", "/organisations/{organisation_id}/quotas/{role}",
                      response)
    first = post(client, world, "student", body(item))
    assert first.status_code == 201
    refused = post(client, world, "student", body(item, start=tomorrow(14)))
    problem = assert_problem(refused, 409, "quota_exceeded")
    assert (problem["quota"], problem["limit"]) == ("active_reservations", 1)
    # Free again when the active reservation ends, said in the item's zone.
    assert (problem["frees_at"], problem["timezone"]) == (
        first.get_json()["ends_at"], "Asia/Shanghai")
    assert_documented(document, "POST", "/reservations", refused)


def test_repeated_failed_sign_ins_are_a_declared_429_with_retry_after(
        client, document, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 1)
    email = world.users["student"].email
    answers = [client.post("/api/v1/auth/token", json={"email": email, "password": "wrong"})
               for _ in range(3)]
    assert answers[0].status_code == 401
    assert_problem(answers[-1], 429, "too_many_login_attempts")
    assert int(answers[-1].headers["Retry-After"]) >= 1
    for response in answers:
        assert_documented(document, "POST", "/auth/token", response)


def test_idempotent_posts_declare_the_key_and_answer_as_declared(
        client, document, world, item):
    response = post(client, world, "student", body(item), **{"Idempotency-Key": "k-1"})
    assert response.status_code == 201
    assert_documented(document, "POST", "/reservations", response, sent=["Idempotency-Key"])
    garbled = post(client, world, "student", body(item), **{"Idempotency-Key": "no spaces"})
    assert garbled.status_code == 400
    assert_documented(document, "POST", "/reservations", garbled, sent=["Idempotency-Key"])


def test_a_201_that_sends_location_declares_it(client, document, world, make, session):
    lesson(make, world, session)
    response = post_outcome(client, world)
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"].endswith(f"/outcomes/{response.get_json()['id']}")
    assert_documented(document, "POST", "/outcomes", response)


# ---------------------------------------------------------------- the whole document

def test_every_operation_declares_404_for_its_path_ids_and_401_403_when_signed_in(document):
    checked = 0
    for path, method, operation in operations(document):
        responses = set(operation["responses"])
        assert "default" not in responses, f"{method} {path}: declare statuses, not default"
        assert "503" in responses, f"{method} {path}"
        if "{" in path:
            assert "404" in responses, f"{method} {path}"
        if operation.get("security") != []:
            assert {"401", "403"} <= responses, f"{method} {path}"
        if method in ("post", "put", "patch"):
            assert {"400", "413", "415", "422"} <= responses, f"{method} {path}"
        checked += 1
    assert checked >= 80


def test_path_ids_state_their_range_and_that_others_answer_404(document):
    ids = 0
    for path, item in document["paths"].items():
        for parameter in item.get("parameters", []):
            if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                schema = parameter["schema"]
                assert (schema["minimum"], schema["maximum"]) == (1, BIGINT_MAX), path
                assert "404" in schema["description"], path
                ids += 1
    assert ids >= 30


def test_writes_that_honour_if_match_declare_it_and_their_412(document):
    """Every operation declaring If-Match declares the 412 it leads to, and its ETag."""
    honouring = 0
    for path, method, operation in operations(document):
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if "If-Match" in headers:
            honouring += 1
            assert "412" in operation["responses"], f"{method} {path}"
        if "If-None-Match" in headers:
            assert "304" in operation["responses"], f"{method} {path}"
    assert honouring >= 30


ROLES = ("admin", "operator", "manager", "enterprise_staff", "instructor", "student")


def test_if_match_is_declared_exactly_where_the_service_reads_it(client, document, world):
    """A garbled If-Match is refused (400 invalid_header) by every operation that reads the
    header, before anything else: each that refuses it declares it, and each declaring it
    refuses it."""
    checked = 0
    for path, method, operation in operations(document):
        if method == "get" or operation.get("security") == [] or path == "/api/v1/auth/token":
            continue
        url = re.sub(r"\{\w+\}", "1", path).replace("/quotas/1", "/quotas/student")
        for role in ROLES:  # the first role the operation does not refuse outright
            response = client.open(url, method=method.upper(), json={} if method in (
                "patch", "put") else None, headers={**world.headers(role), "If-Match": "v1"})
            if response.status_code != 403:
                break
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if response.status_code == 422:
            # The body is refused first (creations): nothing learnt, so nothing declared.
            assert "If-Match" not in headers, (method, path)
            continue
        reads = response.status_code == 400 and response.get_json()["code"] == "invalid_header"
        assert reads == ("If-Match" in headers), (method, path, response.get_json())
        assert_documented(document, method, path.removeprefix("/api/v1"), response)
        checked += 1
    assert checked >= 25


def test_etag_is_declared_exactly_on_the_reads_that_send_it(client, document, world):
    ids = {"equipment_id": world.equipment.id, "base_id": world.base.id,
           "category_id": world.category.id, "organisation_id": world.school.id,
           "user_id": world.users["student"].id}
    checked = 0
    for path, method, _ in operations(document):
        names = re.findall(r"\{(\w+)\}", path)
        if method != "get" or not set(names) <= set(ids):
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        response = client.get(url, query_string={"year": 2027} if "contribution" in path
                              else {}, headers=world.headers("admin"))
        if response.status_code != 200:
            continue
        declared = "ETag" in answer_doc(document, "GET", path.removeprefix("/api/v1"),
                                        200).get("headers", {})
        assert ("ETag" in response.headers) == declared, path
        checked += 1
    assert checked >= 5


def test_the_feed_is_declared_as_text_calendar_and_answers_so(client, document, world):
    response = client.get("/api/v1/me/calendar.ics", headers=world.headers("student"))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    declared = answer_doc(document, "GET", "/me/calendar.ics", 200)
    assert list(declared["content"]) == ["text/calendar"]
    unknown_key = client.get("/api/v1/me/calendar.ics?key=not-a-real-key")
    assert_documented(document, "GET", "/me/calendar.ics", unknown_key)


# ---------------------------------------------------------------- the rules, stated

def list_operations_with_sort(document):
    for path, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "sort" and parameter["in"] == "query":
                yield path, parameter["schema"]["enum"]


@pytest.mark.slow
def test_every_sort_parameter_is_an_enum_of_what_the_service_accepts(client, document, world):
    lists = list(list_operations_with_sort(document))
    assert len(lists) >= 12
    ids = {"base_id": world.base.id, "equipment_id": world.equipment.id}
    for path, values in lists:
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        # a report's days are required
        days = {"from": "2026-01-05", "to": "2026-01-12"} if "/reports/res" in path else {}
        for value in values:
            response = client.get(url, query_string={"sort": value, **days},
                                  headers=world.headers("admin"))
            assert response.status_code in (200, 403), (path, value, response.get_json())
        refused = client.get(url, query_string={"sort": "no_such_field", **days},
                             headers=world.headers("admin"))
        if refused.status_code != 403:
            assert "sort" in assert_problem(refused, 422, "validation_error")["errors"], path


SPAN_CALLERS = {"/organisations/{organisation_id}/impact": "manager",
                "/equipment/{equipment_id}/availability": "student"}


def test_a_to_not_after_from_is_refused_where_the_document_says_so(client, document, world):
    ids = {"organisation_id": world.enterprise.id, "equipment_id": world.equipment.id,
           "class_id": 1}
    stated = 0
    for path, method, operation in operations(document):
        query = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        if "after from" not in query.get("to", {}).get("description", "").lower():
            continue
        stated += 1
        template = path.removeprefix("/api/v1")
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        instant = query["to"]["schema"].get("format") == "date-time"
        day = (datetime.now().astimezone() + timedelta(days=1)).replace(
            minute=0, second=0, microsecond=0).isoformat() if instant else date(
            2027, 3, 1).isoformat()
        response = client.get(url, query_string={"from": day, "to": day},
                              headers=world.headers(SPAN_CALLERS.get(template, "operator")))
        assert response.status_code == 422, (path, response.get_json())
        assert "to" in response.get_json()["errors"], path
        assert_documented(document, method, template, response)
    assert stated >= 8


def test_quota_roles_are_an_enum_and_another_role_is_a_declared_404(client, document, world):
    template = "/organisations/{organisation_id}/quotas/{role}"
    role = next(p for p in document["paths"][f"/api/v1{template}"]["parameters"]
                if p["name"] == "role")
    url = f"/api/v1/organisations/{world.school.id}/quotas"
    quota = {"weekly_hours": 4, "active_reservations": None}
    for value in role["schema"]["enum"]:
        # A school's admin sets its roles' quotas; an enterprise's manager its staff's.
        org, actor = ((world.enterprise, "manager") if value == "enterprise_staff"
                      else (world.school, "admin"))
        response = client.put(f"/api/v1/organisations/{org.id}/quotas/{value}", json=quota,
                              headers=world.headers(actor))
        assert response.status_code == 200, response.get_json()
    other = client.put(f"{url}/operator", json=quota, headers=world.headers("admin"))
    assert_problem(other, 404, "not_found")
    assert_documented(document, "PUT", template, other)


def test_instants_and_years_state_their_range(document):
    availability = document["paths"]["/api/v1/equipment/{equipment_id}/availability"]["get"]
    start = next(p for p in availability["parameters"] if p["name"] == "from")
    assert "1970 to 2199" in start["description"]
    contribution = document["paths"]["/api/v1/organisations/{organisation_id}/contribution"]
    year = next(p for p in contribution["get"]["parameters"] if p["name"] == "year")
    assert (year["schema"]["minimum"], year["schema"]["maximum"]) == (1970, 2199)
