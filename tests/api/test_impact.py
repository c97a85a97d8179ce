"""Impact and contribution through HTTP: JSON, CSV, validation, 404s, confirmations."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.outcomes.models import Outcome, OutcomeSkill

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = {"from": "2025-03-03", "to": "2025-03-10"}


def impact_url(org_id) -> str:
    return f"/api/v1/organisations/{org_id}/impact"


def contribution_url(org_id) -> str:
    return f"/api/v1/organisations/{org_id}/contribution"


@pytest.fixture
def given(make, world, session):
    """A week's offer of the enterprise's lathe (50.00/h) to the school, Mon-Fri 09:00-12:00
    at a base open 08:00-18:00: 15 h offered. One session Monday 09:00-11:00, checked in and
    out on time (booked 2, used 2, valued 100.00), with an outcome practising welding."""
    lathe = world.enterprise_equipment
    offer = make.offer(world.enterprise, world.school, [lathe],
                       created_by=world.users["enterprise_staff"], values={lathe.id: "50.00"},
                       windows=[{"starts_on": date(2025, 3, 3), "ends_on": date(2025, 3, 9),
                                 "spans": [(d, time(9), time(12)) for d in range(1, 6)]}])
    starts = datetime(2025, 3, 3, 9, tzinfo=SHANGHAI)
    reservation = make.reservation(lathe, world.users["student"], starts,
                                   starts + timedelta(hours=2), offer=offer,
                                   checked_in_at=starts,
                                   checked_out_at=starts + timedelta(hours=2))
    outcome = Outcome(reservation_id=reservation.id, author_id=world.users["student"].id,
                      trainee_count=1, hours=2, result="Welded a bracket.")
    outcome.skills = [OutcomeSkill(tag="welding", in_vocabulary=True)]
    session.add(outcome)
    session.commit()
    return offer, reservation


def test_the_enterprise_reads_its_impact_as_json(client, world, given):
    offer, _ = given
    response = client.get(impact_url(world.enterprise.id), query_string=WEEK,
                          headers=world.headers("enterprise_staff"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    figures = {"hours_offered": 15.0, "hours_booked": 2.0, "hours_used": 2.0, "sessions": 1,
               "students_trained": 1, "no_shows": 0, "outcomes_received": 1,
               "top_skills": [{"tag": "welding", "count": 1}], "valued_hours_booked": 100.0,
               "valued_hours_used": 100.0}
    assert (body["organisation_id"], body["from"], body["to"]) == (
        world.enterprise.id, "2025-03-03", "2025-03-10")
    [row] = body["offers"]
    assert (row["offer_id"], row["school_name"], row["status"], row["totals"]) == (
        offer.id, world.school.name, "approved", figures)
    assert row["items"] == [{
        "equipment_id": world.enterprise_equipment.id,
        "equipment_name": world.enterprise_equipment.name, "base_id": world.enterprise_base.id,
        "timezone": "Asia/Shanghai", "value_per_hour": 50.0, **figures}]
    assert body["totals"] == figures


def test_the_same_figures_as_csv(client, world, given):
    offer, _ = given
    response = client.get(impact_url(world.enterprise.id), query_string=WEEK,
                          headers={**world.headers("manager"), "Accept": "text/csv"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="impact-{world.enterprise.id}-2025-03-03-2025-03-10.csv"')
    [line] = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert line == {
        "from": "2025-03-03", "to": "2025-03-10", "offer_id": str(offer.id),
        "offer_status": "approved", "school_id": str(world.school.id),
        "school_name": world.school.name, "equipment_id": str(world.enterprise_equipment.id),
        "equipment_name": world.enterprise_equipment.name, "timezone": "Asia/Shanghai",
        "value_per_hour": "50.00", "hours_offered": "15.00", "hours_booked": "2.00",
        "hours_used": "2.00", "sessions": "1", "students_trained": "1", "no_shows": "0",
        "outcomes_received": "1", "top_skills": "welding:1", "valued_hours_booked": "100.00",
        "valued_hours_used": "100.00"}


def test_both_media_types_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("impact", "contribution"):
        content = document["paths"][f"/api/v1/organisations/{{organisation_id}}/{path}"][
            "get"]["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv"}


@pytest.mark.parametrize(("query", "field", "code"), [
    ({"from": "2025-03-10", "to": "2025-03-03"}, "to", "invalid_period"),
    ({"from": "2025-03-03", "to": "2025-03-03"}, "to", "invalid_period"),
    ({"from": "2025-01-01", "to": "2026-01-03"}, "to", "invalid_period"),
    ({"to": "2025-03-03"}, "from", "validation_error"),
    ({"from": "2025-02-30", "to": "2025-03-03"}, "from", "validation_error"),
    ({"from": "2025-03-01", "to": "2025-03-03", "school": "1"}, "school",
     "validation_error"),
])
def test_a_bad_period_is_a_422_naming_the_field(client, world, query, field, code):
    response = client.get(impact_url(world.enterprise.id), query_string=query,
                          headers=world.headers("enterprise_staff"))
    body = assert_problem(response, 422, code)
    assert field in body["errors"]


@pytest.mark.parametrize(("role", "org"), [
    ("other_staff", "enterprise"), ("student", "enterprise"), ("admin", "enterprise"),
    ("operator", "enterprise"), ("admin", "school"), ("enterprise_staff", "school"),
    ("enterprise_staff", "other_enterprise")])
def test_anyone_else_meets_a_404(client, world, given, role, org):
    response = client.get(impact_url(getattr(world, org).id), query_string=WEEK,
                          headers=world.headers(role))
    assert_problem(response, 404, "not_found")


def test_no_such_organisation_is_a_404(client, world):
    for org_id in (999_999_999, 2**63 - 1):
        response = client.get(impact_url(org_id), query_string=WEEK,
                              headers=world.headers("enterprise_staff"))
        assert_problem(response, 404, "not_found")


def march_row(body):
    [row] = [r for r in body["rows"] if r["month"] == "2025-03"]
    return row


def confirm(client, world, role="admin", **body):
    return client.post(f"{contribution_url(world.enterprise.id)}/confirmations",
                       json={"month": "2025-03", **body}, headers=world.headers(role))


def test_the_school_confirms_a_month_and_its_figures_stay_frozen(client, world, given,
                                                                 session):
    _, reservation = given
    url = contribution_url(world.enterprise.id)
    before = client.get(url, query_string={"year": 2025}, headers=world.headers("admin"))
    assert before.status_code == 200
    row = march_row(before.get_json())
    assert row == {"month": "2025-03", "school_id": world.school.id,
                   "school_name": world.school.name, "hours_offered": 15.0,
                   "hours_booked": 2.0, "hours_used": 2.0, "valued_hours_booked": 100.0,
                   "valued_hours_used": 100.0, "status": "open", "confirmed_by_id": None,
                   "confirmed_by_name": None, "confirmed_at": None}

    confirmed = confirm(client, world)
    assert confirmed.status_code == 201, confirmed.get_json()
    body = confirmed.get_json()
    assert (body["enterprise_id"], body["school_id"], body["month"],
            body["confirmed_by_id"]) == (world.enterprise.id, world.school.id, "2025-03",
                                         world.users["admin"].id)
    assert body["figures"]["hours_booked"] == 2.0

    # A later edit of the reservation changes the impact, not the confirmed statement.
    reservation.ends_at = reservation.ends_at + timedelta(hours=1)
    reservation.blocked_until = reservation.ends_at
    session.commit()
    impact = client.get(impact_url(world.enterprise.id), query_string=WEEK,
                        headers=world.headers("enterprise_staff")).get_json()
    assert impact["totals"]["hours_booked"] == 3.0
    statement = client.get(url, query_string={"year": 2025},
                           headers=world.headers("enterprise_staff")).get_json()
    row = march_row(statement)
    assert (row["status"], row["hours_booked"], row["valued_hours_booked"],
            row["confirmed_by_name"]) == ("confirmed", 2.0, 100.0,
                                          world.users["admin"].full_name)
    assert row["confirmed_at"]
    assert statement["totals"]["hours_booked"] == 2.0

    notices = client.get("/api/v1/me/notifications",
                         headers=world.headers("manager")).get_json()["items"]
    assert [(n["kind"], n["data"]["month"]) for n in notices] == [
        ("contribution_confirmed", "2025-03")]

    assert_problem(confirm(client, world), 409, "already_confirmed")


def test_the_statement_as_csv(client, world, given):
    response = client.get(contribution_url(world.enterprise.id), query_string={"year": 2025},
                          headers={**world.headers("enterprise_staff"), "Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"contribution-{world.enterprise.id}-2025.csv" in (
        response.headers["Content-Disposition"])
    [line] = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert (line["month"], line["school_name"], line["hours_offered"], line["hours_booked"],
            line["valued_hours_used"], line["status"], line["confirmed_by_name"]) == (
        "2025-03", world.school.name, "15.00", "2.00", "100.00", "open", "")


def test_the_statement_writes_every_hour_and_value_with_two_decimals(client, world, given,
                                                                        make, session):
    """A month with hours offered and none booked wrote `0` beside the others' `0.00`."""
    make.offer(world.enterprise, world.other_school, [world.enterprise_equipment],
               created_by=world.users["enterprise_staff"],
               values={world.enterprise_equipment.id: "50.00"},
               windows=[{"starts_on": date(2025, 4, 7), "ends_on": date(2025, 4, 13),
                         "spans": [(1, time(9), time(12))]}])
    session.commit()
    response = client.get(contribution_url(world.enterprise.id),
                          query_string={"year": 2025, "bom": "false"},
                          headers={**world.headers("enterprise_staff"), "Accept": "text/csv"})
    assert response.status_code == 200
    assert response.get_data().startswith(b"month,school_id,")
    lines = {line["month"]: line for line in csv.DictReader(
        io.StringIO(response.get_data().decode("utf-8")))}
    april = lines["2025-04"]
    assert (april["hours_offered"], april["hours_booked"], april["hours_used"],
            april["valued_hours_booked"], april["valued_hours_used"]) == (
        "3.00", "0.00", "0.00", "0.00", "0.00")
    money_and_hours = [c for c in april if "hours" in c]
    assert all(re.fullmatch(r"\d+\.\d\d", line[c]) for line in lines.values()
               for c in money_and_hours), lines


def test_every_refusal_of_a_confirmation_has_its_code(client, world, given):
    this_month = date.today().strftime("%Y-%m")
    assert_problem(confirm(client, world, month=this_month), 409, "month_not_ended")
    assert_problem(confirm(client, world, month="2025-01"), 409, "nothing_to_confirm")
    assert_problem(confirm(client, world, school_id=world.other_school.id), 403,
                   "not_your_school")
    assert_problem(confirm(client, world, role="student"), 403, "role_not_allowed")
    assert_problem(confirm(client, world, role="enterprise_staff"), 403, "role_not_allowed")
    assert_problem(confirm(client, world, role="other_admin"), 404, "not_found")
    body = assert_problem(confirm(client, world, month="2025-13"), 422, "validation_error")
    assert "month" in body["errors"]
    response = client.post(f"{contribution_url(world.school.id)}/confirmations",
                           json={"month": "2025-03"}, headers=world.headers("admin"))
    assert_problem(response, 404, "not_found")


def test_a_school_admin_sees_only_their_schools_rows(client, world, given, make, session):
    make.offer(world.enterprise, world.other_school, [world.enterprise_equipment],
               created_by=world.users["manager"],
               windows=[{"starts_on": date(2025, 3, 10), "ends_on": date(2025, 3, 14),
                         "spans": [(1, time(9), time(10))]}])
    session.commit()
    url = contribution_url(world.enterprise.id)
    seen = {}
    for role in ("enterprise_staff", "admin", "other_admin"):
        response = client.get(url, query_string={"year": 2025}, headers=world.headers(role))
        assert response.status_code == 200
        seen[role] = {r["school_id"] for r in response.get_json()["rows"]}
    assert seen == {"enterprise_staff": {world.school.id, world.other_school.id},
                    "admin": {world.school.id}, "other_admin": {world.other_school.id}}
    for role in ("student", "instructor", "other_staff", "operator"):
        response = client.get(url, query_string={"year": 2025}, headers=world.headers(role))
        assert_problem(response, 404, "not_found")
    body = assert_problem(client.get(url, query_string={"year": "20x5"},
                                     headers=world.headers("admin")), 422, "validation_error")
    assert "year" in body["errors"]
