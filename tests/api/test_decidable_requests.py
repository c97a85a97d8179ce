"""Over HTTP: an approver lists exactly the requests they may decide now
(GET /reservations?decidable=true), and each one listed can be approved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .openapi_document import assert_documented

URL = "/api/v1/reservations"


@pytest.fixture
def requests(make, world, session):
    """Pending requests of every sort around the school's instructor."""
    base = make.open_base(world.school)
    press = make.equipment(base, world.category, world.school, requires_approval=True)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    hour = timedelta(hours=1)

    def pending(item, holder, start, **fields):
        reservation = make.reservation(item, world.users[holder], start, start + hour,
                                       status="pending")
        for name, value in fields.items():
            setattr(reservation, name, value)
        return reservation

    made = {
        "students": pending(press, "student", soon),
        "own": pending(press, "instructor", soon + 2 * hour),
        "started": pending(press, "student", soon - timedelta(days=3)),
        "deadline_passed": pending(press, "student", soon + 4 * hour,
                                   decide_by=datetime.now(UTC) - hour),
        "waitlist_hold": pending(press, "student", soon + 6 * hour,
                                 hold_expires_at=soon),
        # The student's request on an enterprise's item: their school's staff see it, the
        # enterprise decides it.
        "enterprises": pending(world.enterprise_equipment, "student", soon),
        "other_schools": pending(world.other_equipment, "other_student", soon),
    }
    confirmed = make.reservation(press, world.users["student"], soon + 8 * hour,
                                 soon + 9 * hour, status="confirmed")
    session.commit()
    return {name: r.id for name, r in made.items()} | {"confirmed": confirmed.id}


def _ids(client, world, role, query):
    answer = client.get(URL + query, headers=world.headers(role))
    assert answer.status_code == 200, answer.get_json()
    return {r["id"] for r in answer.get_json()["items"]}


def test_an_instructor_lists_only_the_requests_they_may_decide(client, world, requests):
    pending = _ids(client, world, "instructor", "?status=pending&page_size=100")
    assert requests["enterprises"] in pending  # visible, yet not theirs to decide
    assert _ids(client, world, "instructor", "?decidable=true") == {requests["students"]}
    assert _ids(client, world, "admin", "?decidable=true") == {
        requests["students"], requests["own"]}


def test_decidable_false_lists_the_rest_of_what_they_see(client, world, requests):
    everything = _ids(client, world, "instructor", "?page_size=100")
    rest = _ids(client, world, "instructor", "?decidable=false&page_size=100")
    assert rest == everything - {requests["students"]}


@pytest.mark.parametrize("role", ["student", "operator"])
def test_who_decides_nothing_lists_nothing(client, world, requests, role):
    assert _ids(client, world, role, "?decidable=true") == set()


def test_another_schools_instructor_lists_only_their_schools_request(client, world, requests):
    assert _ids(client, world, "other_instructor", "?decidable=true") == {
        requests["other_schools"]}


def test_the_enterprise_lists_the_request_on_its_item(client, world, requests):
    assert _ids(client, world, "enterprise_staff", "?decidable=true") == {
        requests["enterprises"]}


def test_each_listed_request_can_be_approved(client, world, requests, session):
    [listed] = _ids(client, world, "instructor", "?decidable=true")
    answer = client.post(f"{URL}/{listed}/approve", json={},
                         headers=world.headers("instructor"))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "confirmed"
    assert _ids(client, world, "instructor", "?decidable=true") == set()


def test_the_filter_is_documented_and_checked(client, world):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/reservations"]["get"]
    assert "decidable" in {p["name"] for p in operation["parameters"]}
    answer = client.get(URL + "?decidable=yes", headers=world.headers("instructor"))
    assert answer.status_code == 422
    assert "decidable" in answer.get_json()["errors"]
    assert_documented(document, "GET", "/reservations", answer)
