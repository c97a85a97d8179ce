"""Attendees of a class checked in one by one, through HTTP: who may, ETags, hostile callers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from .problems import assert_problem


@pytest.fixture
def lesson(make, world, session):
    """The instructor's class on the school's item, checked in ten minutes ago, two students
    attending (the world's student and a classmate)."""
    now = datetime.now(UTC).replace(microsecond=0)
    classmate = make.user("student", world.school, full_name="Classmate")
    reservation = make.reservation(
        world.equipment, world.users["instructor"], now - timedelta(minutes=10),
        now + timedelta(minutes=50), status="checked_in", checked_in_at=now - timedelta(
            minutes=10), attendees=[world.users["student"], classmate])
    session.commit()
    world.extra["classmate"] = classmate
    world.extra["classmate_token"] = make.token(classmate)
    session.commit()
    return reservation


def url(reservation, user) -> str:
    return f"/api/v1/reservations/{reservation.id}/attendees/{user.id}/check-in"


def test_the_instructor_checks_a_student_in_and_the_reservation_says_so(client, world,
                                                                      lesson):
    student, classmate = world.users["student"], world.extra["classmate"]
    version = lesson.version
    response = client.post(url(lesson, student), headers=world.headers("instructor"))
    assert response.status_code == 200, response.get_json()
    answered = response.get_json()
    assert response.headers["ETag"] == f'"{answered["version"]}"'
    assert answered["version"] == version + 1
    by_id = {a["user_id"]: a for a in answered["attendance"]}
    assert set(by_id) == {student.id, classmate.id}
    assert by_id[student.id]["name"] == student.full_name
    checked_in = datetime.fromisoformat(by_id[student.id]["checked_in_at"])
    assert abs(checked_in - datetime.now(UTC)) < timedelta(minutes=1)
    assert by_id[classmate.id] == {"user_id": classmate.id, "name": "Classmate",
                                   "checked_in_at": None}
    assert sorted(answered["attendees"]) == sorted([student.id, classmate.id])
    shown = client.get(f"/api/v1/reservations/{lesson.id}", headers=world.headers("student"))
    assert shown.get_json()["attendance"] == answered["attendance"]


def test_checking_in_again_is_200_and_keeps_the_first_instant(client, world, lesson):
    student = world.users["student"]
    first = client.post(url(lesson, student), headers=world.headers("student")).get_json()
    again = client.post(url(lesson, student), headers=world.headers("instructor"))
    assert again.status_code == 200
    assert again.get_json()["attendance"] == first["attendance"]
    assert again.get_json()["version"] == first["version"]


def test_if_match_guards_the_check_in(client, world, lesson):
    student, version = world.users["student"], lesson.version
    stale = client.post(url(lesson, student), headers={
        **world.headers("instructor"), "If-Match": f'"{version + 5}"'})
    assert_problem(stale, 412, "stale_etag")
    fresh = client.post(url(lesson, student), headers={
        **world.headers("instructor"), "If-Match": f'"{version}"'})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == f'"{version + 1}"'



def test_nobody_outside_the_class_checks_anyone_in(client, world, lesson):
    student = world.users["student"]
    for role in ("other_instructor", "other_student", "other_admin", "other_staff"):
        assert_problem(client.post(url(lesson, student), headers=world.headers(role)), 404,
                       "not_found")
    # A classmate sees the class but checks in only themselves.
    classmate = {"Authorization": f"Bearer {world.extra['classmate_token']}"}
    assert_problem(client.post(url(lesson, student), headers=classmate), 403, "forbidden")
    assert client.post(url(lesson, world.extra["classmate"]), headers=classmate
                       ).status_code == 200
    assert_problem(client.post(url(lesson, student)), 401, "not_authenticated")


def test_only_attendees_are_checked_in(client, world, lesson, make):
    outsider = make.user("student", world.school)
    for user in (outsider, world.users["other_student"], world.users["instructor"]):
        body = assert_problem(client.post(url(lesson, user), headers=world.headers("admin")),
                              404, "not_an_attendee")
        assert body["errors"] == {"user_id": ["Not an attendee of this reservation."]}
    unknown = f"/api/v1/reservations/{lesson.id}/attendees/99999999/check-in"
    assert_problem(client.post(unknown, headers=world.headers("instructor")), 404,
                   "not_an_attendee")
    assert_problem(client.post(f"/api/v1/reservations/99999999/attendees/{outsider.id}"
                               "/check-in", headers=world.headers("instructor")),
                   404, "not_found")


def test_a_checked_out_class_takes_nobody_more(client, world, lesson):
    checked_out = client.post(f"/api/v1/reservations/{lesson.id}/check-out",
                              headers=world.headers("instructor"))
    assert checked_out.status_code == 200
    assert_problem(client.post(url(lesson, world.users["student"]),
                               headers=world.headers("student")), 409, "attendance_closed")


def test_a_confirmed_class_far_ahead_is_outside_the_window(client, world, make, session):
    now = datetime.now(UTC)
    later = make.reservation(world.equipment, world.users["instructor"],
                             now + timedelta(hours=3), now + timedelta(hours=4),
                             status="confirmed", attendees=[world.users["student"]])
    session.commit()
    body = assert_problem(client.post(url(later, world.users["student"]),
                                      headers=world.headers("student")),
                          409, "outside_check_in_window")
    assert "opens_at" in body and "closes_at" in body
