"""Training bases: sites, their opening hours, closures and co-owners."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from ..accounts.models import Organisation, User
from ..accounts.permissions import manages_organisation
from ..db import utcnow
from ..errors import Forbidden, Invalid, NotFound
from ..versioning import check_version
from . import rules
from .errors import (
    BaseHasHistory,
    ClosureInPast,
    EffectiveDateInPast,
    InvalidOpeningHours,
    InvalidTimezone,
    NameTaken,
)
from .models import (
    RESERVATIONS,
    Closure,
    Equipment,
    OpeningHours,
    TrainingBase,
    TrainingBaseOwner,
)
from .permissions import require_base_manager
from .queries import get_base


def _organisation(session: Session, organisation_id: int, field: str) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise Invalid("No such organisation.", errors={field: ["Does not exist."]})
    return organisation


def _opening_hours(spans: list[dict]) -> list[OpeningHours]:
    problems = rules.opening_hours_problems(
        [(s["weekday"], s["opens"], s["closes"]) for s in spans])
    if problems:
        raise InvalidOpeningHours(" ".join(problems), errors={"opening_hours": problems})
    return [OpeningHours(weekday=s["weekday"], opens=s["opens"], closes=s["closes"])
            for s in spans]


def _days(first: date | None, until: date | None) -> Range:
    """The local days first..until (exclusive), None for unbounded, as in_force holds them."""
    return Range(first, until, bounds="[)" if first is not None else "()")


def replace_hours(session: Session, base: TrainingBase, spans: list[dict], first: date,
                  until: date | None = None) -> None:
    """From local day `first` to `until` (exclusive; None: for ever) the base's week is
    `spans`: the rows in force then are cut around that span (a row reaching past `until`
    keeps its days after it), rows wholly inside it go, and the week is written in force
    over it. Days outside the span are never rewritten. The caller checks the dates."""
    new = _opening_hours(spans)
    for row in list(base.opening_hours):
        force = row.in_force
        lower, upper = force.lower, force.upper
        if (upper is not None and upper <= first) or (
                until is not None and lower is not None and lower >= until):
            continue
        if until is not None and (upper is None or upper > until):
            base.opening_hours.append(OpeningHours(
                weekday=row.weekday, opens=row.opens, closes=row.closes,
                in_force=_days(until, upper)))
        if lower is None or lower < first:
            row.in_force = _days(lower, first)
        else:
            base.opening_hours.remove(row)
    # Cut and remove before the new week goes in: the exclusion constraint sees each flush.
    session.flush()
    for row in new:
        row.in_force = _days(first, until)
    base.opening_hours.extend(new)
    session.flush()
    # The base row itself changes too, so its version (and ETag) moves with its hours.
    base.updated_at = utcnow()


def effective_date(base: TrainingBase, effective_from: date | None, now: datetime,
                   field: str = "effective_from") -> date:
    """The local day a change of the base's schedule takes effect: tomorrow in the base's
    zone by default, today at the earliest (docs/booking-rules.md#schedules-have-a-history)."""
    today = base.today(now)
    if effective_from is None:
        return today + timedelta(days=1)
    if effective_from < today:
        raise EffectiveDateInPast(
            f"{effective_from} is before today ({today} in {base.timezone}): the past "
            "stays as it was (an operator corrects history).",
            errors={field: ["Before today in the base's zone."]})
    return effective_from


def _has_reservations(session: Session, base_id: int) -> bool:
    return session.scalar(select(exists().where(
        RESERVATIONS.c.equipment_id == Equipment.id, Equipment.base_id == base_id))) or False


def _check_timezone(name: str) -> None:
    if not rules.is_valid_timezone(name):
        raise InvalidTimezone(f"{name!r} is not an IANA time zone such as Asia/Shanghai.",
                              errors={"timezone": ["Unknown IANA time zone."]})


def _check_base_name(session: Session, name: str, base_id: int | None = None) -> None:
    taken = session.scalar(select(TrainingBase.id).where(TrainingBase.name == name))
    if taken and taken != base_id:
        raise NameTaken(errors={"name": ["Already used by another training base."]})


def _co_owners(session: Session, organisation_id: int, kind: str,
               co_owner_ids: list[int]) -> list[int]:
    if co_owner_ids and kind != "co_built":
        raise Invalid("Only a co-built base has co-owners.", code="co_owners_need_co_built",
                      errors={"co_owner_ids": ["Only for kind co_built."]})
    ids = sorted(set(co_owner_ids))
    if organisation_id in ids:
        raise Invalid("The organisation that runs the base owns it already.",
                      errors={"co_owner_ids": ["Lists the base's own organisation."]})
    found = set(session.scalars(select(Organisation.id).where(
        Organisation.id.in_(ids), Organisation.kind.in_(("school", "enterprise")))))
    if missing := [i for i in ids if i not in found]:
        raise Invalid("No such organisation.", errors={"co_owner_ids": [
            f"No school or enterprise {i}." for i in missing]})
    return ids


def build_base(session: Session, *, name: str, kind: str, organisation: Organisation,
               timezone: str, address: str = "", description: str = "",
               opening_hours: list[dict] | None = None,
               co_owner_ids: list[int] | None = None) -> TrainingBase:
    """A training base from validated values, without a permission check: for the use cases,
    the seeds and the tests (the caller commits)."""
    if organisation.kind not in ("school", "enterprise"):
        raise Invalid("Only schools and enterprises run training bases.",
                      errors={"organisation_id": ["Not a school or an enterprise."]})
    _check_timezone(timezone)
    _check_base_name(session, name)
    co_owners = _co_owners(session, organisation.id, kind, co_owner_ids or [])
    base = TrainingBase(
        name=name, kind=kind, organisation_id=organisation.id, timezone=timezone,
        address=address, description=description,
        opening_hours=_opening_hours(opening_hours or []),
        owners=[TrainingBaseOwner(organisation_id=i) for i in [organisation.id, *co_owners]])
    session.add(base)
    session.flush()
    return base


def create_base(session: Session, actor: User, *, organisation_id: int | None = None,
                **fields) -> TrainingBase:
    """A school's admin or an enterprise's manager adds a base their organisation runs."""
    organisation_id = organisation_id or actor.organisation_id
    if not manages_organisation(actor, organisation_id):
        raise Forbidden("You add bases only for your own organisation.",
                        code="not_your_organisation",
                        errors={"organisation_id": ["Not your organisation."]})
    base = build_base(session, organisation=_organisation(
        session, organisation_id, "organisation_id"), **fields)
    session.commit()
    return base


def update_base(session: Session, actor: User, base_id: int, *, changes: dict,
                expected_versions: list[int] | None = None,
                now: datetime | None = None) -> TrainingBase:
    """Its organisation changes a base; removing a co-owner whose equipment still stands
    there is refused by PostgreSQL (409 still_referenced). New opening hours take effect from
    `opening_hours_from` (default: tomorrow in the base's zone; never before today); a new
    time zone is refused once the base's equipment has reservations (their local days would
    move)."""
    now = now or utcnow()
    base = get_base(session, base_id)
    require_base_manager(actor, base, session)
    check_version(base, expected_versions)
    effective_from = changes.pop("opening_hours_from", None)
    if effective_from is not None and "opening_hours" not in changes:
        raise Invalid("opening_hours_from says when new opening_hours apply: send them too.",
                      errors={"opening_hours_from": ["Only with opening_hours."]})
    if "timezone" in changes:
        _check_timezone(changes["timezone"])
        if changes["timezone"] != base.timezone and _has_reservations(session, base.id):
            raise BaseHasHistory(
                "The base's equipment has reservations, whose local days and the reports "
                "built on them would move with the zone; set up a new base instead.",
                errors={"timezone": ["The base has reservations."]})
    if "name" in changes:
        _check_base_name(session, changes["name"], base.id)
    kind = changes.get("kind", base.kind)
    co_owner_ids = changes.pop("co_owner_ids", None)
    if co_owner_ids is None and kind != "co_built" and base.co_owner_ids:
        co_owner_ids = []
    if co_owner_ids is not None:
        ids = [base.organisation_id, *_co_owners(session, base.organisation_id, kind,
                                                 co_owner_ids)]
        keep = [o for o in base.owners if o.organisation_id in ids]
        have = {o.organisation_id for o in keep}
        base.owners = keep + [TrainingBaseOwner(organisation_id=i) for i in ids
                              if i not in have]
        base.updated_at = utcnow()
    if "opening_hours" in changes:
        first = effective_date(base, effective_from, now, "opening_hours_from")
        replace_hours(session, base, changes.pop("opening_hours"), first)
    for key, value in changes.items():
        setattr(base, key, value)
    session.commit()
    return base


def delete_base(session: Session, actor: User, base_id: int,
                expected_versions: list[int] | None = None) -> None:
    """Remove a base that holds no equipment (else 409 still_referenced)."""
    base = get_base(session, base_id)
    require_base_manager(actor, base, session)
    check_version(base, expected_versions)
    session.delete(base)
    session.commit()


def add_closure(session: Session, actor: User, base_id: int, *, starts_on, ends_on,
                reason: str, now: datetime | None = None) -> Closure:
    """The base's organisation closes it for whole days (holidays, works), from today on:
    a past day's figures never move."""
    base = get_base(session, base_id)
    require_base_manager(actor, base, session)
    if ends_on < starts_on:
        raise Invalid("A closure ends on or after the day it starts.",
                      errors={"ends_on": ["Must not be before starts_on."]})
    effective_date(base, starts_on, now or utcnow(), "starts_on")
    closure = Closure(base_id=base.id, starts_on=starts_on, ends_on=ends_on, reason=reason)
    session.add(closure)
    session.commit()
    return closure


def remove_closure(session: Session, actor: User, base_id: int, closure_id: int,
                   now: datetime | None = None) -> Closure | None:
    """Lift a closure from today on: one not begun yet (or begun today) goes; one that has
    begun is cut to end yesterday (its past days stay closed); one wholly past is 409
    closure_in_past. Answers the closure as it remains, or None."""
    base = get_base(session, base_id)
    closure = session.get(Closure, closure_id)
    if closure is None or closure.base_id != base.id:
        raise NotFound(f"No closure {closure_id} at base {base_id}.")
    require_base_manager(actor, base, session)
    today = base.today(now)
    if closure.ends_on < today:
        raise ClosureInPast(
            f"The closure ended on {closure.ends_on}; its days stay closed in every figure.")
    if closure.starts_on < today:
        closure.ends_on = today - timedelta(days=1)
        session.commit()
        return closure
    session.delete(closure)
    session.commit()
    return None
