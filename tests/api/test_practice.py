"""Practice hours through HTTP: who sees whose students, CSV, and every input checked."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.reservations.models import ReservationAttendee

from .problems import assert_problem

URL = "/api/v1/reports/practice"
SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = {"from": "2027-03-01", "to": "2027-03-08", "granularity": "week"}


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def practised(make, world, session):
    """School A's student held 2 hours and attended a class for 1; a classmate attended the
    same class; school B's student practised 1.5 hours on B's item (all Shanghai, March 2027)."""
    classmate = make.user("student", world.school, full_name="Classmate")
    make.reservation(world.equipment, world.users["student"], local(1, 9), local(1, 11),
                     checked_in_at=local(1, 9))
    lesson = make.reservation(world.equipment, world.users["instructor"], local(2, 9),
                              local(2, 10), checked_in_at=local(2, 9),
                              checked_out_at=local(2, 10))
    lesson.attendees = [ReservationAttendee(user_id=world.users["student"].id,
                                            checked_in_at=local(2, 9)),
                        ReservationAttendee(user_id=classmate.id,
                                            checked_in_at=local(2, 9, 30))]
    make.reservation(world.other_equipment, world.users["other_student"], local(3, 9),
                     local(3, 10, 30), checked_in_at=local(3, 9))
    session.commit()
    world.extra["classmate"] = classmate
    world.extra["classmate_token"] = make.token(classmate)
    session.commit()
    return world


def rows(response) -> set:
    assert response.status_code == 200, response.get_json()
    return {(r["student_id"], r["student_name"], r["category"], r["period_start"], r["hours"],
             r["sessions"]) for r in response.get_json()["rows"]}


def school_a(world) -> set:
    code = world.category.code
    return {(world.users["student"].id, world.users["student"].full_name, code, "2027-03-01",
             3.0, 2),
            (world.extra["classmate"].id, "Classmate", code, "2027-03-01", 0.5, 1)}


def school_b(world) -> set:
    student = world.users["other_student"]
    return {(student.id, student.full_name, world.category.code, "2027-03-01", 1.5, 1)}


def test_instructors_and_admins_see_their_own_schools_students(client, practised):
    world = practised
    for role in ("instructor", "admin"):
        response = client.get(URL, query_string=WEEK, headers=world.headers(role))
        assert rows(response) == school_a(world)
        assert response.get_json()["granularity"] == "week"
        assert response.get_json()["from"] == "2027-03-01"
        assert response.get_json()["to"] == "2027-03-08"
    for role in ("other_instructor", "other_admin"):
        assert rows(client.get(URL, query_string=WEEK, headers=world.headers(role))) \
            == school_b(world)


def test_school_b_instructor_cannot_see_school_a_student(client, practised):
    world = practised
    response = client.get(URL, query_string={**WEEK, "student_id": world.users["student"].id},
                          headers=world.headers("other_instructor"))
    assert rows(response) == set()


def test_a_student_sees_only_themselves(client, practised):
    world = practised
    student = world.users["student"]
    mine = rows(client.get(URL, query_string=WEEK, headers=world.headers("student")))
    assert mine == {r for r in school_a(world) if r[0] == student.id}
    assert rows(client.get(URL, query_string={**WEEK, "student_id": student.id},
                           headers=world.headers("student"))) == mine
    for other in (world.extra["classmate"].id, world.users["other_student"].id, 99999999):
        assert_problem(client.get(URL, query_string={**WEEK, "student_id": other},
                                  headers=world.headers("student")), 403, "own_practice_only")


def school_rows(response) -> set:
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["group_by"] == "school"
    return {(r["school_id"], r["school_name"], r["category"], r["period_start"],
             r["students"], r["hours"], r["sessions"]) for r in response.get_json()["rows"]}


def test_operators_see_every_schools_totals_without_names_and_enterprise_staff_none(
        client, practised):
    world = practised
    code = world.category.code
    response = client.get(URL, query_string=WEEK, headers=world.headers("operator"))
    # School A: two students, 3 + 0.5 hours, two reservations (the class counts once).
    assert school_rows(response) == {
        (world.school.id, world.school.name, code, "2027-03-01", 2, 3.5, 2),
        (world.other_school.id, world.other_school.name, code, "2027-03-01", 1, 1.5, 1)}
    for row in response.get_json()["rows"]:
        assert "student_id" not in row and "student_name" not in row
    text = response.get_data(as_text=True)
    for student in (world.users["student"], world.users["other_student"]):
        assert student.full_name not in text
    assert "Classmate" not in text
    assert school_rows(client.get(URL, query_string={**WEEK, "group_by": "school"},
                                  headers=world.headers("operator"))) == school_rows(response)
    for role in ("enterprise_staff", "manager", "other_staff"):
        assert_problem(client.get(URL, query_string=WEEK, headers=world.headers(role)), 403,
                       "not_reporting")
    assert_problem(client.get(URL, query_string=WEEK), 401, "not_authenticated")


def test_an_operator_asking_for_a_persons_figures_is_refused(client, practised):
    world = practised
    for query in ({"group_by": "student"}, {"student_id": world.users["student"].id},
                  {"student_id": 99999999}):
        for url in (URL, URL + ".csv"):
            assert_problem(client.get(url, query_string={**WEEK, **query},
                                      headers=world.headers("operator")),
                           403, "no_personal_figures")


def test_staff_may_read_their_schools_totals_and_a_student_may_not(client, practised):
    world = practised
    code = world.category.code
    assert school_rows(client.get(URL, query_string={**WEEK, "group_by": "school"},
                                  headers=world.headers("admin"))) == {
        (world.school.id, world.school.name, code, "2027-03-01", 2, 3.5, 2)}
    assert_problem(client.get(URL, query_string={**WEEK, "group_by": "school"},
                              headers=world.headers("student")), 403, "own_practice_only")


def test_the_operators_csv_has_a_line_per_school_and_no_name(client, practised):
    world = practised
    response = client.get(URL + ".csv", query_string=WEEK, headers=world.headers("operator"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")  # a spreadsheet's byte-order mark first
    lines = list(csv.DictReader(io.StringIO(text)))
    assert list(lines[0]) == ["school_id", "school_name", "category", "period_start",
                              "students", "hours", "sessions"]
    assert {(int(x["school_id"]), int(x["students"]), float(x["hours"]), int(x["sessions"]))
            for x in lines} == {(world.school.id, 2, 3.5, 2), (world.other_school.id, 1, 1.5, 1)}
    assert world.users["student"].full_name not in text and "Classmate" not in text


def test_days_and_filters(client, practised, make, session):
    world = practised
    student = world.users["student"]
    response = client.get(URL, query_string={**WEEK, "granularity": "day",
                                             "student_id": student.id},
                          headers=world.headers("instructor"))
    code = world.category.code
    assert rows(response) == {(student.id, student.full_name, code, "2027-03-01", 2.0, 1),
                              (student.id, student.full_name, code, "2027-03-02", 1.0, 1)}
    other = make.category()
    session.commit()
    assert rows(client.get(URL, query_string={**WEEK, "category": other.code},
                           headers=world.headers("instructor"))) == set()
    assert len(rows(client.get(URL, query_string={**WEEK, "category": code},
                               headers=world.headers("instructor")))) == 2


def test_csv_gives_one_line_per_student_category_and_period(client, practised):
    world = practised
    response = client.get(URL, query_string=WEEK,
                          headers={**world.headers("instructor"), "Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert {(int(x["student_id"]), x["student_name"], x["category"], x["period_start"],
             float(x["hours"]), int(x["sessions"])) for x in lines} == school_a(world)
    by_url = client.get(URL + ".csv", query_string=WEEK, headers=world.headers("instructor"))
    assert by_url.status_code == 200 and by_url.mimetype == "text/csv"
    assert by_url.get_data() == response.get_data()
    assert_problem(client.get(URL + ".csv", query_string=WEEK,
                              headers=world.headers("enterprise_staff")), 403, "not_reporting")


@pytest.mark.parametrize("query, field", [
    ({"from": "2027-03-08", "to": "2027-03-01"}, "to"),
    ({"from": "2027-03-01", "to": "2027-03-01"}, "to"),
    ({"from": "2027-03-01", "to": "2029-03-01"}, "to"),
    ({"from": "2027-02-30", "to": "2027-03-01"}, "from"),
    ({"from": "1900-01-01", "to": "1900-01-02"}, "from"),
    ({"from": "2027-03-01", "to": "2027-03-08", "granularity": "year"}, "granularity"),
    ({"from": "2027-03-01", "to": "2027-03-08", "student_id": "0"}, "student_id"),
    ({"from": "2027-03-01", "to": "2027-03-08", "student_id": "99999999999999999999"},
     "student_id"),
    ({"from": "2027-03-01", "to": "2027-03-08", "category": "DROP TABLE"}, "category"),
    ({"from": "2027-03-01", "to": "2027-03-08", "student": "1"}, "student"),
    ({"to": "2027-03-08"}, "from"),
])
def test_every_input_is_checked(client, world, query, field):
    body = assert_problem(client.get(URL, query_string=query, headers=world.headers("admin")),
                          422, "validation_error")
    assert field in str(body["errors"]), body


def test_the_span_limit_follows_the_setting(client, world, app):
    start = date(2027, 1, 1)
    limit = app.config["REPORTS_MAX_DAYS"]
    ok = client.get(URL, query_string={"from": start.isoformat(), "to": (
        start + timedelta(days=limit)).isoformat()}, headers=world.headers("admin"))
    assert ok.status_code == 200
    too_long = client.get(URL, query_string={"from": start.isoformat(), "to": (
        start + timedelta(days=limit + 1)).isoformat()}, headers=world.headers("admin"))
    assert assert_problem(too_long, 422, "validation_error")["errors"] == {
        "to": [f"At most {limit} days after from."]}
