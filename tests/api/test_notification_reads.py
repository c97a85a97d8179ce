"""Over HTTP: a user marks their notifications read, counts the unread ones and lists only
those; other people's notices are never touched, never revealed."""

from __future__ import annotations

import pytest

from service.notifications.models import Notification

from .openapi_document import assert_documented
from .problems import assert_problem

LIST = "/api/v1/me/notifications"
READ = "/api/v1/me/notifications/read"


@pytest.fixture
def notices(session, world):
    """Three notices for the student (oldest first), one for the other school's student."""

    def write(role, n):
        notice = Notification(user_id=world.users[role].id, kind="confirmed",
                              reservation_id=None, subject=f"Notice {n}", body="...", data={})
        session.add(notice)
        session.flush()
        return notice

    mine = [write("student", n) for n in range(3)]
    theirs = write("other_student", 9)
    session.commit()
    return {"mine": [n.id for n in mine], "theirs": theirs.id}


@pytest.fixture
def document(client):
    """The published OpenAPI document."""
    return client.get("/api/v1/openapi.json").get_json()


def _list(client, world, role="student", query=""):
    answer = client.get(f"{LIST}{query}", headers=world.headers(role))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _read(client, world, body, role="student"):
    return client.post(READ, json=body, headers=world.headers(role))


def test_new_notices_are_unread_and_counted(client, world, notices):
    listed = _list(client, world)
    assert listed["unread"] == 3
    assert [n["read_at"] for n in listed["items"]] == [None, None, None]


def test_marking_some_read_answers_the_unread_left_and_stamps_them(client, world, notices,
                                                                   document):
    first, second, third = notices["mine"]
    answer = _read(client, world, {"ids": [first, third]})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"unread": 1}
    assert_documented(document, "POST", "/me/notifications/read", answer)
    read = {n["id"]: n["read_at"] for n in _list(client, world)["items"]}
    assert read[second] is None
    assert read[first] and read[third]


def test_the_unread_filter_lists_only_unread_while_the_count_ignores_filters(
        client, world, notices):
    first, second, third = notices["mine"]
    _read(client, world, {"ids": [second]})
    unread = _list(client, world, query="?unread=true&page_size=1&sort=-id")
    assert [n["id"] for n in unread["items"]] == [third]
    assert (unread["total"], unread["unread"]) == (2, 2)
    read = _list(client, world, query="?unread=false")
    assert [n["id"] for n in read["items"]] == [second]
    assert (read["total"], read["unread"]) == (1, 2)
    assert _list(client, world, query="?kind=reminder")["unread"] == 2


def test_marking_all_read_leaves_none_unread_and_keeps_the_first_reading_time(
        client, world, notices):
    first = notices["mine"][0]
    _read(client, world, {"ids": [first]})
    stamped = next(n["read_at"] for n in _list(client, world)["items"] if n["id"] == first)
    answer = _read(client, world, {"all": True})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"unread": 0}
    items = _list(client, world)["items"]
    assert all(n["read_at"] for n in items)
    assert next(n["read_at"] for n in items if n["id"] == first) == stamped
    assert _list(client, world, query="?unread=true")["items"] == []


def test_someone_elses_notice_is_ignored_silently_and_stays_unread(client, world, notices):
    answer = _read(client, world, {"ids": [notices["theirs"], 2**63 - 1]})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"unread": 3}
    theirs = _list(client, world, role="other_student")
    assert theirs["unread"] == 1
    assert [n["read_at"] for n in theirs["items"]] == [None]


def test_marking_all_read_touches_only_the_callers_notices(client, world, notices):
    assert _read(client, world, {"all": True}).get_json() == {"unread": 0}
    assert _list(client, world, role="other_student")["unread"] == 1


@pytest.mark.parametrize(("body", "field"), [
    ({}, "ids"),
    ({"ids": [1], "all": True}, "all"),
    ({"all": False}, "all"),
    ({"ids": []}, "ids"),
    ({"ids": [0]}, "ids"),
    ({"ids": "1"}, "ids"),
    ({"all": "yes"}, "all"),
    ({"everything": True}, "everything"),
])
def test_a_body_without_exactly_one_of_ids_and_all_is_a_422_naming_the_field(
        client, world, notices, document, body, field):
    answer = _read(client, world, body)
    problem = assert_problem(answer, 422, "validation_error")
    assert list(problem["errors"]) == [field], problem
    assert_documented(document, "POST", "/me/notifications/read", answer)
    assert _list(client, world)["unread"] == 3


def test_an_unsigned_caller_gets_401(client, notices, document):
    answer = client.post(READ, json={"all": True})
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert_documented(document, "POST", "/me/notifications/read", answer)


def test_the_list_answer_and_filter_are_documented(document):
    operation = document["paths"]["/api/v1/me/notifications"]["get"]
    assert "unread" in {p["name"] for p in operation["parameters"]}
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    page = document["components"]["schemas"][name]
    assert "unread" in page["required"]
    item = page["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert "read_at" in document["components"]["schemas"][item]["required"]


def test_the_document_states_exactly_one_of_ids_and_all(document):
    body = document["paths"]["/api/v1/me/notifications/read"]["post"]["requestBody"]
    name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schema = document["components"]["schemas"][name]
    assert (schema["minProperties"], schema["maxProperties"]) == (1, 1)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["all"]["enum"] == [True]
