"""Read side of impact: what reservations under an enterprise's offers gave, set-based in
PostgreSQL, and the calendars that say what was offered."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    Date,
    Integer,
    and_,
    column,
    distinct,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
    tuple_,
    union_all,
    values,
)
from sqlalchemy.dialects.postgresql import TSTZRANGE
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calendar import sql, statuses
from ..calendar.sql import DaySpan
from ..catalogue.models import Closure, Equipment, TrainingBase
from ..offers.models import Offer, OfferWindow
from ..outcomes.models import Outcome, OutcomeSkill
from ..reservations.models import Blackout, Reservation, ReservationAttendee

# No zone is more than 14 hours from UTC: local days widened by this hold every zone's day.
ZONE_SLACK = timedelta(hours=14)

# Unbounded ends of when an offer was open, as instants the calendar's spans compare.
_EVER = (datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC))

Key = tuple[int, int | None, int | None]  # period index, offer id, equipment id (None: all)


def _utc_bounds(periods: list[tuple[date, date]]) -> tuple[datetime, datetime]:
    first = min(p[0] for p in periods)
    end = max(p[1] for p in periods)
    return (datetime.combine(first, time(0), UTC) - ZONE_SLACK,
            datetime.combine(end, time(0), UTC) + ZONE_SLACK)


def _spans(multirange) -> list[tuple[datetime, datetime]]:
    """A tstzmultirange as the calendar's spans."""
    return [(r.lower, r.upper) for r in multirange or () if not r.isempty]


def _scope(enterprise_id: int, periods: list[tuple[date, date]], school_id: int | None = None):
    """One row per reservation under the enterprise's offers and period it meets: its booked
    and used spans clipped to the period (local days in the item's base zone), and whether it
    started inside the period (sessions, no-shows, outcomes and students count there)."""
    table = values(column("idx", Integer), column("first_day", Date), column("end_day", Date),
                   name="periods").data([(i, a, b) for i, (a, b) in enumerate(periods)])
    r = Reservation
    period = DaySpan(table.c.first_day, table.c.end_day, TrainingBase.timezone)
    booked = func.tstzrange(r.starts_at, r.ends_at)
    # What the reservation used (cut to its booked span: docs/reports.md#used), in the period.
    used = literal_column(sql.used_span("reservations"), TSTZRANGE).op("*")(period)
    earliest, latest = _utc_bounds(periods)
    # One school's offers only, when asked (its partner-equipment report).
    to_school = Offer.school_id == school_id if school_id is not None else true()
    return (select(table.c.idx, r.id, r.offer_id, r.equipment_id, r.status, r.holder_id,
                   booked.op("*")(period).label("booked"),
                   used.label("used"),
                   period.op("@>")(r.starts_at).label("starts_here"))
            .join(Offer, Offer.id == r.offer_id)
            .join(Equipment, Equipment.id == r.equipment_id)
            .join(TrainingBase, TrainingBase.id == Equipment.base_id)
            .join(table, booked.op("&&")(period))
            .where(Offer.enterprise_id == enterprise_id, to_school,
                   r.status.in_(statuses.BOOKED), r.starts_at < latest, r.ends_at > earliest)
            .cte("scope"))


def _levels(s, *extra):
    """Per item, per offer and in all, within each period."""
    return func.grouping_sets(tuple_(s.idx, s.offer_id, s.equipment_id, *extra),
                              tuple_(s.idx, s.offer_id, *extra), tuple_(s.idx, *extra))


def _key(row) -> Key:
    return row.idx, row.offer_id, row.equipment_id


def reservation_figures(session: Session, enterprise_id: int,
                        periods: list[tuple[date, date]], *, detail: bool = True,
                        school_id: int | None = None) -> dict[Key, dict]:
    """Booked and used hours, sessions, no-shows, outcomes (and with `detail` distinct students
    and skills) per period, offer and item, per period and offer, and per period."""
    s = _scope(enterprise_id, periods, school_id).c
    started = s.starts_here.is_(True)
    figures: dict[Key, dict] = {}
    rows = session.execute(
        select(s.idx, s.offer_id, s.equipment_id,
               func.range_agg(s.booked).label("booked"),
               func.range_agg(s.used).filter(s.used.is_not(None)).label("used"),
               func.count(s.id).filter(started, s.status == "completed").label("sessions"),
               func.count(s.id).filter(started, s.status == "no_show").label("no_shows"),
               func.count(Outcome.id).filter(started).label("outcomes_received"))
        .outerjoin(Outcome, Outcome.reservation_id == s.id)
        .group_by(_levels(s)))
    for row in rows:
        figures[_key(row)] = {
            # Spans, not hours: each item's are cut to what its offer made available (the
            # caller knows), then added up (docs/reports.md#booked).
            "booked_spans": _spans(row.booked), "used_spans": _spans(row.used),
            "sessions": row.sessions, "no_shows": row.no_shows,
            "outcomes_received": row.outcomes_received, "students_trained": 0,
            "skills": {}}
    if not detail or not figures:
        return figures
    done = and_(started, s.status == "completed")
    trained = union_all(
        select(s.idx, s.offer_id, s.equipment_id, s.holder_id.label("user_id")).where(done),
        select(s.idx, s.offer_id, s.equipment_id, ReservationAttendee.user_id)
        .join(ReservationAttendee, ReservationAttendee.reservation_id == s.id).where(done),
    ).subquery("trained")
    t = trained.c
    for row in session.execute(
            select(t.idx, t.offer_id, t.equipment_id,
                   func.count(distinct(t.user_id)).label("students"))
            .join(User, User.id == t.user_id).where(User.role == "student")
            .group_by(_levels(t))):
        figures[_key(row)]["students_trained"] = row.students
    for row in session.execute(
            select(s.idx, s.offer_id, s.equipment_id, OutcomeSkill.tag,
                   func.count().label("times"))
            .join(Outcome, Outcome.reservation_id == s.id)
            .join(OutcomeSkill, OutcomeSkill.outcome_id == Outcome.id).where(started)
            .group_by(_levels(s, OutcomeSkill.tag))):
        figures[_key(row)]["skills"][row.tag] = row.times
    return figures


def offers_of(session: Session, enterprise_id: int, first_day: date, end_day: date,
              also: set[int] = frozenset(), school_id: int | None = None) -> list[Offer]:
    """The enterprise's offers open to a school on some day of [first_day, end_day), and the
    offers named in `also` (those reservations were booked under); only those to `school_id`
    when given."""
    # Whether it was ever open does not depend on the zone it is read in.
    was_open = literal_column(sql.offered_while("offers", "'UTC'")).is_not(None)
    overlapping = select(OfferWindow.id).where(
        OfferWindow.offer_id == Offer.id, OfferWindow.starts_on < end_day,
        OfferWindow.ends_on >= first_day).exists()
    return list(session.scalars(
        select(Offer).where(Offer.enterprise_id == enterprise_id,
                            Offer.school_id == school_id if school_id is not None else true(),
                            or_(and_(was_open, overlapping),
                                Offer.id.in_(also or [0])))
        .order_by(Offer.id)))


def open_while(session: Session, offers_in_zones: set[tuple[int, str]]
               ) -> dict[tuple[int, str], list[tuple[datetime, datetime]]]:
    """When each offer was open to its school, read for items in a zone (a change of its
    terms ends an approval at a local midnight): per (offer id, zone), the spans (None where
    unbounded, as the calendar's spans clip them); offers never open are left out
    (docs/reports.md#offered)."""
    pairs = sorted(offers_in_zones) or [(0, "UTC")]
    rows = session.execute(text(
        f"SELECT z.id, z.tz, {sql.offered_while('o', 'z.tz')} AS open"
        " FROM unnest(CAST(:ids AS bigint[]), CAST(:zones AS text[])) AS z(id, tz)"
        " JOIN offers o ON o.id = z.id"),
        {"ids": [p[0] for p in pairs], "zones": [p[1] for p in pairs]})
    return {(row.id, row.tz): [(r.lower or _EVER[0], r.upper or _EVER[1])
                               for r in row.open if not r.isempty]
            for row in rows if row.open is not None}


def closures_of(session: Session, base_ids: set[int], first_day: date,
                end_day: date) -> dict[int, list[tuple[date, date]]]:
    by_base: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for row in session.execute(
            select(Closure.base_id, Closure.starts_on, Closure.ends_on)
            .where(Closure.base_id.in_(base_ids or [0]), Closure.starts_on < end_day,
                   Closure.ends_on >= first_day)):
        by_base[row.base_id].append((row.starts_on, row.ends_on))
    return by_base


def blackouts_of(session: Session, equipment_ids: set[int], first_day: date,
                 end_day: date) -> dict[int, list[tuple[datetime, datetime]]]:
    earliest, latest = _utc_bounds([(first_day, end_day)])
    by_item: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for row in session.execute(
            select(Blackout.equipment_id, Blackout.starts_at, Blackout.ends_at)
            .where(Blackout.equipment_id.in_(equipment_ids or [0]),
                   Blackout.starts_at < latest, Blackout.ends_at > earliest)):
        by_item[row.equipment_id].append((row.starts_at, row.ends_at))
    return by_item


def equipment_named(session: Session, ids: set[int]) -> dict[int, Equipment]:
    return {e.id: e for e in session.scalars(select(Equipment).where(
        Equipment.id.in_(ids or [0])))}


def outcomes_owed(session: Session, offer_ids: list[int], *, now: datetime,
                  limit: int = 200) -> tuple[int, list[int]]:
    """Completed reservations under these offers, over by now, that have no outcome yet: how
    many, and the first `limit` ids."""
    owed = (select(Reservation.id).where(
        Reservation.offer_id.in_(offer_ids or [0]), Reservation.status == "completed",
        Reservation.ends_at <= now,
        ~select(Outcome.id).where(Outcome.reservation_id == Reservation.id).exists()))
    count = session.scalar(select(func.count()).select_from(owed.subquery()))
    ids = list(session.scalars(owed.order_by(Reservation.id).limit(limit)))
    return count, ids
