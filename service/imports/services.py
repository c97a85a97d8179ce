"""The import use case: who may import into which organisation, a dry run, an all-or-nothing
commit (the same for the API and the command line)."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.errors import NotYourOrganisation, RoleNotAllowed
from ..accounts.invitations import invite_people
from ..accounts.models import Organisation, User
from ..accounts.permissions import (
    MANAGING_ROLES,
    is_organisation_manager,
    manages_equipment_of,
    manages_organisation,
)
from ..accounts.services import get_organisation
from ..i18n import gettext, ngettext
from .equipment import plan_equipment, write_equipment
from .errors import ImportHasProblems
from .people import plan_people, write_people
from .readers import Sheet, read_sheet
from .rules import Report

KINDS = ("people", "equipment")


def _invite(session: Session, user_ids: list[int], actor: User | None) -> None:
    """Invite the people just created: each chooses their own password from the e-mailed
    link, in their own language (in the import's transaction: all or nothing)."""
    if user_ids:
        users = session.scalars(select(User).where(User.id.in_(user_ids))).all()
        invite_people(session, list(users), actor)


def importable_organisation(session: Session, actor: User, organisation_id: int,
                            kind: str) -> Organisation:
    """The organisation, if the actor may import into it: its admin (school) or manager
    (enterprise) for people; whoever lists its equipment (POST /equipment) for equipment."""
    organisation = get_organisation(session, actor, organisation_id)
    if kind == "people":
        if actor.role not in MANAGING_ROLES or not is_organisation_manager(actor):
            raise RoleNotAllowed(gettext("Only an admin or an enterprise's manager imports "
                                         "people."))
        allowed = manages_organisation(actor, organisation.id)
    else:
        if actor.role not in MANAGING_ROLES:
            raise RoleNotAllowed(gettext("Only an admin or an enterprise's staff imports "
                                         "equipment."))
        allowed = manages_equipment_of(actor, organisation.id)
    if not allowed:
        raise NotYourOrganisation(gettext("You import only into your own organisation."))
    return organisation


def import_file(session: Session, actor: User, *, kind: str, organisation_id: int,
                stream: BinaryIO, filename: str = "", max_bytes: int, max_rows: int,
                commit: bool = False, disable_missing: bool = False) -> Report:
    """An admin's upload: checked for tenancy before a byte of the file is read."""
    organisation = importable_organisation(session, actor, organisation_id, kind)
    sheet = read_sheet(stream, filename=filename, max_bytes=max_bytes, max_rows=max_rows)
    return import_sheet(session, actor, kind=kind, organisation=organisation, sheet=sheet,
                        commit=commit, disable_missing=disable_missing)


def import_sheet(session: Session, actor: User | None, *, kind: str,
                 organisation: Organisation, sheet: Sheet, commit: bool = False,
                 disable_missing: bool = False,
                 progress: Callable[[int], None] | None = None) -> Report:
    """Check every row; with `commit`, write all of it or nothing (422 import_has_problems
    with the report when any row has a problem). `actor` is None on the command line."""
    if commit:
        # Imports into one organisation queue behind each other: each checks what the one
        # before it wrote. (Anything else writing meanwhile meets the unique constraints: 409.)
        session.execute(select(Organisation.id).where(Organisation.id == organisation.id)
                        .with_for_update())
    report = Report(kind=kind, organisation_id=organisation.id, format=sheet.format,
                    encoding=sheet.encoding)
    if kind == "people":
        plan = plan_people(session, actor, organisation, sheet, report, progress)
        report.disabled = len(plan.missing_ids) if disable_missing else 0
    else:
        plan = plan_equipment(session, actor, organisation, sheet, report, progress)
    if not commit:
        return report
    if report.problems:
        session.rollback()
        count = len({p["row"] for p in report.problems})
        raise ImportHasProblems(
            ngettext("%(num)s row has problems; nothing was written.",
                     "%(num)s rows have problems; nothing was written.", count),
            report=report.as_dict())
    if kind == "people":
        created = write_people(session, actor, organisation, plan, report,
                               disable_missing=disable_missing)
        _invite(session, created, actor)
    else:
        write_equipment(session, actor, organisation, plan)
    report.committed = True
    session.commit()
    # The writes were set-based, past the ORM: what the session holds of them is stale.
    session.expire_all()
    return report
