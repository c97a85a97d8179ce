"""The catalogue through HTTP: bases, closures, categories, equipment, qualifications."""

from __future__ import annotations

from datetime import timedelta

from service.db import utcnow

from .problems import assert_problem


def new_item(world, **overrides):
    return {"name": "Lathe", "asset_tag": "NEW-001", "base_id": world.base.id,
            "category_id": world.category.id, **overrides}


def test_admin_creates_a_base_with_opening_hours_in_its_time_zone(client, world):
    response = client.post("/api/v1/training-bases", headers=world.headers("admin"), json={
        "name": "North workshop", "kind": "campus", "organisation_id": world.school.id,
        "timezone": "Europe/Berlin",
        "opening_hours": [{"weekday": 1, "opens": "08:00", "closes": "12:00"},
                          {"weekday": 1, "opens": "13:00", "closes": "17:00"}]})
    assert response.status_code == 201
    body = response.get_json()
    assert body["timezone"] == "Europe/Berlin"
    assert body["opening_hours"] == [{"weekday": 1, "opens": "08:00", "closes": "12:00"},
                                     {"weekday": 1, "opens": "13:00", "closes": "17:00"}]
    assert response.headers["ETag"] == '"1"'


def test_unknown_time_zone_is_422_invalid_timezone(client, world):
    response = client.post("/api/v1/training-bases", headers=world.headers("admin"), json={
        "name": "Nowhere", "kind": "campus", "organisation_id": world.school.id,
        "timezone": "Mars/Olympus_Mons"})
    body = assert_problem(response, 422, "invalid_timezone")
    assert "timezone" in body["errors"]


def test_overlapping_opening_hours_are_422(client, world):
    response = client.patch(f"/api/v1/training-bases/{world.base.id}",
                            headers=world.headers("admin"), json={"opening_hours": [
                                {"weekday": 2, "opens": "08:00", "closes": "12:00"},
                                {"weekday": 2, "opens": "11:00", "closes": "15:00"}]})
    body = assert_problem(response, 422, "invalid_opening_hours")
    assert "opening_hours" in body["errors"]


def test_replacing_opening_hours_from_today_moves_the_etag(client, world):
    before = client.get(f"/api/v1/training-bases/{world.base.id}", headers=world.headers("admin"))
    today = before.get_json()["opening_hours_on"]
    response = client.patch(f"/api/v1/training-bases/{world.base.id}",
                            headers=world.headers("admin"),
                            json={"opening_hours": [{"weekday": 6, "opens": "09:00",
                                                     "closes": "12:00"}],
                                  "opening_hours_from": today})
    assert response.status_code == 200
    assert response.get_json()["opening_hours"] == [
        {"weekday": 6, "opens": "09:00", "closes": "12:00"}]
    assert response.headers["ETag"] != before.headers["ETag"]


def test_closures_are_listed_and_removed(client, world):
    url = f"/api/v1/training-bases/{world.base.id}/closures"
    created = client.post(url, headers=world.headers("admin"), json={
        "starts_on": "2027-01-01", "ends_on": "2027-01-03", "reason": "New year"})
    assert created.status_code == 201
    closure = created.get_json()
    listed = client.get(url + "?from=2026-12-31", headers=world.headers("student")).get_json()
    assert [c["id"] for c in listed["items"]] == [closure["id"]]
    assert client.get(url + "?to=2026-12-31", headers=world.headers("student")).get_json()[
        "total"] == 0
    assert client.delete(f"{url}/{closure['id']}", headers=world.headers("admin")
                         ).status_code == 204
    assert client.get(url, headers=world.headers("admin")).get_json()["total"] == 0


def test_closure_ending_before_it_starts_is_422(client, world):
    response = client.post(f"/api/v1/training-bases/{world.base.id}/closures",
                           headers=world.headers("admin"),
                           json={"starts_on": "2027-01-03", "ends_on": "2027-01-01",
                                 "reason": "x"})
    body = assert_problem(response, 422, "validation_error")
    assert "ends_on" in body["errors"]


def test_enterprise_staff_list_equipment_owned_by_their_enterprise(client, world):
    response = client.post("/api/v1/equipment", headers=world.headers("enterprise_staff"),
                           json=new_item(world, base_id=world.enterprise_base.id,
                                         slot_minutes=60, setup_buffer_minutes=15))
    assert response.status_code == 201
    body = response.get_json()
    assert body["owner_organisation_id"] == world.enterprise.id
    assert body["min_duration_minutes"] == 60
    assert body["setup_buffer_minutes"] == 15
    assert body["status"] == "active"


def test_enterprise_staff_cannot_list_equipment_at_a_school_campus(client, world):
    response = client.post("/api/v1/equipment", headers=world.headers("enterprise_staff"),
                           json=new_item(world))
    body = assert_problem(response, 403, "base_not_owned")
    assert body["errors"] == {"base_id": ["Not a base of the item's owner."]}


def test_enterprise_staff_cannot_list_equipment_for_another_owner(client, world):
    response = client.post("/api/v1/equipment", headers=world.headers("enterprise_staff"),
                           json=new_item(world, base_id=world.enterprise_base.id,
                                         owner_organisation_id=world.school.id))
    body = assert_problem(response, 403, "not_your_organisation")
    assert body["errors"] == {"owner_organisation_id": ["Not your organisation."]}


def test_enterprise_staff_cannot_change_another_enterprises_equipment(client, world):
    # Another enterprise's machine is not even theirs to see: it does not exist for them.
    response = client.patch(f"/api/v1/equipment/{world.enterprise_equipment.id}",
                            headers=world.headers("other_staff"), json={"status": "retired"})
    assert_problem(response, 404, "not_found")
    # A colleague who sees the item but does not manage it is refused it instead.
    response = client.patch(f"/api/v1/equipment/{world.equipment.id}",
                            headers=world.headers("instructor"), json={"status": "retired"})
    assert response.status_code == 403


def test_duplicate_asset_tag_is_409(client, world):
    response = client.post("/api/v1/equipment", headers=world.headers("admin"),
                           json=new_item(world, asset_tag=world.equipment.asset_tag))
    body = assert_problem(response, 409, "asset_tag_taken")
    assert "asset_tag" in body["errors"]


def test_durations_off_the_slot_grid_are_422(client, world):
    response = client.post("/api/v1/equipment", headers=world.headers("admin"), json=new_item(
        world, slot_minutes=30, min_duration_minutes=45, max_duration_minutes=20))
    body = assert_problem(response, 422, "invalid_booking_rules")
    assert set(body["errors"]) == {"min_duration_minutes", "max_duration_minutes"}


def test_slot_that_does_not_divide_a_day_is_422(client, world):
    response = client.post("/api/v1/equipment", headers=world.headers("admin"),
                           json=new_item(world, slot_minutes=7))
    body = assert_problem(response, 422, "invalid_booking_rules")
    assert "slot_minutes" in body["errors"]


def test_catalogue_filters_sorts_and_pages(client, make, world):
    other = make.category(code="printers")
    for n in range(5):
        make.equipment(world.base, other, world.school, name=f"Printer {n}",
                       asset_tag=f"PRN-{n}", status="maintenance" if n == 4 else "active")
    headers = world.headers("student")
    page = client.get("/api/v1/equipment?category=printers&status=active&sort=-name"
                      "&page=2&page_size=3", headers=headers).get_json()
    assert page["total"] == 4
    assert page["page"] == 2 and page["page_size"] == 3
    assert [i["name"] for i in page["items"]] == ["Printer 0"]
    found = client.get("/api/v1/equipment?q=prn-3", headers=headers).get_json()
    assert [i["asset_tag"] for i in found["items"]] == ["PRN-3"]
    # A student sees an enterprise's item once it is offered to their school.
    make.offer(world.enterprise, world.school, [world.enterprise_equipment],
               created_by=world.users["enterprise_staff"])
    by_owner = client.get(f"/api/v1/equipment?owner_organisation_id={world.enterprise.id}",
                          headers=headers).get_json()
    assert [i["id"] for i in by_owner["items"]] == [world.enterprise_equipment.id]
    by_base = client.get(f"/api/v1/equipment?base_id={world.enterprise_base.id}",
                         headers=headers).get_json()
    assert by_base["total"] == 1


def test_search_text_is_taken_literally(client, make, world):
    make.equipment(world.base, world.category, world.school, name="100% steel", asset_tag="P1")
    make.equipment(world.base, world.category, world.school, name="1000 steel", asset_tag="P2")
    found = client.get("/api/v1/equipment?q=100%25", headers=world.headers("student")).get_json()
    assert [i["asset_tag"] for i in found["items"]] == ["P1"]


def test_deleting_a_category_in_use_is_409_still_referenced(client, world):
    response = client.delete(f"/api/v1/equipment-categories/{world.category.id}",
                             headers=world.headers("operator"))
    assert_problem(response, 409, "still_referenced")


def test_instructor_grants_renews_and_revokes_a_qualification(client, world):
    student = world.users["student"]
    expiry = (utcnow() + timedelta(days=90)).isoformat()
    granted = client.post("/api/v1/qualifications", headers=world.headers("instructor"), json={
        "user_id": student.id, "category_id": world.category.id, "expires_at": expiry})
    assert granted.status_code == 201
    qualification = granted.get_json()
    assert qualification["is_valid"] is True
    assert qualification["granted_by_id"] == world.users["instructor"].id

    again = client.post("/api/v1/qualifications", headers=world.headers("instructor"), json={
        "user_id": student.id, "category_id": world.category.id})
    assert assert_problem(again, 409, "qualification_exists")["existing_id"] == qualification[
        "id"]

    mine = client.get("/api/v1/qualifications", headers=world.headers("student")).get_json()
    assert [q["id"] for q in mine["items"]] == [qualification["id"]]

    url = f"/api/v1/qualifications/{qualification['id']}"
    renewed = client.patch(url, headers=world.headers("instructor"), json={"expires_at": None})
    assert renewed.status_code == 200 and renewed.get_json()["expires_at"] is None

    revoked = client.delete(url, headers=world.headers("instructor"))
    assert revoked.status_code == 200
    assert revoked.get_json()["is_valid"] is False
    assert client.get("/api/v1/qualifications?valid=true",
                      headers=world.headers("student")).get_json()["total"] == 0
    assert_problem(client.delete(url, headers=world.headers("instructor")), 409,
                   "qualification_revoked")


def test_qualification_expiring_in_the_past_is_422(client, world):
    response = client.post("/api/v1/qualifications", headers=world.headers("instructor"), json={
        "user_id": world.users["student"].id, "category_id": world.category.id,
        "expires_at": "2001-01-01T00:00:00+08:00"})
    body = assert_problem(response, 422, "expiry_in_past")
    assert "expires_at" in body["errors"]


def test_students_cannot_see_each_others_qualifications(client, make, world):
    other = make.user("student", world.school)
    granted = client.post("/api/v1/qualifications", headers=world.headers("instructor"),
                          json={"user_id": other.id, "category_id": world.category.id})
    url = f"/api/v1/qualifications/{granted.get_json()['id']}"
    assert_problem(client.get(url, headers=world.headers("student")), 404, "not_found")
    assert client.get(url, headers=world.headers("admin")).status_code == 200


def test_admin_manages_users_of_the_school(client, world):
    created = client.post("/api/v1/users", headers=world.headers("admin"), json={
        "organisation_id": world.school.id, "email": "New.Student@Test.example",
        "full_name": "New Student", "role": "student", "password": "long enough pw"})
    assert created.status_code == 201
    assert created.get_json()["email"] == "new.student@test.example"
    duplicate = client.post("/api/v1/users", headers=world.headers("admin"), json={
        "organisation_id": world.school.id, "email": "NEW.student@test.example",
        "full_name": "Twin", "role": "student", "password": "long enough pw"})
    assert_problem(duplicate, 409, "email_taken")


def test_role_must_fit_the_organisation(client, world):
    response = client.post("/api/v1/users", headers=world.headers("manager"), json={
        "email": "x@test.example", "full_name": "X", "role": "student",
        "password": "long enough pw"})
    body = assert_problem(response, 422, "role_does_not_fit_organisation")
    assert "role" in body["errors"]


def test_directory_visibility_follows_the_role(client, world):
    def emails(role):
        return {u["email"] for u in client.get(
            "/api/v1/users?page_size=100", headers=world.headers(role)).get_json()["items"]}

    def members(*roles):
        return {world.users[role].email for role in roles}

    school = members("student", "instructor", "admin")
    enterprise = members("enterprise_staff", "manager")
    assert emails("student") == members("student")
    assert emails("instructor") == school
    assert emails("admin") == school
    assert emails("enterprise_staff") == enterprise
    assert emails("manager") == enterprise
    assert emails("other_admin") == members("other_student", "other_instructor", "other_admin")
    # Operators see the accounts they onboard, never an organisation's students or staff.
    assert emails("operator") == members("admin", "manager", "other_manager", "other_admin",
                                         "operator")


def test_admin_cannot_disable_themselves(client, world):
    response = client.delete(f"/api/v1/users/{world.users['admin'].id}",
                             headers=world.headers("admin"))
    assert_problem(response, 409, "cannot_change_self")
