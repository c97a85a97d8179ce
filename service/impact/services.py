"""Use cases of impact: the impact answer, the yearly contribution statement, a school's
confirmation of one month (which freezes its figures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import Organisation, User
from ..accounts.permissions import OFFER_DECIDING_ROLES, require_role
from ..accounts.queries import staff_of
from ..db import utcnow
from ..errors import NotFound
from ..notifications.models import Notification
from . import rules
from .errors import (
    AlreadyConfirmed,
    InvalidPeriod,
    MonthNotEnded,
    NothingToConfirm,
    NotYourSchool,
)
from .figures import PeriodFigures, enterprise_figures
from .models import ContributionPeriod
from .permissions import addressed_schools, visible_enterprise

CONFIRMED_ONCE = "pk_contribution_periods"  # one confirmation per enterprise, school, month
# The figures of a contribution statement's row, in this order (CSV columns too).
CONTRIBUTION = ("hours_offered", "hours_booked", "hours_used", "valued_hours_booked",
                "valued_hours_used")


def _offer_row(offer_figures) -> dict:
    offer = offer_figures.offer
    return {"offer_id": offer.id, "status": offer.status, "school_id": offer.school_id,
            "school_name": offer.school.name, "asks_back": offer.asks_back,
            "items": [{"equipment_id": i.equipment.id, "equipment_name": i.equipment.name,
                       "base_id": i.equipment.base_id, "timezone": i.equipment.base.timezone,
                       "value_per_hour": i.value_per_hour, **i.figures}
                      for i in offer_figures.items],
            "totals": offer_figures.figures}


def impact_document(enterprise_id: int, period: PeriodFigures) -> dict:
    """The impact answer of one period (the monthly summary keeps its totals)."""
    return {"organisation_id": enterprise_id, "from": period.first_day, "to": period.end_day,
            "offers": [_offer_row(o) for o in period.offers], "totals": period.figures}


def build_impact_report(session: Session, actor: User, organisation_id: int, *,
                        first_day: date, end_day: date, max_days: int = 366) -> dict:
    """Per offer and item of the enterprise, what it offered and what came of it, over the
    local days [first_day, end_day) of each item's base."""
    visible_enterprise(session, actor, organisation_id)
    if errors := rules.period_errors(first_day, end_day, max_days=max_days):
        raise InvalidPeriod(errors=errors)
    [period] = enterprise_figures(session, organisation_id, [(first_day, end_day)])
    return impact_document(organisation_id, period)


@dataclass
class _Row:
    """One month of the contribution to one school."""

    month: date
    school_id: int
    school_name: str
    figures: dict = field(default_factory=lambda: dict.fromkeys(CONTRIBUTION))
    zones: set[str] = field(default_factory=set)


def _live_rows(session: Session, enterprise_id: int, months: list[date]) -> dict:
    """(month, school id) -> its row as computed now, from each item's figures."""
    rows: dict[tuple[date, int], _Row] = {}
    periods = [(m, rules.next_month(m)) for m in months]
    for period in enterprise_figures(session, enterprise_id, periods, detail=False):
        for item in period.items:
            key = (period.first_day, item.offer.school_id)
            row = rows.setdefault(key, _Row(period.first_day, item.offer.school_id,
                                            item.offer.school.name))
            row.zones.add(item.equipment.base.timezone)
            for name in CONTRIBUTION:
                row.figures[name] = rules.add_values([row.figures[name], item.figures[name]])
    for row in rows.values():
        for name in CONTRIBUTION[:3]:
            row.figures[name] = row.figures[name] or Decimal(0)
    return rows


def _frozen(figures: dict) -> dict:
    return {name: None if figures.get(name) is None else Decimal(figures[name])
            for name in CONTRIBUTION}


def _has_figures(row: _Row) -> bool:
    return any(row.figures[name] for name in CONTRIBUTION[:3])


def build_contribution_statement(session: Session, actor: User, organisation_id: int, *,
                                 year: int, now: datetime | None = None) -> dict:
    """The enterprise's contribution of one year, per month and school, with each month's
    confirmation; a confirmed month shows the figures frozen when it was confirmed."""
    enterprise, schools = visible_enterprise(session, actor, organisation_id, schools_too=True)
    now = now or utcnow()
    months = rules.months_of(year)
    rows = {key: row for key, row in _live_rows(session, enterprise.id, months).items()
            if _has_figures(row)}
    confirmed = session.execute(
        select(ContributionPeriod, User.full_name, Organisation.name)
        .join(User, User.id == ContributionPeriod.confirmed_by_id)
        .join(Organisation, Organisation.id == ContributionPeriod.school_id)
        .where(ContributionPeriod.enterprise_id == enterprise.id,
               ContributionPeriod.month >= months[0],
               ContributionPeriod.month <= months[-1])).all()
    confirmations = {}
    for period, confirmer, school_name in confirmed:
        key = (period.month, period.school_id)
        row = rows.setdefault(key, _Row(period.month, period.school_id, school_name))
        row.figures = _frozen(period.figures)
        confirmations[key] = (period, confirmer)
    lines = []
    for key in sorted(rows):
        row = rows[key]
        if schools is not None and row.school_id not in schools:
            continue
        period, confirmer = confirmations.get(key, (None, None))
        status = ("confirmed" if period else
                  "open" if rules.month_ended(row.month, row.zones, now) else "running")
        lines.append({"month": row.month, "school_id": row.school_id,
                      "school_name": row.school_name, **row.figures, "status": status,
                      "confirmed_by_id": period.confirmed_by_id if period else None,
                      "confirmed_by_name": confirmer,
                      "confirmed_at": period.confirmed_at if period else None})
    totals = {name: rules.add_values(line[name] for line in lines) for name in CONTRIBUTION}
    for name in CONTRIBUTION[:3]:
        totals[name] = totals[name] or Decimal(0)
    return {"organisation_id": enterprise.id, "enterprise_name": enterprise.name, "year": year,
            "rows": lines, "totals": totals}


def confirm_contribution(session: Session, actor: User, organisation_id: int, *, month: date,
                         school_id: int | None = None,
                         now: datetime | None = None) -> ContributionPeriod:
    """A school's admin confirms a month of the enterprise's contribution to their school; its
    figures are frozen as they are now, and the enterprise's staff are told."""
    require_role(actor, *OFFER_DECIDING_ROLES)
    school_id = actor.organisation_id if school_id is None else school_id
    if school_id != actor.organisation_id:
        raise NotYourSchool(errors={"school_id": ["Not your school."]})
    enterprise = session.get(Organisation, organisation_id)
    if (enterprise is None or enterprise.kind != "enterprise"
            or school_id not in addressed_schools(session, enterprise.id)):
        raise NotFound(f"No contribution of organisation {organisation_id} to your school.")
    month = rules.month_start(month)
    row = _live_rows(session, enterprise.id, [month]).get((month, school_id))
    if not rules.month_ended(month, row.zones if row else (), now or utcnow()):
        raise MonthNotEnded(f"{month:%Y-%m} has not ended yet.", errors={"month": ["Not over."]})
    if session.get(ContributionPeriod, (enterprise.id, school_id, month)) is not None:
        raise AlreadyConfirmed(f"{month:%Y-%m} is already confirmed.")
    if row is None or not _has_figures(row):
        raise NothingToConfirm(errors={"month": ["Nothing offered or booked that month."]})
    frozen = {name: None if value is None else str(value) for name, value in row.figures.items()}
    period = ContributionPeriod(enterprise_id=enterprise.id, school_id=school_id, month=month,
                                confirmed_by_id=actor.id, figures=frozen)
    session.add(period)
    _tell_the_enterprise(session, enterprise, actor, month, frozen)
    try:
        session.commit()
    except IntegrityError as exc:
        if getattr(exc.orig.diag, "constraint_name", None) != CONFIRMED_ONCE:
            raise
        session.rollback()  # another admin of the school confirmed it meanwhile
        raise AlreadyConfirmed(f"{month:%Y-%m} was confirmed meanwhile.") from exc
    session.refresh(period)
    return period


def _tell_the_enterprise(session: Session, enterprise: Organisation, actor: User, month: date,
                         figures: dict) -> None:
    school = actor.organisation.name
    body = (f"{school} confirmed {enterprise.name}'s contribution for {month:%Y-%m}: "
            f"{figures['hours_offered']} h offered, {figures['hours_booked']} h booked, "
            f"{figures['hours_used']} h used.")
    for user_id in staff_of(session, enterprise.id, "enterprise_staff"):
        session.add(Notification(
            user_id=user_id, kind="contribution_confirmed", reservation_id=None,
            subject=f"Contribution confirmed: {school}, {month:%Y-%m}"[:300], body=body[:4000],
            data={"enterprise_id": enterprise.id, "school_id": actor.organisation_id,
                  "month": f"{month:%Y-%m}", "figures": figures}))
