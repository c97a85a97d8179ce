"""The heat map, the .csv URLs, group names and the school-vs-enterprise roll-up over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from service.catalogue.models import Closure

from .problems import assert_problem

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEATMAP = "/api/v1/reports/heatmap"
UTILISATION = "/api/v1/reports/utilisation"
WEEK = {"from": "2025-03-03", "to": "2025-03-10"}  # Mon..Sun


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


@pytest.fixture
def booked(make, world):
    """School A's item: Monday 09:00-11:00 completed, Tuesday 14:30-15:00 a no-show, Wednesday
    10:00-12:00 cancelled; the enterprise's item Thursday 08:00-09:00 confirmed, inside the
    window of its approved offer (its base is in Shanghai too)."""
    monday = date(2025, 3, 3)
    student = world.users["student"]
    make.offer(world.enterprise, world.school, [world.enterprise_equipment],
               created_by=world.users["manager"], status="approved",
               windows=[{"starts_on": monday, "ends_on": date(2025, 3, 9),
                         "spans": [(4, time(8), time(12))]}])
    make.reservation(world.equipment, student, _at(monday, 9), _at(monday, 11))
    make.reservation(world.equipment, student, _at(date(2025, 3, 4), 14, 30),
                     _at(date(2025, 3, 4), 15), status="no_show")
    make.reservation(world.equipment, student, _at(date(2025, 3, 5), 10),
                     _at(date(2025, 3, 5), 12), status="cancelled")
    make.reservation(world.enterprise_equipment, student, _at(date(2025, 3, 6), 8),
                     _at(date(2025, 3, 6), 9), status="confirmed")


def _cells(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return {(c["weekday"], c["hour"]): c["booked_hours"]
            for c in response.get_json()["cells"] if c["booked_hours"]}


def test_an_admin_sees_booked_hours_of_their_school_by_weekday_and_hour(client, world, booked):
    response = client.get(HEATMAP, query_string=WEEK, headers=world.headers("admin"))
    assert _cells(response) == {(1, 9): 1.0, (1, 10): 1.0, (2, 14): 0.5}
    body = response.get_json()
    assert (body["from"], body["to"], body["booked_hours"], len(body["cells"])) \
        == ("2025-03-03", "2025-03-10", 2.5, 168)


def test_enterprise_staff_see_their_own_items_only(client, world, booked):
    assert _cells(client.get(HEATMAP, query_string=WEEK,
                             headers=world.headers("enterprise_staff"))) == {(4, 8): 1.0}
    assert _cells(client.get(HEATMAP, query_string={**WEEK, "owner_id": world.school.id},
                             headers=world.headers("enterprise_staff"))) == {}
    assert _cells(client.get(HEATMAP, query_string=WEEK,
                             headers=world.headers("other_staff"))) == {}


def test_an_operator_sees_everything_and_filters_narrow_it(client, world, booked):
    headers = world.headers("operator")
    assert sum(_cells(client.get(HEATMAP, query_string=WEEK, headers=headers)).values()) >= 3.5
    assert _cells(client.get(HEATMAP, query_string={**WEEK, "base_id": world.base.id},
                             headers=headers)) == {(1, 9): 1.0, (1, 10): 1.0, (2, 14): 0.5}
    assert _cells(client.get(HEATMAP, query_string={**WEEK, "category": "no-such-thing"},
                             headers=headers)) == {}


def test_only_available_hours_count_as_in_the_utilisation_report(client, make, world, session,
                                                                 booked):
    """Booked hours outside the opening hours (18:00-19:00, and an enterprise item's 19:00-20:00)
    and on a closed day are not booked hours: the map's total is the utilisation report's."""
    student = world.users["student"]
    make.reservation(world.equipment, student, _at(date(2025, 3, 3), 17),
                     _at(date(2025, 3, 3), 19))
    session.add(Closure(base_id=world.base.id, starts_on=date(2025, 3, 7),
                        ends_on=date(2025, 3, 7), reason="Inspection"))
    make.reservation(world.equipment, student, _at(date(2025, 3, 7), 9),
                     _at(date(2025, 3, 7), 10))
    make.reservation(world.enterprise_equipment, student, _at(date(2025, 3, 6), 19),
                     _at(date(2025, 3, 6), 20))
    headers = world.headers("operator")
    cells = _cells(client.get(HEATMAP, query_string=WEEK, headers=headers))
    assert cells == {(1, 9): 1.0, (1, 10): 1.0, (1, 17): 1.0, (2, 14): 0.5, (4, 8): 1.0}
    rows = client.get(UTILISATION, query_string={**WEEK, "granularity": "week",
                                                 "group_by": "school"}, headers=headers)
    assert rows.status_code == 200, rows.get_json()
    assert sum(r["booked_hours"] for r in rows.get_json()["rows"]) == sum(cells.values())


def test_days_outside_the_span_do_not_count(client, world, booked):
    assert _cells(client.get(HEATMAP, query_string={"from": "2025-03-04", "to": "2025-03-05"},
                             headers=world.headers("admin"))) == {(2, 14): 0.5}


@pytest.mark.parametrize("how", ["accept", "suffix"])
def test_the_heatmap_as_csv(client, world, booked, how):
    url, headers = HEATMAP, {**world.headers("admin"), "Accept": "text/csv"}
    if how == "suffix":
        url, headers = HEATMAP + ".csv", world.headers("admin")
    response = client.get(url, query_string=WEEK, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "heatmap-2025-03-03-2025-03-10.csv" in response.headers["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(lines) == 168
    assert [(line["weekday"], line["hour"], line["booked_hours"]) for line in lines
            if line["booked_hours"] != "0.00"] == [("1", "9", "1.00"), ("1", "10", "1.00"),
                                                   ("2", "14", "0.50")]


def test_utilisation_csv_url_answers_csv_whatever_accept_says(client, world, booked):
    response = client.get(UTILISATION + ".csv",
                          query_string={**WEEK, "granularity": "week", "group_by": "item"},
                          headers={**world.headers("admin"), "Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    [line] = [row for row in csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")))
              if row["group_id"] == str(world.equipment.id)]
    assert (line["group_name"], line["booked_hours"], line["no_shows"]) \
        == (world.equipment.name, "2.50", "1")


def test_kind_sets_school_equipment_against_enterprise_equipment(client, world, booked):
    response = client.get(UTILISATION, query_string={**WEEK, "granularity": "week",
                                                     "group_by": "kind"},
                          headers=world.headers("operator"))
    assert response.status_code == 200
    rows = {r["group_name"]: r for r in response.get_json()["rows"]}
    assert {r["group_id"] for r in rows.values()} == {None}
    assert rows.keys() == {"school", "enterprise"}
    assert rows["school"]["booked_hours"] >= 2.5
    # Thursday 08:00-09:00 of the base's opening hours (08:00-18:00 on weekdays; in service
    # from that first booking: Thursday and Friday, 20 hours), inside the approved offer's
    # window (08:00-12:00 on Thursdays: offered)
    assert (rows["enterprise"]["booked_hours"], rows["enterprise"]["available_hours"],
            rows["enterprise"]["offered_hours"]) == (1.0, 20.0, 4.0)
    assert rows["school"]["offered_hours"] == 0.0


@pytest.mark.parametrize(("group_by", "expected"), [
    ("base", lambda w: {w.base.id: w.base.name}),
    ("owner", lambda w: {w.school.id: w.school.name}),
    ("category", lambda w: {w.category.id: w.category.name}),
    ("school", lambda w: {None: None}),
])
def test_rows_carry_their_group_name(client, world, booked, group_by, expected):
    response = client.get(UTILISATION, query_string={**WEEK, "granularity": "week",
                                                     "group_by": group_by},
                          headers=world.headers("admin"))
    assert {r["group_id"]: r["group_name"] for r in response.get_json()["rows"]} \
        == expected(world)


@pytest.mark.parametrize("role", ["student", "instructor", "other_student"])
def test_students_and_instructors_get_403(client, world, role):
    assert_problem(client.get(HEATMAP, query_string=WEEK, headers=world.headers(role)), 403,
                   "not_reporting")
    assert_problem(client.get(HEATMAP + ".csv", query_string=WEEK,
                              headers=world.headers(role)), 403, "not_reporting")


@pytest.mark.parametrize("query", [
    {"from": "2025-03-03", "to": "2025-03-03"}, {"from": "2025-03-03"},
    {**WEEK, "to": "2027-03-10"}, {**WEEK, "base_id": "0"}, {**WEEK, "category": "A B"},
    {**WEEK, "granularity": "day"},
])
def test_bad_queries_are_422(client, world, query):
    response = client.get(HEATMAP, query_string=query, headers=world.headers("admin"))
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]


def test_signed_out_gets_401(client):
    assert client.get(HEATMAP, query_string=WEEK).status_code == 401


def test_items_retired_since_keep_the_weeks_they_were_in_service(client, world, booked,
                                                                  session):
    before = _cells(client.get(HEATMAP, query_string=WEEK, headers=world.headers("admin")))
    world.equipment.status = "retired"
    session.commit()
    assert before and _cells(client.get(HEATMAP, query_string=WEEK,
                                        headers=world.headers("admin"))) == before


def test_items_retired_before_a_week_are_left_out_as_in_the_utilisation_report(
        client, world, booked, session):
    world.equipment.status = "retired"
    world.equipment.retired_at = _at(date(2025, 3, 3), 0)
    session.commit()
    assert _cells(client.get(HEATMAP, query_string=WEEK, headers=world.headers("admin"))) == {}
