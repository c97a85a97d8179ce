"""Scheduled body of impact: last month's summary to each enterprise, once, and to the
schools the outcomes still owed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..accounts.models import Organisation
from ..accounts.queries import staff_of
from ..calendar import sql
from ..db import utcnow
from ..notifications.models import Notification
from ..offers.models import Offer, OfferWindow
from . import queries, rules
from .figures import enterprise_figures
from .models import ImpactSummary
from .services import impact_document


def _due(session: Session, first_day, end_day) -> list[int]:
    """Enterprises with an offer open to a school (docs/reports.md#offered) in the
    month and no summary of it yet."""
    overlapping = select(OfferWindow.id).where(
        OfferWindow.offer_id == Offer.id, OfferWindow.starts_on < end_day,
        OfferWindow.ends_on >= first_day).exists()
    # Open at some time (an edited offer awaiting the school's approval was open before).
    was_open = literal_column(sql.offered_while("offers", "'UTC'")).is_not(None)
    summarised = select(ImpactSummary.id).where(
        ImpactSummary.enterprise_id == Offer.enterprise_id,
        ImpactSummary.month == first_day).exists()
    return list(session.scalars(
        select(Offer.enterprise_id).where(was_open, overlapping, ~summarised)
        .distinct().order_by(Offer.enterprise_id)))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)  # Decimal and date: exact, as text


def send_monthly_summaries(session: Session, now: datetime | None = None) -> int:
    """For the UTC month before `now`: a summary per enterprise whose offer was open in it,
    made once (a unique row per enterprise and month; ON CONFLICT DO NOTHING settles a race or
    a rerun), and only the run that made it tells the enterprise's staff and, for offers that
    ask an outcome after each session, the schools' admins of the outcomes still owed.

    Returns how many summaries this run made."""
    now = now or utcnow()
    first_day = rules.previous_month(now.astimezone(UTC).date())
    end_day = rules.next_month(first_day)
    made = 0
    for enterprise_id in _due(session, first_day, end_day):
        [period] = enterprise_figures(session, enterprise_id, [(first_day, end_day)])
        figures = _jsonable(impact_document(enterprise_id, period))
        inserted = session.scalar(
            insert(ImpactSummary).values(enterprise_id=enterprise_id, month=first_day,
                                         figures=figures)
            .on_conflict_do_nothing(index_elements=["enterprise_id", "month"])
            .returning(ImpactSummary.id))
        if inserted is None:  # another run made it first: it tells everyone
            session.rollback()
            continue
        enterprise = session.get(Organisation, enterprise_id)
        _tell_the_enterprise(session, enterprise, first_day, inserted, figures["totals"])
        _remind_the_schools(session, enterprise, first_day, now, inserted)
        session.commit()
        made += 1
    session.rollback()
    return made


def _tell_the_enterprise(session: Session, enterprise: Organisation, month, summary_id: int,
                         totals: dict) -> None:
    body = (f"{enterprise.name} in {month:%Y-%m}: {totals['hours_offered']} h offered, "
            f"{totals['hours_booked']} h booked, {totals['hours_used']} h used, "
            f"{totals['sessions']} session(s), {totals['students_trained']} student(s) trained, "
            f"{totals['no_shows']} no-show(s), {totals['outcomes_received']} outcome(s).")
    skills = ", ".join(f"{s['tag']} ({s['count']})" for s in totals["top_skills"])
    if skills:
        body += f" Top skills: {skills}."
    for user_id in staff_of(session, enterprise.id, "enterprise_staff"):
        session.add(Notification(
            user_id=user_id, kind="impact_summary", reservation_id=None,
            subject=f"Impact of {month:%Y-%m}: {enterprise.name}"[:300], body=body[:4000],
            data={"summary_id": summary_id, "month": f"{month:%Y-%m}", "totals": totals}))


def _remind_the_schools(session: Session, enterprise: Organisation, month, now: datetime,
                        summary_id: int) -> None:
    """Each school whose offer from this enterprise asks an outcome per session hears, once a
    month, of the completed sessions under it that still have none."""
    end_day = rules.next_month(month)
    offers = [o for o in queries.offers_of(session, enterprise.id, month, end_day)
              if o.asks_back == "outcome_per_session"]
    by_school: dict[int, list[int]] = {}
    for offer in offers:
        by_school.setdefault(offer.school_id, []).append(offer.id)
    for school_id, offer_ids in sorted(by_school.items()):
        count, ids = queries.outcomes_owed(session, offer_ids, now=now)
        if not count:
            continue
        body = (f"{count} completed session(s) on {enterprise.name}'s equipment still have no "
                f"outcome: reservation(s) {', '.join(map(str, ids))}"
                f"{' and more' if count > len(ids) else ''}.")
        for user_id in staff_of(session, school_id, "admin"):
            session.add(Notification(
                user_id=user_id, kind="outcomes_owed", reservation_id=None,
                subject=f"Outcomes owed to {enterprise.name}"[:300], body=body[:4000],
                data={"summary_id": summary_id, "enterprise_id": enterprise.id,
                      "month": f"{month:%Y-%m}", "count": count, "reservation_ids": ids}))
