"""Going live, tried by a hostile user and a careless newcomer: forged hosts in links, people
who leave the student role while in classes, and other edges of imports, links and classes."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import select

from service.classes.models import ClassMember
from service.notifications.models import Notification

from .rosters import PEOPLE_HEADER, csv_bytes, upload, xlsx_bytes


def test_a_reset_asked_for_with_a_forged_host_never_links_to_that_host(client, world, session):
    student = world.users["student"]

    response = client.post("/api/v1/auth/password-reset", json={"email": student.email},
                           headers={"Host": "attacker.example"})

    assert response.status_code == 202, response.get_json()
    assert response.get_json() == {"status": "accepted"}
    body = session.scalar(select(Notification.body).where(Notification.user_id == student.id,
                                                          Notification.kind == "password_reset"))
    assert "/password#token=bsl_" in body
    assert "attacker.example" not in body


def test_a_reset_asked_for_on_this_machine_links_to_it_when_no_public_url_is_set(
        client, world, session):
    student = world.users["student"]

    response = client.post("/api/v1/auth/password-reset", json={"email": student.email},
                           headers={"Host": "127.0.0.1:8123"})

    assert response.status_code == 202, response.get_json()
    body = session.scalar(select(Notification.body).where(Notification.user_id == student.id,
                                                          Notification.kind == "password_reset"))
    assert "http://127.0.0.1:8123/password#token=bsl_" in body


def _class_of(client, world, name="CNC 2026 A"):
    response = client.post("/api/v1/classes", headers=world.headers("admin"),
                           json={"name": name, "student_ids": [world.users["student"].id]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _memberships(session, user_id):
    return session.scalars(select(ClassMember.class_id).where(
        ClassMember.user_id == user_id)).all()


def test_a_student_made_an_instructor_leaves_their_classes(client, world, session):
    student = world.users["student"]
    school_class = _class_of(client, world)

    response = client.patch(f"/api/v1/users/{student.id}", headers={
        **world.headers("admin"), "If-Match": f'"{student.version}"'}, json={"role": "instructor"})

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["role"] == "instructor"
    assert _memberships(session, student.id) == []
    members = client.get(f"/api/v1/classes/{school_class['id']}", headers=world.headers("admin"))
    assert members.get_json()["members"] == []


def test_a_re_import_making_a_student_an_instructor_takes_them_out_of_their_classes(
        client, world, session):
    student = world.users["student"]
    _class_of(client, world)
    url = f"/api/v1/organisations/{world.school.id}/imports/people"
    roster = csv_bytes(PEOPLE_HEADER, [[student.email, student.full_name, "instructor", "", "",
                                        ""]])

    response = upload(client, url, roster, world.headers("admin"), commit=True)

    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["changes"] == [{"row": 2, "action": "update", "key": student.email,
                                  "fields": ["role", "class"]}]
    assert _memberships(session, student.id) == []


def test_setting_up_sign_on_is_in_the_audit_history_without_the_client_secret(client, world):
    url = f"/api/v1/organisations/{world.school.id}/identity-provider"
    put = client.put(url, headers=world.headers("admin"), json={
        "issuer": "https://idp.school.example", "client_id": "benchshare",
        "client_secret": "s3cret-of-the-school", "password_sign_in": False})
    assert put.status_code == 201, put.get_json()

    response = client.get("/api/v1/audit", headers=world.headers("admin"),
                          query_string={"entity": "identity_provider"})

    assert response.status_code == 200, response.get_json()
    [entry] = response.get_json()["items"]
    assert entry["action"] == "created"
    assert entry["actor_id"] == world.users["admin"].id
    assert entry["changes"]["issuer"] == [None, "https://idp.school.example"]
    assert entry["changes"]["password_sign_in"] == [None, False]
    assert entry["changes"]["client_secret"] == [None, "***"]
    assert "s3cret-of-the-school" not in response.get_data(as_text=True)


def _link_token(session, user_id: int, kind: str = "invitation") -> str:
    body = session.scalar(select(Notification.body).where(Notification.user_id == user_id,
                                                          Notification.kind == kind)
                          .order_by(Notification.id.desc()).limit(1))
    found = re.search(r"/password#token=(\S+)", body)
    assert found, body
    return found.group(1)


def test_an_invitation_sent_to_a_mistyped_address_stops_working_once_the_address_is_corrected(
        client, world, session):
    created = client.post("/api/v1/users", headers=world.headers("admin"), json={
        "email": "li.wei@mistyped.example", "full_name": "Li Wei", "role": "student"})
    assert created.status_code == 201, created.get_json()
    person = created.get_json()
    token = _link_token(session, person["id"])

    corrected = client.patch(f"/api/v1/users/{person['id']}", headers={
        **world.headers("admin"), "If-Match": f'"{person["version"]}"'},
        json={"email": "li.wei@school.example"})
    assert corrected.status_code == 200, corrected.get_json()

    response = client.post("/api/v1/auth/password", json={
        "token": token, "password": "the stranger's own password"})

    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == "link_invalid"
    assert response.get_json()["errors"] == {"token": ["Ask for a new link."]}


def test_a_utf8_marked_roster_with_gb18030_rows_is_unreadable_not_missing_columns(
        client, world):
    url = f"/api/v1/organisations/{world.school.id}/imports/people"
    roster = ("\ufeffemail,full_name,role\n".encode()
              + "wang.fang@school.example,王芳,学生\n".encode("gb18030"))

    response = upload(client, url, roster, world.headers("admin"))

    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == "unreadable_file"
    assert response.get_json()["errors"] == {"file": ["Not readable as text."]}


def _workbook_claiming_one_cell(rows: int) -> bytes:
    """An XLSX whose sheet says it spans A1 only (its <dimension>) but holds `rows` rows."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(PEOPLE_HEADER, [])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                cells = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x{n}@a.example'
                                f'</t></is></c></row>' for n in range(1, rows + 1))
                data = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                        'schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension '
                        f'ref="A1"/><sheetData>{cells}</sheetData></worksheet>').encode()
            book.writestr(info.filename, data)
    return out.getvalue()


def test_a_workbook_lying_about_its_size_is_refused_before_it_is_parsed(
        client, world, monkeypatch):
    from python_calamine import CalamineWorkbook

    def parse(*args, **kwargs):
        raise AssertionError("the whole workbook was parsed")

    monkeypatch.setattr(CalamineWorkbook, "from_filelike", parse)
    url = f"/api/v1/organisations/{world.school.id}/imports/people"

    response = upload(client, url, _workbook_claiming_one_cell(20_002), world.headers("admin"),
                      name="roster.xlsx")

    assert response.status_code == 413, response.get_json()
    assert response.get_json()["code"] == "too_many_rows"
    assert response.get_json()["errors"] == {"file": ["Too many rows."]}


def test_an_issuer_with_a_space_in_its_host_is_refused(client, world):
    response = client.put(f"/api/v1/organisations/{world.school.id}/identity-provider",
                          headers=world.headers("admin"), json={
                              "issuer": "https://idp .school.example", "client_id": "benchshare",
                              "client_secret": "s3cret"})

    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == "invalid_issuer"
    assert response.get_json()["errors"] == {"issuer": ["Not a URL."]}
