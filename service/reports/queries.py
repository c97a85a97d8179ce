"""Read side of reports: stored rows rolled up (hours summed first, then divided), periods not
built yet computed live, and the runs; each caller sees only their own organisation's items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Float,
    Integer,
    Select,
    any_,
    bindparam,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ..accounts.models import Organisation, User
from ..calendar import wallclock
from ..catalogue.models import Equipment, EquipmentCategory, TrainingBase
from ..catalogue.queries import base_zones
from ..db import utcnow
from ..errors import Forbidden, Invalid
from ..pagination import paginate
from . import rules
from .heatmap import cells_of, heatmap_cells, totals
from .hours import kept_days
from .live import compute_periods
from .models import ReportRun, UtilisationRow

# Who sees reports: a school's admins and an enterprise's staff for the equipment their
# organisation owns, operators for the whole platform.
REPORTING_ROLES = ("admin", "enterprise_staff", "operator")
KEYS = {"item": "equipment_id", "base": "base_id", "category": "category_id",
        "owner": "owner_organisation_id", "kind": "is_enterprise", "school": None}
# Whose name labels a group's rows: today's name of the item, base, category or owner.
NAMED = {"item": Equipment, "base": TrainingBase, "category": EquipmentCategory,
         "owner": Organisation}
KIND_NAMES = {False: "school", True: "enterprise"}
HOURS = ("available_hours", "booked_hours", "used_hours", "offered_hours")
COUNTS = ("no_shows", "cancellations", "late_cancellations", "lapses")


def reporting_scope(actor: User) -> int | None:
    """The owner organisation whose items the actor sees (None: all), or 403."""
    if actor.role not in REPORTING_ROLES:
        raise Forbidden("Utilisation reports are for administrators.", code="not_reporting")
    return None if actor.role == "operator" else actor.organisation_id


def _finish(group_by: str, period_start: date, key, sums: dict, stored: bool) -> dict:
    available = Decimal(sums["available_hours"])
    return {"period_start": period_start, "group_by": group_by,
            "group_id": None if group_by == "kind" else key,
            "group_name": KIND_NAMES[key] if group_by == "kind" else None,
            **{name: float(sums[name]) for name in HOURS},
            **{name: int(sums[name]) for name in COUNTS},
            "utilisation": _float(rules.ratio(Decimal(sums["booked_hours"]), available)),
            "usage": _float(rules.ratio(Decimal(sums["used_hours"]), available)),
            "stored": stored}


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 4))


def _ratio(part, whole):
    """SQL: part / whole to 4 places as a float, null when nothing was available."""
    return cast(func.round(part / func.nullif(whole, 0), 4), Float)


def _stored(session: Session, granularity: str, starts: list[date], group_by: str,
            filters: dict) -> list[dict]:
    """Built periods' rows summed per group, the arithmetic done by PostgreSQL: this read is
    hot and a month per item is a thousand rows."""
    key = KEYS[group_by]
    key_column = (getattr(UtilisationRow, key) if key else literal(None)).label("key")
    sums = {name: func.sum(getattr(UtilisationRow, name)) for name in (*HOURS, *COUNTS)}
    stmt: Select = select(
        UtilisationRow.period_start, key_column,
        *(cast(sums[name], Float).label(name) for name in HOURS),
        *(cast(sums[name], Integer).label(name) for name in COUNTS),
        _ratio(sums["booked_hours"], sums["available_hours"]).label("utilisation"),
        _ratio(sums["used_hours"], sums["available_hours"]).label("usage"))
    stmt = stmt.where(UtilisationRow.granularity == granularity,
                      UtilisationRow.period_start.in_(starts))
    for column, value in filters.items():
        stmt = stmt.where(getattr(UtilisationRow, column) == value)
    stmt = stmt.group_by(UtilisationRow.period_start, key_column)
    kind = group_by == "kind"
    return [{"period_start": row.period_start, "group_by": group_by,
             "group_id": None if kind else row.key,
             "group_name": KIND_NAMES[row.key] if kind else None,
             **{name: getattr(row, name) for name in (*HOURS, *COUNTS)},
             "utilisation": row.utilisation, "usage": row.usage, "stored": True}
            for row in session.connection().execute(stmt).all()]


def _live(session: Session, granularity: str, starts: list[date], group_by: str,
          filters: dict) -> list[dict]:
    rows = []
    for start, items in compute_periods(session, granularity, starts).items():
        groups: dict = {}
        for figures in items:
            if any(figures[column] != value for column, value in filters.items()):
                continue
            key = figures[KEYS[group_by]] if KEYS[group_by] else None
            sums = groups.setdefault(key, dict.fromkeys((*HOURS, *COUNTS), 0))
            for name in (*HOURS, *COUNTS):
                sums[name] += figures[name]
        rows += [_finish(group_by, start, key, sums, False) for key, sums in groups.items()]
    return rows


def _local_day(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def check_span(from_: date, to: date, max_days: int) -> None:
    if (to - from_).days > max_days:
        raise Invalid(f"A report covers at most {max_days} days.",
                      errors={"to": [f"At most {max_days} days after from."]})


def _filters(session: Session, actor: User, owner_id: int | None, base_id: int | None,
             category: str | None) -> dict | None:
    """Column -> value the actor's rows must match; None when nothing can match (another
    organisation's owner asked for, an unknown category)."""
    owner = reporting_scope(actor)
    filters: dict = {}
    if owner is not None:
        filters["owner_organisation_id"] = owner
    if owner_id is not None:
        if owner is not None and owner_id != owner:
            return None
        filters["owner_organisation_id"] = owner_id
    if base_id is not None:
        filters["base_id"] = base_id
    if category is not None:
        category_id = session.scalar(select(EquipmentCategory.id).where(
            EquipmentCategory.code == category))
        if category_id is None:
            return None
        filters["category_id"] = category_id
    return filters


@dataclass(frozen=True)
class HeatmapQuestion:
    """A heat map asked by one actor, with the days whose hours are kept."""

    from_: date
    to: date
    filters: dict | None  # column -> value the items must match; None: nothing can
    kept: dict[date, int]  # each kept day -> the run that wrote its hours


def ask_heatmap(session: Session, actor: User, *, from_: date, to: date,
                base_id: int | None = None, category: str | None = None,
                owner_id: int | None = None, max_days: int) -> HeatmapQuestion:
    """Check a heat map's question over the local days [from_, to) and find its kept days."""
    check_span(from_, to, max_days)
    filters = _filters(session, actor, owner_id, base_id, category)
    kept = {} if filters is None else kept_days(session, from_, to)
    return HeatmapQuestion(from_, to, filters, kept)


def heatmap_key(question: HeatmapQuestion) -> tuple | None:
    """What a heat map read only from kept days depends on (as `answer_key`); None when a
    day is computed now."""
    q = question
    if q.filters is None or len(q.kept) < (q.to - q.from_).days:
        return None
    return ("heatmap", q.from_, q.to, tuple(sorted(q.filters.items())),
            tuple(sorted(q.kept.items())))


def answer_heatmap(session: Session, question: HeatmapQuestion) -> dict:
    """Open and booked hours, and occupancy, by local weekday x hour."""
    q = question
    cells = cells_of({}) if q.filters is None else heatmap_cells(
        session, q.from_, q.to, owner_id=q.filters.get("owner_organisation_id"),
        base_id=q.filters.get("base_id"), category_id=q.filters.get("category_id"),
        kept=q.kept)
    return {"from_": q.from_, "to": q.to, "cells": cells, **totals(cells)}


def heatmap(session: Session, actor: User, **question) -> dict:
    """The answer to a question of `ask_heatmap` (the CSV and the tests read it whole)."""
    return answer_heatmap(session, ask_heatmap(session, actor, **question))


@dataclass(frozen=True)
class UtilisationQuestion:
    """A utilisation question as asked by one actor, with what its answer is read from."""

    granularity: str
    from_: date
    to: date
    group_by: str
    filters: dict | None  # column -> value the rows must match; None: nothing can
    runs: dict[date, int]  # each built period -> its latest succeeded run
    live: list[date]  # periods begun and not built: computed now


def ask_utilisation(session: Session, actor: User, *, granularity: str, from_: date, to: date,
                    group_by: str = "item", base_id: int | None = None,
                    category: str | None = None, owner_id: int | None = None, max_days: int,
                    now: datetime | None = None) -> UtilisationQuestion:
    """Check a question over the periods starting in [from_, to) and find which of them are
    read from the stored rows and which computed now."""
    check_span(from_, to, max_days)
    filters = _filters(session, actor, owner_id, base_id, category)
    if filters is None:  # nothing of theirs
        return UtilisationQuestion(granularity, from_, to, group_by, None, {}, [])
    starts = [s for s in wallclock.periods(from_, to, granularity) if from_ <= s < to]
    runs = dict(session.execute(
        select(ReportRun.period_start, func.max(ReportRun.id)).where(
            ReportRun.granularity == granularity, ReportRun.period_start.in_(starts),
            ReportRun.status == "succeeded").group_by(ReportRun.period_start)).all())
    live = []
    if len(runs) < len(starts):
        # A period under way in any base's zone is computed (in Shanghai the day begins 8
        # hours before it does in UTC); periods wholly ahead have nothing to report yet.
        now = now or utcnow()
        today = max(_local_day(now, tz) for tz in base_zones(session) or {"UTC"})
        live = [s for s in starts if s not in runs and s <= today]
    return UtilisationQuestion(granularity, from_, to, group_by, filters, runs, live)


def answer_key(question: UtilisationQuestion) -> tuple | None:
    """What an answer read only from built periods depends on: the question, the actor's
    scope and the run each period was built by (a rebuild is a new run). None when a period
    of the answer is computed now (it may change at any moment)."""
    if question.filters is None or question.live:
        return None
    return ("utilisation", question.granularity, question.from_, question.to,
            question.group_by, tuple(sorted(question.filters.items())),
            tuple(sorted(question.runs.items())))


def answer_utilisation(session: Session, question: UtilisationQuestion) -> dict:
    """Rows per period start and group: built periods summed from the stored rows, the others
    computed now, all in one statement each."""
    q = question
    if q.filters is None:
        return _answer(q.granularity, q.from_, q.to, q.group_by, [])
    rows = _stored(session, q.granularity, sorted(q.runs), q.group_by, q.filters)
    rows += _live(session, q.granularity, q.live, q.group_by, q.filters)
    _name(session, q.group_by, rows)
    rows.sort(key=lambda r: (r["period_start"], r["group_id"] is None, r["group_id"] or 0,
                             r["group_name"] or ""))
    return _answer(q.granularity, q.from_, q.to, q.group_by, rows)


def utilisation(session: Session, actor: User, **question) -> dict:
    """The answer to a question of `ask_utilisation` (the CSV and the tests read it whole)."""
    return answer_utilisation(session, ask_utilisation(session, actor, **question))


def _name(session: Session, group_by: str, rows: list[dict]) -> None:
    """Label each row with its group's name, in one query."""
    if group_by not in NAMED or not rows:
        return
    model = NAMED[group_by]
    # One array parameter, not a thousand: the statement stays the same (and prepared).
    ids = bindparam("ids", list({r["group_id"] for r in rows}), type_=ARRAY(BigInteger))
    names = dict(session.connection().execute(
        select(model.id, model.name).where(model.id == any_(ids))).all())
    for row in rows:
        row["group_name"] = names.get(row["group_id"])


def _answer(granularity, from_, to, group_by, rows) -> dict:
    return {"granularity": granularity, "from_": from_, "to": to, "group_by": group_by,
            "rows": rows}


def list_runs(session: Session, actor: User, *, page: int, page_size: int, sort: str,
              **filters) -> dict:
    """The report runs, newest first unless sorted otherwise. A build covers the whole
    platform, so its row count and its error text are the operators' business: others see
    whether and when a period was built, not how many items the platform has."""
    platform = reporting_scope(actor) is None
    stmt = select(ReportRun)
    for column, value in filters.items():
        stmt = stmt.where(getattr(ReportRun, column) == value)
    page_ = paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                     columns={"id": ReportRun.id, "period_start": ReportRun.period_start,
                              "started_at": ReportRun.started_at}, tiebreak=ReportRun.id)
    if not platform:
        page_["items"] = [{**{c: getattr(run, c) for c in RUN_FIELDS}, "rows": None,
                           "error": "" if run.status != "failed" else "The build failed."}
                          for run in page_["items"]]
    return page_


RUN_FIELDS = ("id", "granularity", "period_start", "trigger", "status", "started_at",
              "finished_at")
