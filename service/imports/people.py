"""A roster import: every row checked against the file and the database, then written in a
few set-based statements (no query and no password hash per row)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..accounts import passwords
from ..accounts.models import ROLES_OF_KIND, AccessToken, Organisation, User
from ..classes.models import ClassMember, SchoolClass
from ..db import utcnow
from ..i18n import gettext
from . import rules
from .history import any_of, ids, none_of, record
from .readers import Sheet

USERS = User.__table__
UPDATABLE = ("full_name", "role", "language", "student_number")


@dataclass
class PeoplePlan:
    """What a commit writes: new people, changed people, classes, memberships, disabled."""

    creates: list[dict] = field(default_factory=list)
    updates: list[tuple[dict, dict]] = field(default_factory=list)  # (before, after)
    classes: dict[str, list[str]] = field(default_factory=dict)  # email -> class names
    missing_ids: list[int] = field(default_factory=list)


def _lookups(session: Session, organisation_id: int, emails: list[str], numbers: list[str]):
    existing = {row.email: row._asdict() for row in session.execute(
        select(USERS.c.id, USERS.c.email, USERS.c.organisation_id, USERS.c.full_name,
               USERS.c.role, USERS.c.language, USERS.c.student_number)
        .where(USERS.c.email == any_of(emails)))} if emails else {}
    number_owner = dict(session.execute(
        select(USERS.c.student_number, USERS.c.id).where(
            USERS.c.organisation_id == organisation_id,
            USERS.c.student_number == any_of(numbers))).all()) if numbers else {}
    known = [row["id"] for row in existing.values() if row["organisation_id"] == organisation_id]
    memberships: dict[int, set[str]] = {}
    if known:
        for user_id, name in session.execute(
                select(ClassMember.user_id, func.lower(SchoolClass.name))
                .join(SchoolClass, SchoolClass.id == ClassMember.class_id)
                .where(ClassMember.user_id == ids(known),
                       SchoolClass.organisation_id == organisation_id)):
            memberships.setdefault(user_id, set()).add(name)
    return existing, number_owner, memberships


def plan_people(session: Session, actor: User | None, organisation: Organisation, sheet: Sheet,
                report: rules.Report, progress=None) -> PeoplePlan:
    """Check every row (problems go in the report) and say what a commit would write."""
    positions = rules.column_positions(sheet.header, rules.PEOPLE_COLUMNS,
                                       rules.PEOPLE_REQUIRED)
    roles_here = ROLES_OF_KIND[organisation.kind]
    parsed: list[tuple[int, dict, dict]] = []  # (row, cells, values)
    first_email: dict[str, int] = {}
    first_number: dict[str, int] = {}
    for number, cells in sheet.rows:
        row = rules.cells_of(cells, positions)
        values, problems = _read_person(row, roles_here)
        email = values.get("email")
        if email:
            if email in first_email:
                problems["email"] = ("duplicate_in_file", gettext(
                    "Also in row %(row)s.", row=first_email[email]))
            else:
                first_email[email] = number
        student_number = values.get("student_number")
        if student_number:
            if student_number in first_number:
                problems["student_number"] = ("duplicate_in_file", gettext(
                    "Also in row %(row)s.", row=first_number[student_number]))
            else:
                first_number[student_number] = number
        for column, (code, message) in problems.items():
            report.problem(number, column, code, message)
        parsed.append((number, row, values if not problems else {}))
        if progress and len(parsed) % 500 == 0:
            progress(500)
    existing, number_owner, memberships = _lookups(
        session, organisation.id, list(first_email), list(first_number))
    plan = PeoplePlan()
    for number, _row, values in parsed:
        if values:
            _plan_person(plan, report, number, values, actor, organisation, existing,
                         number_owner, memberships)
    report.rows = len(parsed)
    report.problems.sort(key=lambda p: (p["row"], list(rules.PEOPLE_COLUMNS).index(p["column"])))
    plan.missing_ids = _missing(session, report, actor, organisation.id, list(first_email))
    if progress:
        progress(len(parsed) % 500)
    return plan


def _read_person(row: dict, roles_here: tuple[str, ...]) -> tuple[dict, dict]:
    """A row's values and its problems by column, from the row alone."""
    values, problems = {}, {}
    limits = {"email": 254, "full_name": 200, "student_number": 40, "class": 1000}
    for column, most in limits.items():
        found = rules.text_problem(row.get(column, ""), most)
        if found:
            problems[column] = found
    for column in rules.PEOPLE_REQUIRED:
        if not row[column]:
            problems[column] = rules.required_problem()
    email = row["email"].lower()
    if "email" not in problems and not rules.EMAIL.match(email):
        problems["email"] = ("invalid_email", gettext("Not an e-mail address."))
    values["email"], values["full_name"] = email, row["full_name"]
    role = rules.ROLE_WORDS.get(row["role"].lower())
    if "role" not in problems:
        if role is None:
            problems["role"] = ("invalid_role", gettext("Not a role: use %(roles)s.",
                                                        roles=", ".join(roles_here)))
        elif role not in roles_here:
            problems["role"] = ("role_does_not_fit_organisation", gettext(
                "Not a role of this organisation: use %(roles)s.", roles=", ".join(roles_here)))
    values["role"] = role
    language = row.get("language", "")
    if language:
        values["language"] = rules.LANGUAGE_WORDS.get(language.lower())
        if values["language"] is None:
            problems["language"] = ("invalid_language", gettext("Use en or zh-Hans."))
    if row.get("student_number") and "student_number" not in problems:
        values["student_number"] = row["student_number"]
        if "role" not in problems and role != "student":
            problems["student_number"] = ("student_number_not_student",
                                          gettext("Only students have a student number."))
    if row.get("class") and "class" not in problems:
        names = rules.class_names(row["class"])
        if "role" not in problems and role != "student":
            problems["class"] = ("class_not_student", gettext("Only students are in classes."))
        elif any(len(name) > 100 for name in names):
            problems["class"] = ("too_long", gettext("A class name has at most %(most)s "
                                                     "characters.", most=100))
        values["class"] = names
    return values, problems


def _plan_person(plan, report, number, values, actor, organisation, existing, number_owner,
                 memberships) -> None:
    email = values["email"]
    before = existing.get(email)
    if before is not None and before["organisation_id"] != organisation.id:
        report.problem(number, "email", "email_taken",
                       gettext("Registered in another organisation."))
        return
    owner = number_owner.get(values.get("student_number"))
    if owner is not None and (before is None or owner != before["id"]):
        report.problem(number, "student_number", "student_number_taken",
                       gettext("Another person of the school has this number."))
        return
    classes = values.get("class")
    if before is None:
        plan.creates.append({
            "organisation_id": organisation.id, "email": email,
            "full_name": values["full_name"], "role": values["role"],
            "language": values.get("language") or "en",
            "student_number": values.get("student_number"),
            "password_hash": passwords.UNUSABLE})
        if classes:
            plan.classes[email] = classes
        report.change(number, "create", email,
                      [c for c in rules.PEOPLE_COLUMNS if c in values and values[c]])
        return
    after = {**before, "full_name": values["full_name"], "role": values["role"]}
    for column in ("language", "student_number"):
        if values.get(column):
            after[column] = values[column]
    if after["role"] != "student":
        after["student_number"] = None
    if actor is not None and before["id"] == actor.id and after["role"] != before["role"]:
        report.problem(number, "role", "cannot_change_self",
                       gettext("You cannot change your own role."))
        return
    changed = [c for c in UPDATABLE if after[c] != before[c]]
    if classes and {n.lower() for n in classes} != memberships.get(before["id"], set()):
        changed.append("class")
        plan.classes[email] = classes
    elif after["role"] != "student" and memberships.get(before["id"]):
        # hostile: only students are in classes: one who becomes an instructor leaves them.
        changed.append("class")
        plan.classes[email] = []
    if changed:
        plan.updates.append((before, after))
        report.change(number, "update", email, changed)
    else:
        report.change(number, "unchanged", email, [])


def _missing(session, report, actor, organisation_id, emails) -> list[int]:
    """Active people of the organisation whom the file does not name (never the importer)."""
    found = session.execute(
        select(USERS.c.id, USERS.c.email, USERS.c.full_name).where(
            USERS.c.organisation_id == organisation_id, USERS.c.is_active.is_(True),
            USERS.c.id != (actor.id if actor else 0), USERS.c.email != none_of(emails))
        .order_by(USERS.c.email)).all()
    report.missing = [row._asdict() for row in found]
    return [row.id for row in found]


def write_people(session: Session, actor: User | None, organisation: Organisation, plan: PeoplePlan,
                 report: rules.Report, *, disable_missing: bool) -> list[int]:
    """Write the plan (the caller commits); answers the ids of the people created."""
    now = utcnow()
    created: dict[str, int] = {}
    if plan.creates:
        rows = session.execute(
            insert(USERS).returning(USERS.c.id, USERS.c.email),
            [{**row, "version": 1, "is_active": True, "is_manager": False} for row in plan.creates])
        created = {row.email: row.id for row in rows}
        record(session, "user", organisation.id, actor,
               [(created[row["email"]], "created",
                 {k: v for k, v in row.items() if k != "password_hash"})
                for row in plan.creates])
    if plan.updates:
        session.execute(
            update(USERS).where(USERS.c.id == bindparam("b_id")).values(
                full_name=bindparam("b_full_name"), role=bindparam("b_role"),
                language=bindparam("b_language"), student_number=bindparam("b_student_number"),
                version=USERS.c.version + 1, updated_at=now),
            [{f"b_{k}": after[k] for k in ("id", *UPDATABLE)} for _, after in plan.updates])
        record(session, "user", organisation.id, actor,
               [(after["id"], "updated", {k: (before[k], after[k]) for k in UPDATABLE
                                          if before[k] != after[k]})
                for before, after in plan.updates])
    if plan.classes:
        _write_classes(session, organisation.id, plan, {
            **{before["email"]: before["id"] for before, _ in plan.updates}, **created})
    if disable_missing and plan.missing_ids:
        session.execute(update(USERS).where(USERS.c.id == ids(plan.missing_ids)).values(
            is_active=False, version=USERS.c.version + 1, updated_at=now))
        session.execute(update(AccessToken).where(
            AccessToken.user_id == ids(plan.missing_ids), AccessToken.revoked_at.is_(None))
            .values(revoked_at=now))
        record(session, "user", organisation.id, actor,
               [(i, "updated", {"is_active": (True, False)}) for i in plan.missing_ids])
        report.disabled = len(plan.missing_ids)
    return list(created.values())


def _write_classes(session: Session, organisation_id: int, plan: PeoplePlan,
                   user_of: dict[str, int]) -> None:
    """Create the classes named for the first time, then make each listed person's classes
    exactly those named in their row."""
    classes = SchoolClass.__table__
    wanted = {name.lower(): name for names in plan.classes.values() for name in names}
    if wanted:  # hostile: none when the only change is people leaving their classes
        session.execute(
            insert(classes).on_conflict_do_nothing(
                index_elements=[classes.c.organisation_id, func.lower(classes.c.name)]),
            [{"organisation_id": organisation_id, "name": name, "version": 1}
             for name in wanted.values()])
    class_ids = dict(session.execute(
        select(func.lower(classes.c.name), classes.c.id).where(
            classes.c.organisation_id == organisation_id,
            func.lower(classes.c.name) == any_of(list(wanted)))).all())
    user_ids = [user_of[email] for email in plan.classes]
    members = ClassMember.__table__
    session.execute(members.delete().where(
        members.c.user_id == ids(user_ids),
        members.c.class_id.in_(select(classes.c.id).where(
            classes.c.organisation_id == organisation_id))))
    joined = [{"user_id": user_of[email], "class_id": class_ids[name.lower()]}
              for email, names in plan.classes.items() for name in names]
    if joined:
        session.execute(insert(members), joined)
