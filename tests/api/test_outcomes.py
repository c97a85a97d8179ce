"""Outcomes through HTTP: recording, reading, editing, idempotent retries, validation, the
skill vocabulary; never an e-mail in an answer."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from service.outcomes.models import Outcome

from .outcomes import API, emails_in, lesson, post
from .problems import assert_problem


@pytest.fixture
def done(make, world, session):
    """A completed lesson."""
    return lesson(make, world, session)


def test_the_holder_records_an_outcome_and_anyone_entitled_reads_it(client, world, done):
    created = post(client, world)
    assert created.status_code == 201, created.get_json()
    outcome = created.get_json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"{API}/{outcome['id']}"
    student, classmate = world.users["student"], world.extra["classmate"]
    created_at = datetime.fromisoformat(outcome["created_at"])
    assert outcome == {
        "id": outcome["id"],
        "reservation": {"id": done.id, "equipment_id": world.enterprise_equipment.id,
                        "equipment_name": world.enterprise_equipment.name,
                        "offer_id": world.extra["offer"].id, "holder_name": student.full_name,
                        "timezone": "Asia/Shanghai", "starts_at": "2026-03-02T01:00:00+00:00",
                        "ends_at": "2026-03-02T03:00:00+00:00"},
        "school": {"id": world.school.id, "name": world.school.name},
        "author": {"id": student.id, "full_name": student.full_name},
        "skills": ["cnc-turning", "metrology"],
        "free_tags": ["chip breaking"],
        "trainee_count": 12,
        "trainees": [{"id": classmate.id, "full_name": "Classmate Chen"}],
        "hours": 1.5,
        "result": "Turned a shaft to 0.02 mm.",
        "links": ["https://example.org/report"],
        "version": 1,
        "created_at": outcome["created_at"],
        "updated_at": outcome["updated_at"],
        "editable_until": (created_at + timedelta(days=14)).isoformat(),
    }
    for role in ("student", "instructor", "admin", "enterprise_staff", "manager"):
        seen = client.get(created.headers["Location"], headers=world.headers(role))
        assert (seen.status_code, seen.get_json()) == (200, outcome), role
        assert seen.headers["ETag"] == '"1"'
        assert emails_in(seen.get_json()) == []
    unchanged = client.get(created.headers["Location"], headers={
        **world.headers("manager"), "If-None-Match": '"1"'})
    assert unchanged.status_code == 304
    for role in ("other_staff", "other_admin", "operator"):
        assert_problem(client.get(created.headers["Location"], headers=world.headers(role)),
                       404, "not_found")


@pytest.mark.parametrize("result", [" Indented by a space.", "\u0085NEL first, then words.",
                                    "\u3000全角空格开头。"])
def test_a_result_that_begins_with_a_space_is_not_blank(client, world, done, result):
    created = post(client, world, result=result)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["result"].strip() == result.strip()


def test_an_instructor_records_it_for_the_holder(client, world, done):
    created = post(client, world, role="instructor",
                   trainee_ids=[world.users["student"].id, world.extra["classmate"].id])
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["author"] == {"id": world.users["instructor"].id,
                                            "full_name": world.users["instructor"].full_name}
    assert [t["id"] for t in created.get_json()["trainees"]] == sorted(
        [world.users["student"].id, world.extra["classmate"].id])


def test_a_retry_with_the_same_key_answers_the_same_and_writes_one_row(client, world, done,
                                                                      session):
    first = post(client, world, key="outcome-retry-1")
    again = post(client, world, key="outcome-retry-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert (again.headers["Location"], again.headers["ETag"]) == (
        first.headers["Location"], first.headers["ETag"])
    assert session.scalar(select(func.count()).select_from(Outcome)) == 1
    other_body = post(client, world, key="outcome-retry-1", hours=1)
    assert_problem(other_body, 422, "idempotency_key_reused")


def test_a_refusal_is_replayed_too(client, make, world, session):
    lesson(make, world, session, status="confirmed")
    first = post(client, world, key="outcome-early")
    again = post(client, world, key="outcome-early")
    assert assert_problem(first, 409, "reservation_not_completed")["current_status"] == (
        "confirmed")
    assert again.get_json() == first.get_json()


def test_a_second_outcome_for_the_reservation_is_409_naming_the_first(client, world, done):
    first = post(client, world).get_json()
    second = post(client, world, role="instructor")
    assert assert_problem(second, 409, "outcome_exists")["outcome_id"] == first["id"]


@pytest.mark.parametrize("status", ["pending", "confirmed", "checked_in", "cancelled",
                                    "rejected", "no_show"])
def test_only_a_completed_reservation_gets_an_outcome(client, make, world, session, status):
    lesson(make, world, session, status=status)
    refused = assert_problem(post(client, world), 409, "reservation_not_completed")
    assert refused["current_status"] == status


def test_outcomes_are_kept_for_sessions_outside_offers(client, make, world, session):
    lesson(make, world, session, equipment=world.equipment)
    created = post(client, world)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["reservation"]["equipment_id"] == world.equipment.id
    assert created.get_json()["reservation"]["offer_id"] is None


@pytest.mark.parametrize("extra, status, code, field", [
    ({"colour": "red"}, 422, "validation_error", "colour"),
    ({"reservation_id": None}, 422, "validation_error", "reservation_id"),
    ({"reservation_id": 10**12}, 422, "unknown_reservation", "reservation_id"),
    ({"skills": ["juggling"]}, 422, "unknown_skill", "skills"),
    ({"skills": [], "free_tags": []}, 422, "skills_required", "skills"),
    ({"skills": ["welding"], "free_tags": [f"t{n}" for n in range(10)]}, 422,
     "too_many_skills", "skills"),
    ({"free_tags": ["x" * 61]}, 422, "invalid_free_tag", "free_tags"),
    ({"free_tags": ["   "]}, 422, "invalid_free_tag", "free_tags"),
    ({"trainee_count": 0}, 422, "validation_error", "trainee_count"),
    ({"trainee_count": 1.5}, 422, "validation_error", "trainee_count"),
    ({"trainee_count": 0, "trainee_ids": []}, 422, "validation_error", "trainee_count"),
    ({"hours": 0}, 422, "validation_error", "hours"),
    ({"hours": -1}, 422, "validation_error", "hours"),
    ({"hours": 1.234}, 422, "validation_error", "hours"),
    ({"hours": "lots"}, 422, "validation_error", "hours"),
    ({"hours": 2.25}, 422, "hours_exceed_booking", "hours"),
    ({"result": ""}, 422, "validation_error", "result"),
    ({"result": "   "}, 422, "validation_error", "result"),
    ({"result": "x" * 2001}, 422, "validation_error", "result"),
    ({"links": ["ftp://example.org/file"]}, 422, "validation_error", "links"),
    ({"links": ["https://example.org/" + "x" * 490]}, 422, "validation_error", "links"),
    ({"links": [f"https://example.org/{n}" for n in range(6)]}, 422, "validation_error",
     "links"),
])
def test_bodies_are_validated_naming_the_field(client, world, done, extra, status, code,
                                               field):
    problem = assert_problem(post(client, world, **extra), status, code)
    assert field in problem["errors"], problem


def test_trainees_are_people_of_the_session_counted_in_trainee_count(client, world, done):
    stranger = world.users["other_student"].id
    refused = assert_problem(post(client, world, trainee_ids=[stranger]), 422,
                             "not_an_attendee")
    assert refused["user_ids"] == [stranger]
    assert str(stranger) in refused["errors"]["trainee_ids"][0]
    both = [world.users["student"].id, world.extra["classmate"].id]
    short = post(client, world, trainee_count=1, trainee_ids=both)
    assert "trainee_count" in assert_problem(short, 422, "trainee_count_too_small")["errors"]


def test_a_reservation_one_cannot_see_is_as_if_absent(client, world, done):
    for role in ("other_student", "other_instructor", "other_admin"):
        refused = assert_problem(post(client, world, role=role), 422, "unknown_reservation")
        assert refused["errors"] == {"reservation_id": ["No such reservation."]}
    assert_problem(post(client, world, role="admin"), 403, "not_holder_or_instructor")
    assert_problem(post(client, world, role="enterprise_staff"), 403, "role_not_allowed")


def test_patch_honours_if_match_the_author_and_the_edit_window(client, world, done, session):
    created = post(client, world)
    url = created.headers["Location"]
    stale = client.patch(url, json={"hours": 2},
                         headers={**world.headers("student"), "If-Match": '"7"'})
    assert_problem(stale, 412, "stale_etag")
    changed = client.patch(url, json={"hours": 2, "free_tags": ["Jigs"], "skills": []},
                           headers={**world.headers("student"), "If-Match": '"1"'})
    assert changed.status_code == 200, changed.get_json()
    assert changed.headers["ETag"] == '"2"'
    edited = changed.get_json()
    assert (edited["hours"], edited["skills"], edited["free_tags"], edited["version"]) == (
        2.0, [], ["jigs"], 2)
    emptied = client.patch(url, json={"skills": [], "free_tags": []},
                           headers=world.headers("student"))
    assert "skills" in assert_problem(emptied, 422, "skills_required")["errors"]
    assert_problem(client.patch(url, json={"reservation_id": 1},
                                headers=world.headers("student")), 422, "validation_error")
    for role in ("instructor", "admin", "manager"):
        assert_problem(client.patch(url, json={"result": "Mine"}, headers=world.headers(role)),
                       403, "not_outcome_author")
    assert_problem(client.patch(url, json={"result": "Mine"},
                                headers=world.headers("other_staff")), 404, "not_found")
    # Fifteen days later the outcome is final.
    session.execute(update(Outcome).values(
        created_at=func.now() - timedelta(days=15)).execution_options(synchronize_session=False))
    session.commit()
    session.expire_all()
    locked = client.patch(url, json={"result": "Too late"}, headers=world.headers("student"))
    assert "editable_until" in assert_problem(locked, 409, "outcome_locked")


def test_the_edit_window_is_the_outcome_edit_days_setting(app, client, world, done,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "OUTCOME_EDIT_DAYS", 0)
    created = post(client, world).get_json()
    assert created["editable_until"] == created["created_at"]
    locked = client.patch(f"{API}/{created['id']}", json={"result": "Fix"},
                          headers=world.headers("student"))
    assert_problem(locked, 409, "outcome_locked")


def test_the_list_filters_sorts_and_pages(client, make, world, session, done):
    first = post(client, world).get_json()
    lesson(make, world, session, equipment=world.other_enterprise_equipment)
    second = post(client, world).get_json()
    headers = world.headers("admin")

    def ids(query=""):
        answer = client.get(f"{API}{query}", headers=headers)
        assert answer.status_code == 200, answer.get_json()
        assert emails_in(answer.get_json()) == []
        return [o["id"] for o in answer.get_json()["items"]]

    assert ids() == [first["id"], second["id"]]
    assert ids("?sort=-id") == [second["id"], first["id"]]
    assert ids(f"?equipment_id={world.other_enterprise_equipment.id}") == [second["id"]]
    assert ids(f"?reservation_id={done.id}") == [first["id"]]
    assert ids("?from=2026-03-02T03:00:00%2B00:00") == []
    # One start: ties are broken by id.
    assert ids("?to=2026-03-02T01:00:01Z&sort=-starts_at") == [first["id"], second["id"]]
    page = client.get(f"{API}?page_size=1&page=2", headers=headers).get_json()
    assert (page["total"], page["page"], [o["id"] for o in page["items"]]) == (
        2, 2, [second["id"]])
    assert_problem(client.get(f"{API}?colour=red", headers=headers), 422, "validation_error")
    assert_problem(client.get(f"{API}?sort=result", headers=headers), 422, "validation_error")
    assert_problem(client.get(f"{API}?from=2026-03-02T03:00:00", headers=headers), 422,
                   "validation_error")


def test_the_offer_filter_finds_the_sessions_booked_under_it(client, world, done):
    first = post(client, world).get_json()
    offer = world.extra["offer"]
    listed = client.get(f"{API}?offer_id={offer.id}", headers=world.headers("manager"))
    assert [o["id"] for o in listed.get_json()["items"]] == [first["id"]]
    none = client.get(f"{API}?offer_id={offer.id + 1000}", headers=world.headers("manager"))
    assert none.get_json()["total"] == 0


def test_the_skill_vocabulary_is_there_for_every_signed_in_user(client, world):
    for role in ("student", "enterprise_staff", "operator"):
        answer = client.get("/api/v1/skills?page_size=100", headers=world.headers(role))
        assert answer.status_code == 200
        page = answer.get_json()
        assert page["total"] == 19 and len(page["items"]) == 19
        assert page["items"][0] == {"tag": "additive-manufacturing",
                                    "label_en": "Additive manufacturing (3D printing)",
                                    "label_zh": "增材制造（3D 打印）",
                                    "label": "Additive manufacturing (3D printing)",
                                    "version": 1}
        assert [s["tag"] for s in page["items"]] == sorted(s["tag"] for s in page["items"])
    by_label = client.get("/api/v1/skills?sort=-label_en&page_size=1",
                          headers=world.headers("student")).get_json()
    assert by_label["items"][0]["tag"] == "workplace-safety"
    assert_problem(client.get("/api/v1/skills"), 401, "not_authenticated")


def test_a_missing_key_in_a_retry_is_a_fresh_request(client, world, done):
    key = uuid.uuid4().hex
    assert post(client, world, key=key).status_code == 201
    assert_problem(post(client, world), 409, "outcome_exists")
