"""Idle equipment through HTTP: who sees which findings, and the one-click draft offer, with
the hostile cases (another school's or enterprise's findings, wrong roles, bad ids)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.idle.models import IdleFinding
from service.idle.services import find_idle_equipment
from service.offers.models import Offer

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2027, 3, 31, 12, tzinfo=BERLIN)  # judged: the four weeks to 22 March 2027
URL = "/api/v1/reports/idle"


def draft_url(finding_id: int) -> str:
    return f"{URL}/{finding_id}/draft-offer"


@pytest.fixture
def judged(make, world, session):
    """Findings for the week of 22 March 2027: both schools' items (never booked) and both
    enterprises' items, offered to the first school and never booked (50 h a week each)."""
    for enterprise, item, staff in (
            (world.enterprise, world.enterprise_equipment, "manager"),
            (world.other_enterprise, world.other_enterprise_equipment, "other_manager")):
        make.offer(enterprise, world.school, [item], created_by=world.users[staff])
    session.commit()
    find_idle_equipment(session, now=NOW, weeks=4, threshold=0.15)
    return {row.equipment_id: row.id for row in session.scalars(select(IdleFinding))}


def items(response) -> dict[int, dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["equipment_id"]: item for item in response.get_json()["items"]}


def test_a_school_admin_sees_their_schools_idle_items_with_a_suggestion(client, world, judged):
    response = client.get(URL, headers=world.headers("admin"))
    body = response.get_json()
    assert (body["week_start"], body["weeks"], body["threshold"]) == ("2027-03-22", 4, 0.15)
    seen = items(response)
    assert set(seen) == {world.equipment.id}, "only the school's own equipment"
    assert seen[world.equipment.id] == {
        "id": judged[world.equipment.id], "equipment_id": world.equipment.id,
        "equipment_name": world.equipment.name, "base_id": world.base.id,
        "base_name": world.base.name, "category": world.category.code,
        "category_name": world.category.name, "owner_organisation_id": world.school.id,
        "owner_name": world.school.name, "week_start": "2027-03-22", "weeks": 4,
        "threshold": 0.15, "available_hours": 200.0, "booked_hours": 0.0,
        "free_hours": 200.0, "utilisation": 0.0, "suggestion": "share_or_move"}


def test_enterprise_staff_see_their_enterprises_items_to_offer(client, world, judged):
    seen = items(client.get(URL, headers=world.headers("enterprise_staff")))
    assert set(seen) == {world.enterprise_equipment.id}
    assert seen[world.enterprise_equipment.id]["suggestion"] == "offer_to_schools"
    other = items(client.get(URL, headers=world.headers("other_staff")))
    assert set(other) == {world.other_enterprise_equipment.id}


def test_an_operator_sees_every_owner_and_may_filter_by_one(client, world, judged):
    assert set(items(client.get(URL, headers=world.headers("operator")))) == set(judged)
    assert set(items(client.get(URL, query_string={"owner_id": world.other_school.id},
                                headers=world.headers("operator")))) == {
        world.other_equipment.id}


def test_the_base_and_category_filters_narrow_the_findings(client, make, world, session,
                                                          judged):
    other = make.category(code="welders")
    world.other_equipment.category_id = other.id
    session.commit()
    operator = world.headers("operator")
    by_base = items(client.get(URL, query_string={"base_id": world.enterprise_base.id},
                               headers=operator))
    assert set(by_base) == {world.enterprise_equipment.id}
    by_category = items(client.get(URL, query_string={"category": "welders"}, headers=operator))
    assert set(by_category) == {world.other_equipment.id}
    both = items(client.get(URL, query_string={"category": world.category.code,
                                               "base_id": world.base.id,
                                               "owner_id": world.school.id}, headers=operator))
    assert set(both) == {world.equipment.id}
    assert items(client.get(URL, query_string={"category": "no-such"}, headers=operator)) == {}
    # an admin's filter stays inside their own school
    assert items(client.get(URL, query_string={"base_id": world.other_base.id},
                            headers=world.headers("admin"))) == {}


def test_asking_for_another_organisations_items_gives_none(client, world, judged):
    response = client.get(URL, query_string={"owner_id": world.school.id},
                          headers=world.headers("other_admin"))
    assert items(response) == {}


@pytest.mark.parametrize("role", ["student", "instructor", "other_student"])
def test_students_and_instructors_are_refused(client, world, judged, role):
    assert_problem(client.get(URL, headers=world.headers(role)), 403, "not_reporting")
    assert_problem(client.post(draft_url(judged[world.enterprise_equipment.id]),
                               json={"school_id": world.other_school.id},
                               headers=world.headers(role)), 403, "not_reporting")


def test_signing_in_is_required(client, world, judged):
    assert_problem(client.get(URL), 401, "not_authenticated")


def test_before_any_judgement_there_is_no_week(client, world):
    body = client.get(URL, headers=world.headers("admin")).get_json()
    assert (body["week_start"], body["items"]) == (None, [])


@pytest.mark.parametrize("query", [{"owner_id": "x"}, {"owner_id": 0}, {"week": "2027-03-22"},
                                   {"base_id": 0}, {"category": "Not a code"}])
def test_bad_query_parameters_are_422(client, world, judged, query):
    assert_problem(client.get(URL, query_string=query, headers=world.headers("admin")), 422,
                   "validation_error")


def expected_monday(tz) -> str:
    today = datetime.now(tz).date()
    return (today + timedelta(days=7 - today.weekday())).isoformat()


def test_enterprise_staff_draft_an_offer_from_their_idle_item(client, world, judged, session):
    response = client.post(draft_url(judged[world.enterprise_equipment.id]),
                           json={"school_id": world.other_school.id},
                           headers=world.headers("enterprise_staff"))
    assert response.status_code == 201, response.get_data(as_text=True)
    offer = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/offers/{offer['id']}")
    assert response.headers["ETag"] == f'"{offer["version"]}"'
    assert (offer["status"], offer["enterprise_id"], offer["school_id"]) == (
        "draft", world.enterprise.id, world.other_school.id)
    assert [i["equipment_id"] for i in offer["items"]] == [world.enterprise_equipment.id]
    monday = expected_monday(SHANGHAI)
    four_weeks_on = (datetime.fromisoformat(monday) + timedelta(days=27)).date().isoformat()
    assert offer["windows"] == [{
        "starts_on": monday, "ends_on": four_weeks_on,
        "spans": [{"weekday": d, "opens": "08:00", "closes": "18:00"} for d in range(1, 6)]}]
    assert offer["weekly_hours_budget"] == 50, "200 free hours over 4 weeks"
    assert (offer["requires_approval"], offer["withdrawal_notice_days"], offer["asks_back"]) \
        == (False, 14, "outcome_per_session"), "a new offer's default conditions"
    shown = client.get(response.headers["Location"], headers=world.headers("manager"))
    assert shown.status_code == 200 and shown.get_json()["status"] == "draft"


def test_a_retried_draft_with_the_same_key_makes_one_offer(client, world, judged, session):
    headers = {**world.headers("manager"), "Idempotency-Key": "idle-draft-1"}
    first = client.post(draft_url(judged[world.enterprise_equipment.id]),
                        json={"school_id": world.other_school.id}, headers=headers)
    again = client.post(draft_url(judged[world.enterprise_equipment.id]),
                        json={"school_id": world.other_school.id}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Location"] == first.headers["Location"]
    assert session.scalar(select(func.count()).select_from(Offer).where(
        Offer.enterprise_id == world.enterprise.id, Offer.status == "draft")) == 1


def test_a_second_live_offer_to_the_same_school_is_409(client, world, judged):
    response = client.post(draft_url(judged[world.enterprise_equipment.id]),
                           json={"school_id": world.school.id},
                           headers=world.headers("enterprise_staff"))
    assert_problem(response, 409, "offer_exists")


def test_another_enterprises_finding_is_not_found(client, world, judged):
    response = client.post(draft_url(judged[world.enterprise_equipment.id]),
                           json={"school_id": world.other_school.id},
                           headers=world.headers("other_manager"))
    assert_problem(response, 404, "unknown_idle_finding")


def test_a_schools_item_is_not_offered(client, world, judged):
    response = client.post(draft_url(judged[world.equipment.id]),
                           json={"school_id": world.other_school.id},
                           headers=world.headers("admin"))
    assert_problem(response, 409, "school_equipment_not_offered")


def test_another_schools_admin_neither_sees_nor_drafts_from_its_findings(client, world,
                                                                         judged):
    assert world.equipment.id not in items(client.get(URL, headers=world.headers("other_admin")))
    for finding in (world.equipment.id, world.enterprise_equipment.id):
        response = client.post(draft_url(judged[finding]),
                               json={"school_id": world.other_school.id},
                               headers=world.headers("other_admin"))
        assert_problem(response, 404, "unknown_idle_finding")


def test_an_operator_sees_but_does_not_offer_an_enterprises_item(client, world, judged):
    response = client.post(draft_url(judged[world.enterprise_equipment.id]),
                           json={"school_id": world.other_school.id},
                           headers=world.headers("operator"))
    assert_problem(response, 403, "not_offer_owner")


def test_an_unknown_finding_is_404(client, world, judged):
    response = client.post(draft_url(max(judged.values()) + 1000),
                           json={"school_id": world.other_school.id},
                           headers=world.headers("enterprise_staff"))
    assert_problem(response, 404, "unknown_idle_finding")


def test_the_school_must_be_a_school(client, world, judged):
    for school_id in (world.other_enterprise.id, 10**12):
        response = client.post(draft_url(judged[world.enterprise_equipment.id]),
                               json={"school_id": school_id},
                               headers=world.headers("enterprise_staff"))
        body = assert_problem(response, 422, "not_a_school")
        assert "school_id" in body["errors"]


@pytest.mark.parametrize("body", [{}, {"school_id": "x"}, {"school_id": 0},
                                  {"school_id": 1.5}, {"school_id": 1, "extra": True}, []])
def test_a_malformed_body_is_422(client, world, judged, body):
    response = client.post(draft_url(judged[world.enterprise_equipment.id]), json=body,
                           headers=world.headers("enterprise_staff"))
    assert_problem(response, 422, "validation_error")


def test_a_base_without_opening_hours_left_gives_no_draft(client, world, judged, session):
    world.enterprise_base.opening_hours = []
    session.commit()
    response = client.post(draft_url(judged[world.enterprise_equipment.id]),
                           json={"school_id": world.other_school.id},
                           headers=world.headers("enterprise_staff"))
    assert_problem(response, 422, "invalid_offer_windows")


def test_the_openapi_document_names_every_answer(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    draft = paths["/api/v1/reports/idle/{finding_id}/draft-offer"]["post"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(draft["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in draft["parameters"])
    assert {"200", "401", "403", "422"} <= set(paths["/api/v1/reports/idle"]["get"]["responses"])


def test_opening_hours_in_the_draft_follow_the_base(client, world, judged, session, make):
    """A base open Saturday mornings only: the draft opens the item then."""
    from service.catalogue.models import OpeningHours

    world.enterprise_base.opening_hours = [
        OpeningHours(weekday=6, opens=time(9), closes=time(12))]
    session.commit()
    response = client.post(draft_url(judged[world.enterprise_equipment.id]),
                           json={"school_id": world.other_school.id},
                           headers=world.headers("enterprise_staff"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["windows"][0]["spans"] == [
        {"weekday": 6, "opens": "09:00", "closes": "12:00"}]


def test_the_list_is_least_used_first_across_owners_and_leaves_retired_items_out(
        client, world, judged, session):
    # The school's item was a little booked, the other enterprise's not at all.
    finding = session.get(IdleFinding, judged[world.equipment.id])
    finding.booked_hours = finding.available_hours / 10
    world.other_equipment.status = "retired"
    session.commit()
    listed = client.get(URL, headers=world.headers("operator")).get_json()["items"]
    ratios = [item["utilisation"] for item in listed]
    assert ratios == sorted(ratios) and ratios[-1] == 0.1
    assert world.other_equipment.id not in {item["equipment_id"] for item in listed}
