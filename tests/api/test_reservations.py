"""The booking engine through HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .bookings import body, post, tomorrow
from .problems import assert_problem


def test_student_reserves_a_free_slot(client, world, item):
    response = post(client, world, "student", body(item, purpose="Practice turning"))
    assert response.status_code == 201
    reservation = response.get_json()
    assert reservation["status"] == "confirmed"
    assert reservation["holder_id"] == world.users["student"].id
    assert datetime.fromisoformat(reservation["blocked_until"]) == tomorrow(11, 15)
    assert response.headers["ETag"] == f'"{reservation["version"]}"'


def test_naive_times_are_422(client, world, item):
    payload = body(item)
    payload["starts_at"] = "2030-01-01T10:00:00"
    response = post(client, world, "student", payload)
    assert "starts_at" in assert_problem(response, 422, "validation_error")["errors"]


def test_a_taken_slot_is_409_naming_the_span_but_not_the_holder(client, world, item):
    assert post(client, world, "instructor", body(item)).status_code == 201
    response = post(client, world, "student", body(item, start=tomorrow(10, 30)))
    problem = assert_problem(response, 409, "reservation_conflict")
    assert datetime.fromisoformat(problem["conflicting_span"]["starts_at"]) == tomorrow(10)
    assert "reservation_id" not in problem["conflicting_span"]
    staff = post(client, world, "admin", body(item, start=tomorrow(10, 30)))
    assert "reservation_id" in assert_problem(staff, 409, "reservation_conflict")[
        "conflicting_span"]


def test_rule_refusals_carry_their_codes(client, world, item):
    assert_problem(post(client, world, "student", body(item, start=tomorrow(10, 10))), 422,
                   "not_on_slot_grid")
    assert_problem(post(client, world, "student", body(item, start=tomorrow(21, 30))), 422,
                   "outside_opening_hours")
    assert_problem(post(client, world, "student", body(item, start=tomorrow(10, days=40))),
                   422, "beyond_booking_horizon")
    assert_problem(post(client, world, "student", body(item, start=tomorrow(10, days=-2))),
                   422, "starts_in_past")


def test_enterprise_staff_do_not_book_a_schools_equipment(client, world, item):
    # A school's item does not exist for them (tests/api/test_another_schools_items.py).
    problem = assert_problem(post(client, world, "enterprise_staff", body(item)), 422,
                             "validation_error")
    assert problem["errors"] == {"equipment_id": ["Does not exist."]}


def test_same_idempotency_key_and_body_replays_the_first_answer(client, world, item):
    payload = body(item)
    first = post(client, world, "student", payload, **{"Idempotency-Key": "abc-1"})
    again = post(client, world, "student", payload, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    listed = client.get("/api/v1/reservations", headers=world.headers("student")).get_json()
    assert listed["total"] == 1


def test_same_idempotency_key_with_another_body_is_422(client, world, item):
    post(client, world, "student", body(item), **{"Idempotency-Key": "abc-2"})
    response = post(client, world, "student", body(item, start=tomorrow(14)),
                    **{"Idempotency-Key": "abc-2"})
    assert "Idempotency-Key" in assert_problem(response, 422, "idempotency_key_reused")["errors"]


def test_a_refusal_is_replayed_too(client, world, item):
    post(client, world, "instructor", body(item))
    first = post(client, world, "student", body(item), **{"Idempotency-Key": "k-3"})
    again = post(client, world, "student", body(item), **{"Idempotency-Key": "k-3"})
    assert first.status_code == again.status_code == 409
    assert first.get_json() == again.get_json()


def test_a_garbled_idempotency_key_is_400(client, world, item):
    response = post(client, world, "student", body(item), **{"Idempotency-Key": "has space"})
    assert "Idempotency-Key" in assert_problem(response, 400, "invalid_header")["errors"]


def test_a_reservation_states_its_check_in_window_as_check_in_applies_it(client, world, item):
    reservation = post(client, world, "student", body(item)).get_json()
    starts_at = datetime.fromisoformat(reservation["starts_at"])
    assert (datetime.fromisoformat(reservation["check_in_opens_at"]),
            datetime.fromisoformat(reservation["check_in_closes_at"])) == (
        starts_at - timedelta(minutes=15), starts_at + timedelta(minutes=15))
    early = client.post(f"/api/v1/reservations/{reservation['id']}/check-in",
                        headers=world.headers("student"))
    refusal = assert_problem(early, 409, "outside_check_in_window")
    assert (refusal["opens_at"], refusal["closes_at"]) == (
        reservation["check_in_opens_at"], reservation["check_in_closes_at"])


def test_lifecycle_through_http_with_history(client, world, item):
    reservation = post(client, world, "student", body(item)).get_json()
    url = f"/api/v1/reservations/{reservation['id']}"
    early = client.post(url + "/check-in", headers=world.headers("student"))
    assert_problem(early, 409, "outside_check_in_window")
    cancelled = client.post(url + "/cancel", json={"reason": "exam clash"},
                            headers=world.headers("student"))
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    history = client.get(url + "/history", headers=world.headers("student")).get_json()
    assert [(e["from_status"], e["to_status"]) for e in history["events"]] == [
        (None, "confirmed"), ("confirmed", "cancelled")]
    assert history["events"][1]["reason"] == "exam clash"
    assert_problem(client.post(url + "/cancel", headers=world.headers("student")), 409,
                   "invalid_transition")


def test_reservations_of_others_are_404_to_students(client, make, world, item):
    reservation = post(client, world, "instructor", body(item)).get_json()
    url = f"/api/v1/reservations/{reservation['id']}"
    assert_problem(client.get(url, headers=world.headers("student")), 404, "not_found")
    assert client.get(url, headers=world.headers("admin")).status_code == 200
    assert_problem(client.get(url, headers=world.headers("other_staff")), 404, "not_found")


def test_availability_shows_free_and_busy_with_buffers(client, world, item):
    post(client, world, "instructor", body(item))
    start, end = tomorrow(0), tomorrow(0, days=2)
    response = client.get(f"/api/v1/equipment/{item.id}/availability",
                          query_string={"from": start.isoformat(), "to": end.isoformat()},
                          headers=world.headers("student"))
    assert response.status_code == 200
    result = response.get_json()
    free = [(datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
            for s in result["free"]]
    # 06:00-22:00, minus 10:00-11:15 and the buffer a new booking needs before 10:00.
    assert free == [(tomorrow(6), tomorrow(9, 30)), (tomorrow(11, 30), tomorrow(22))]
    [busy] = result["busy"]
    assert busy["kind"] == "reservation" and "holder_id" not in busy
    staff_view = client.get(f"/api/v1/equipment/{item.id}/availability",
                            query_string={"from": start.isoformat(), "to": end.isoformat()},
                            headers=world.headers("admin")).get_json()
    assert staff_view["busy"][0]["holder_id"] == world.users["instructor"].id


def test_availability_windows_are_bounded(client, world, item):
    url = f"/api/v1/equipment/{item.id}/availability"
    start = tomorrow(0)
    too_long = client.get(url, headers=world.headers("student"), query_string={
        "from": start.isoformat(), "to": (start + timedelta(days=40)).isoformat()})
    assert_problem(too_long, 422, "window_too_large")
    naive = client.get(url, headers=world.headers("student"), query_string={
        "from": "2030-01-01T00:00:00", "to": "2030-01-02T00:00:00"})
    assert_problem(naive, 422, "validation_error")


def test_catalogue_lists_items_free_for_a_whole_span(client, make, world, item, session):
    other = make.equipment(item.base, world.category, world.school, name="Spare lathe")
    session.commit()
    post(client, world, "instructor", body(item))
    response = client.get("/api/v1/equipment", headers=world.headers("student"), query_string={
        "free_from": tomorrow(10, 30).isoformat(), "free_to": tomorrow(11).isoformat(),
        "base_id": item.base_id})
    assert [i["id"] for i in response.get_json()["items"]] == [other.id]
    closed = client.get("/api/v1/equipment", headers=world.headers("student"), query_string={
        "free_from": tomorrow(22).isoformat(), "free_to": tomorrow(23).isoformat(),
        "base_id": item.base_id})
    assert closed.get_json()["total"] == 0
    half = client.get("/api/v1/equipment", headers=world.headers("student"),
                      query_string={"free_from": tomorrow(22).isoformat()})
    assert "free_to" in assert_problem(half, 422, "validation_error")["errors"]


def test_notifications_and_calendar_feed(client, world, item):
    reservation = post(client, world, "student", body(item, purpose="Turning")).get_json()
    notes = client.get("/api/v1/me/notifications", headers=world.headers("student")).get_json()
    assert [n["kind"] for n in notes["items"]] == ["confirmed"]
    assert notes["items"][0]["reservation_id"] == reservation["id"]

    ics = client.get("/api/v1/me/calendar.ics", headers=world.headers("student"))
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert f"UID:reservation-{reservation['id']}@benchshare" in ics.get_data(as_text=True)

    link = client.get("/api/v1/me/calendar-link", headers=world.headers("student")).get_json()
    path = link["url"].split("localhost", 1)[1]
    by_key = client.get(path)
    assert by_key.status_code == 200 and b"BEGIN:VCALENDAR" in by_key.data
    wrong = client.get("/api/v1/me/calendar.ics?key=1.deadbeef")
    assert_problem(wrong, 404, "not_found")
    assert_problem(client.get("/api/v1/me/calendar.ics"), 401, "not_authenticated")


def test_series_through_http(client, world, item):
    start_day = tomorrow(0).date()
    response = client.post("/api/v1/series", headers=world.headers("instructor"), json={
        "equipment_id": item.id, "weekdays": [start_day.isoweekday()], "start_time": "14:00",
        "duration_minutes": 60, "starts_on": start_day.isoformat(), "count": 2,
        "attendees": [world.users["student"].id]})
    assert response.status_code == 201, response.get_json()
    result = response.get_json()
    assert len(result["reservations"]) == 2 and result["skipped"] == []
    assert result["reservations"][0]["attendees"] == [world.users["student"].id]
    mine = client.get("/api/v1/reservations", headers=world.headers("student")).get_json()
    assert mine["total"] == 2, "attendees see the sessions they attend"
    both = client.post("/api/v1/series", headers=world.headers("instructor"), json={
        "equipment_id": item.id, "weekdays": [1], "start_time": "14:00",
        "duration_minutes": 60, "starts_on": start_day.isoformat(), "count": 2,
        "until": start_day.isoformat()})
    assert_problem(both, 422, "series_end_required")


def test_quotas_are_set_by_the_schools_admin(client, world, item):
    url = f"/api/v1/organisations/{world.school.id}/quotas/student"
    response = client.put(url, json={"weekly_hours": 1, "active_reservations": None},
                          headers=world.headers("admin"))
    assert response.status_code == 200 and response.get_json()["weekly_hours"] == 1
    assert post(client, world, "student", body(item)).status_code == 201
    over = post(client, world, "student", body(item, start=tomorrow(14)))
    assert_problem(over, 409, "quota_exceeded")
    assert_problem(client.put(url, json={"weekly_hours": 1, "active_reservations": None},
                              headers=world.headers("instructor")), 403, "role_not_allowed")
    assert_problem(client.put(f"/api/v1/organisations/{world.school.id}/quotas/operator",
                              json={"weekly_hours": 1, "active_reservations": None},
                              headers=world.headers("admin")), 404, "not_found")


# ---------------------------------------------------------------- the permission matrix
def test_strangers_see_busy_time_but_not_who_holds_it(client, world, item, make, session):
    post(client, world, "student", body(item))
    classmate = make.user("student", world.school)
    session.commit()
    view = client.get(f"/api/v1/equipment/{item.id}/availability", headers={
        "Authorization": f"Bearer {make.token(classmate)}"}, query_string={
        "from": tomorrow(0).isoformat(), "to": tomorrow(0, days=2).isoformat()}).get_json()
    [busy] = view["busy"]
    assert "holder_id" not in busy and "reservation_id" not in busy


def test_availability_counts_a_booking_just_after_the_window(client, world, item):
    post(client, world, "instructor", body(item))                 # 10:00-11:00 +15 min
    view = client.get(f"/api/v1/equipment/{item.id}/availability", headers=world.headers(
        "student"), query_string={"from": tomorrow(9).isoformat(),
                                  "to": tomorrow(10).isoformat()}).get_json()
    assert [(s["starts_at"], s["ends_at"]) for s in view["free"]] == [
        (tomorrow(9).astimezone(ZoneInfo("UTC")).isoformat(),
         tomorrow(9, 30).astimezone(ZoneInfo("UTC")).isoformat())]


@pytest.mark.parametrize("url, headers", [
    ("/api/v1/me/calendar.ics?key=%C2%B2.abcdef", {}),
])
def test_unicode_digits_in_keys_are_refused_not_500(client, url, headers):
    assert client.get(url, headers=headers).status_code == 404


def test_unicode_digits_in_if_match_are_400(client, world, item):
    response = client.patch(f"/api/v1/equipment/{item.id}", json={"name": "x"},
                            headers={**world.headers("admin"), "If-Match": '"\u00b2"'})
    assert_problem(response, 400, "invalid_header")


def test_limits_come_from_the_configuration(client, world, item, app, monkeypatch):
    """PAGE_SIZE_MAX, AVAILABILITY_MAX_DAYS and SERIES_MAX_OCCURRENCES govern the API; no
    schema hard-codes its own copy."""
    headers = world.headers("instructor")
    monkeypatch.setitem(app.config, "PAGE_SIZE_MAX", 3)
    page = client.get("/api/v1/equipment?page_size=4", headers=headers)
    assert assert_problem(page, 422, "validation_error")["errors"] == {
        "page_size": ["At most 3."]}
    assert client.get("/api/v1/equipment?page_size=3", headers=headers).status_code == 200
    monkeypatch.setitem(app.config, "PAGE_SIZE_MAX", 200)
    assert client.get("/api/v1/equipment-categories?page_size=150",
                      headers=headers).status_code == 200

    monkeypatch.setitem(app.config, "AVAILABILITY_MAX_DAYS", 2)
    free = client.get("/api/v1/equipment", headers=headers, query_string={
        "free_from": tomorrow(9).isoformat(), "free_to": tomorrow(9, days=4).isoformat()})
    assert assert_problem(free, 422, "window_too_large")["errors"] == {
        "free_to": ["At most 2 days after free_from."]}

    monkeypatch.setitem(app.config, "SERIES_MAX_OCCURRENCES", 2)
    series = client.post("/api/v1/series", headers=headers, json={
        "equipment_id": item.id, "weekdays": [1, 2, 3, 4, 5], "start_time": "09:00",
        "duration_minutes": 60, "starts_on": tomorrow(9).date().isoformat(), "count": 3})
    assert assert_problem(series, 422, "series_too_long")["errors"] == {
        "count": ["At most 2 sessions."]}


def test_a_request_the_owner_never_decided_lapses_and_is_nobodys_cancellation(
        client, world, item, make, session):
    """It was `cancelled` and counted as the student's late cancellation. Yesterday's request
    (the reports show days up to today), lapsed at its start by the scheduler's job."""
    from service.reservations import jobs
    from service.reservations.policy import BookingPolicy

    start = tomorrow(10, days=-1)
    item.requires_approval = True
    item.created_at = start - timedelta(days=7)
    asked = make.reservation(item, world.users["student"], start, start + timedelta(hours=1),
                             status="pending")
    session.commit()
    assert jobs.expire_holds(session, policy=BookingPolicy(), now=start) == 1
    shown = client.get(f"/api/v1/reservations/{asked.id}", headers=world.headers("student"))
    assert shown.status_code == 200 and shown.get_json()["status"] == "lapsed"
    events = client.get(f"/api/v1/reservations/{asked.id}/history",
                        headers=world.headers("student")).get_json()["events"]
    assert [(e["from_status"], e["to_status"], e["actor_id"], e["reason"]) for e in events][-1] \
        == ("pending", "lapsed", None, "the owner did not decide before the start")
    [told] = [n for n in client.get("/api/v1/me/notifications", headers=world.headers(
        "student")).get_json()["items"] if n["kind"] == "lapsed"]
    assert told["subject"] == "Request lapsed: Lathe"
    assert (f"The item's owner did not decide on the request by {start:%Y-%m-%d} 10:00 "
            "(UTC+08:00), so it lapsed; it does not count as a cancellation of yours.") \
        in told["body"]
    late = client.post(f"/api/v1/reservations/{asked.id}/approve",
                       headers=world.headers("admin"), json={})
    assert_problem(late, 409, "invalid_transition")
    day = start.date()
    report = client.get("/api/v1/reports/utilisation", headers=world.headers("admin"),
                        query_string={"from": day.isoformat(),
                                      "to": (day + timedelta(days=1)).isoformat()})
    [row] = [r for r in report.get_json()["rows"] if r["group_id"] == item.id]
    assert (row["booked_hours"], row["cancellations"], row["late_cancellations"]) == (0.0, 0, 0)
    listed = client.get("/api/v1/reservations", headers=world.headers("student"),
                        query_string={"status": "lapsed"}).get_json()
    assert [r["id"] for r in listed["items"]] == [asked.id]
