"""A school imports its roster: a dry run names every mistake by row and column and writes
nothing; the fixed file commits all of it; the same file again changes nothing; XLSX and a
GB18030 CSV read as the UTF-8 CSV does."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.accounts import passwords
from service.accounts.models import User
from service.classes.models import ClassMember, SchoolClass
from service.notifications.models import Notification

from .rosters import PEOPLE_HEADER, PEOPLE_HEADER_ZH, csv_bytes, roster, upload, xlsx_bytes

# The twelve kinds of mistakes, each at its own row (the spreadsheet's numbering: the header
# is row 1, the roster's first person row 2), with the column and code the report names.
MISTAKES = {
    10: ("email", "required"),                          # 1. no e-mail
    20: ("email", "invalid_email"),                     # 2. not an e-mail address
    30: ("email", "duplicate_in_file"),                 # 3. the e-mail of row 2 again
    40: ("email", "email_taken"),                       # 4. a person of another school
    50: ("full_name", "required"),                      # 5. no name
    60: ("full_name", "too_long"),                      # 6. a name of 201 characters
    70: ("role", "invalid_role"),                       # 7. no such role
    80: ("role", "role_does_not_fit_organisation"),     # 8. an enterprise's role in a school
    90: ("language", "invalid_language"),               # 9. a language we don't write
    100: ("student_number", "student_number_not_student"),  # 10. a number for an instructor
    110: ("student_number", "duplicate_in_file"),       # 11. the number of row 3 again
    120: ("student_number", "student_number_taken"),    # 12. a number the school has given
}


def broken_roster(world) -> list[list[str]]:
    """The 300-person roster with the twelve mistakes, rows as numbered in MISTAKES."""
    rows = roster()
    row = {n: rows[n - 2] for n in MISTAKES}  # row n of the sheet is rows[n - 2]
    row[10][0] = ""
    row[20][0] = "student19.roster.example"
    row[30][0] = rows[0][0]
    row[40][0] = world.users["other_student"].email
    row[50][1] = ""
    row[60][1] = "N" * 201
    row[70][2] = "principal"
    row[80][2] = "enterprise_staff"
    row[90][5] = "Klingon"
    row[100][2], row[100][3], row[100][4] = "instructor", "", "T-100"
    row[110][4] = rows[1][4]
    row[120][4] = "TAKEN-1"
    return rows


def fixed_roster(world) -> list[list[str]]:
    """The roster as the admin corrects it, plus a known student renamed (an update)."""
    rows = roster()
    rows[148] = [world.users["student"].email, "Renamed Student", "student", "CNC 2026 A",
                 "TAKEN-1", "zh-Hans"]
    return rows


@pytest.fixture
def school(world, session):
    """World A's admin and a student holding student number TAKEN-1."""
    world.users["student"].student_number = "TAKEN-1"
    session.commit()
    return world


def people_url(world) -> str:
    return f"/api/v1/organisations/{world.school.id}/imports/people"


def count_people(session, world) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.organisation_id == world.school.id))


def test_a_roster_with_twelve_kinds_of_mistakes_gets_a_report_naming_each_and_writes_nothing(
        client, school, session):
    before = count_people(session, school)
    response = upload(client, people_url(school), csv_bytes(PEOPLE_HEADER, broken_roster(school)),
                      school.headers("admin"))
    body = response.get_json()
    assert response.status_code == 200, body
    assert {(p["row"], p["column"], p["code"]) for p in body["problems"]} == {
        (row, column, code) for row, (column, code) in MISTAKES.items()}
    assert [p["row"] for p in body["problems"]] == sorted(MISTAKES)
    by_row = {p["row"]: p for p in body["problems"]}
    assert by_row[30]["message"] == "Also in row 2."
    assert by_row[110]["message"] == "Also in row 3."
    assert body["committed"] is False and body["rows"] == 300
    assert (body["created"], body["updated"], body["unchanged"]) == (288, 0, 0)
    assert {c["row"] for c in body["changes"]}.isdisjoint(MISTAKES)
    assert count_people(session, school) == before
    assert session.scalar(select(func.count()).select_from(SchoolClass)) == 0


def test_committing_a_file_with_problems_is_refused_with_the_report_and_writes_nothing(
        client, school, session):
    before = count_people(session, school)
    content = csv_bytes(PEOPLE_HEADER, broken_roster(school))
    dry = upload(client, people_url(school), content, school.headers("admin")).get_json()
    response = upload(client, people_url(school), content, school.headers("admin"), commit=True)
    body = response.get_json()
    assert response.status_code == 422, body
    assert body["code"] == "import_has_problems"
    assert body["detail"] == "12 rows have problems; nothing was written."
    assert body["report"] == dry
    assert count_people(session, school) == before


def test_the_fixed_roster_commits_and_the_same_file_again_changes_nothing(
        client, school, session):
    content = csv_bytes(PEOPLE_HEADER, fixed_roster(school))
    response = upload(client, people_url(school), content, school.headers("admin"), commit=True)
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["problems"] == [] and body["committed"] is True
    assert (body["created"], body["updated"], body["unchanged"]) == (299, 1, 0)
    assert next(c for c in body["changes"] if c["row"] == 150) == {
        "row": 150, "action": "update", "key": school.users["student"].email,
        "fields": ["full_name", "language", "class"]}
    student = session.scalar(select(User).where(User.email == "student3@roster.example"))
    assert (student.role, student.language, student.student_number, student.password_hash) == (
        "student", "zh-Hans", "20260003", passwords.UNUSABLE)
    classes = session.scalars(select(SchoolClass.name).join(ClassMember).where(
        ClassMember.user_id == student.id)).all()
    assert classes == ["CNC 2026 D"]
    # Each new person is invited to choose a password, in their own language; the renamed
    # student, who has one, is not.
    invited = dict(session.execute(select(Notification.user_id, Notification.subject).where(
        Notification.kind == "invitation")).all())
    assert len(invited) == 299 and school.users["student"].id not in invited
    assert invited[student.id] == "欢迎加入 BenchShare"
    assert session.scalar(select(func.count()).select_from(SchoolClass)) == 6
    # Nobody is disabled unless asked: the people the file leaves out are only listed.
    assert {m["email"] for m in body["missing"]} == {school.users["instructor"].email}
    assert body["disabled"] == 0 and school.users["instructor"].is_active

    versions = dict(session.execute(select(User.id, User.version).where(
        User.organisation_id == school.school.id)).all())
    again = upload(client, people_url(school), content, school.headers("admin"), commit=True)
    body = again.get_json()
    assert again.status_code == 200, body
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 300)
    assert {c["action"] for c in body["changes"]} == {"unchanged"}
    session.expire_all()
    assert dict(session.execute(select(User.id, User.version).where(
        User.organisation_id == school.school.id)).all()) == versions


def test_people_missing_from_the_file_are_disabled_only_when_asked(client, school, session):
    content = csv_bytes(PEOPLE_HEADER, fixed_roster(school))
    response = upload(client, people_url(school), content, school.headers("admin"),
                      commit=True, disable_missing=True)
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["disabled"] == 1
    assert body["missing"] == [{"id": school.users["instructor"].id,
                                "email": school.users["instructor"].email,
                                "full_name": school.users["instructor"].full_name}]
    me = client.get("/api/v1/me", headers=school.headers("instructor"))
    assert me.status_code == 401, me.get_json()
    # The importing admin is never among the missing, file or not.
    assert client.get("/api/v1/me", headers=school.headers("admin")).status_code == 200


@pytest.mark.parametrize("variant", ["xlsx", "gb18030", "utf-8-bom"])
def test_an_xlsx_or_a_gb18030_csv_gives_the_same_report_as_the_utf8_csv(client, school, variant):
    rows = broken_roster(school)
    reference = upload(client, people_url(school), csv_bytes(PEOPLE_HEADER, rows),
                       school.headers("admin")).get_json()
    if variant == "xlsx":
        content, name = xlsx_bytes(PEOPLE_HEADER_ZH, rows), "花名册.xlsx"
    elif variant == "gb18030":
        content, name = csv_bytes(PEOPLE_HEADER_ZH, rows, "gb18030"), "花名册.csv"
    else:
        content, name = csv_bytes(PEOPLE_HEADER, rows, "utf-8-sig"), "roster.csv"
    response = upload(client, people_url(school), content, school.headers("admin"), name=name)
    body = response.get_json()
    assert response.status_code == 200, body
    assert body["format"] == ("xlsx" if variant == "xlsx" else "csv")
    assert body["encoding"] == {"xlsx": None, "gb18030": "gb18030",
                                "utf-8-bom": "utf-8"}[variant]
    for member in ("problems", "changes", "missing", "rows", "created", "updated"):
        assert body[member] == reference[member], member


def test_a_person_registered_between_the_check_and_the_write_makes_the_commit_409(
        client, school, session, monkeypatch):
    """Someone adds one of the file's people (POST /users) while the import runs: the unique
    e-mail refuses the write, nothing of the file is kept, and the answer is a 409."""
    from service.accounts.services import register_user
    from service.imports import services

    checked = services.plan_people

    def meanwhile(session_, actor, organisation, sheet, report, progress=None):
        plan = checked(session_, actor, organisation, sheet, report, progress)
        register_user(session_, organisation=organisation, email="student5@roster.example",
                      full_name="Registered Meanwhile", role="student", password="x" * 12)
        return plan

    monkeypatch.setattr(services, "plan_people", meanwhile)
    before = count_people(session, school)
    content = csv_bytes(PEOPLE_HEADER, fixed_roster(school))
    response = upload(client, people_url(school), content, school.headers("admin"), commit=True)
    body = response.get_json()
    assert response.status_code == 409, body
    assert body["code"] == "already_exists" and body["constraint"] == "uq_users_email"
    assert count_people(session, school) == before
