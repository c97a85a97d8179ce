"""The reads the app's pages make for students and instructors are allowed, and show no one
more than their own: a student's practice hours, an instructor finding their school's
students by name, the skills vocabulary and the categories for everyone."""

from __future__ import annotations

import pytest

from .problems import assert_problem

WEEK = {"from": "2027-03-01", "to": "2027-03-08"}


def test_a_student_reads_their_own_practice_hours_and_nobody_elses(client, world):
    answer = client.get("/api/v1/reports/practice", query_string=WEEK,
                        headers=world.headers("student"))
    assert answer.status_code == 200, answer.get_json()
    assert {row["student_id"] for row in answer.get_json()["rows"]} <= {
        world.users["student"].id}
    other = client.get("/api/v1/reports/practice",
                       query_string={**WEEK, "student_id": world.users["other_student"].id},
                       headers=world.headers("student"))
    assert_problem(other, 403, "own_practice_only")


def test_an_instructor_finds_their_schools_students_by_name(client, world, make, session):
    wanted = make.user("student", world.school, full_name="Zhang Xiaoming")
    make.user("student", world.other_school, full_name="Zhang Xiaoli")
    session.commit()
    answer = client.get("/api/v1/users", query_string={"q": "zhang xiao", "role": "student"},
                        headers=world.headers("instructor"))
    assert answer.status_code == 200, answer.get_json()
    assert [(u["id"], u["full_name"]) for u in answer.get_json()["items"]] == [
        (wanted.id, "Zhang Xiaoming")]


def test_a_student_finds_nobody_but_themselves_in_the_directory(client, world):
    answer = client.get("/api/v1/users", query_string={"role": "student"},
                        headers=world.headers("student"))
    assert answer.status_code == 200
    assert [u["id"] for u in answer.get_json()["items"]] == [world.users["student"].id]


@pytest.mark.parametrize("path", ["/api/v1/skills", "/api/v1/equipment-categories"])
@pytest.mark.parametrize("role", ["student", "instructor", "enterprise_staff"])
def test_the_shared_vocabularies_are_read_by_everyone(client, world, path, role):
    answer = client.get(path, query_string={"page_size": 100}, headers=world.headers(role))
    assert answer.status_code == 200, answer.get_json()
    everyone = client.get(path, query_string={"page_size": 100},
                          headers=world.headers("operator")).get_json()
    assert answer.get_json() == everyone
    if path.endswith("categories"):
        assert world.category.id in {c["id"] for c in answer.get_json()["items"]}
