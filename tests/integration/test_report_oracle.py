"""The SQL figures agree with a plain Python oracle (the time rules) on random schedules around
the daylight-saving changes of Berlin (at 02:00/03:00), Havana and Santiago (at midnight: a day
that starts an hour late, or whose midnight or last hour happens twice): reservations crossing
period and opening-hour boundaries, closures, blackouts, enterprise items under offers (offered
inside their available hours). Each example computes its period and the next one in one
statement, as a build does."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service.calendar import wallclock
from service.calendar.spans import intersect, merge
from service.calendar.spans import subtract as minus
from service.calendar.statuses import BOOKED, OFFERED, USED
from service.calendar.wallclock import at_local, closed_spans, opening_windows
from service.catalogue.models import Closure
from service.offers.models import OfferEvent
from service.offers.rules import Window, offer_spans
from service.reports.live import compute_figures, compute_periods
from service.reservations.models import Blackout, ReservationEvent

from ..schedules import STATUSES, weekly_spans
from ..schedules import ZONES as SCHEDULE_ZONES

pytestmark = pytest.mark.slow

TZ = "Europe/Berlin"
# The zones whose clocks change at 02:00/03:00 or at midnight (tests/schedules.py has more).
ZONES = {zone: SCHEDULE_ZONES[zone] for zone in ("Europe/Berlin", "America/Havana",
                                                 "America/Santiago")}


@st.composite
def schedules(draw):
    zone = draw(st.sampled_from(sorted(ZONES)))
    zone_days = st.one_of(*(st.dates(first, last) for first, last in ZONES[zone]))
    granularity = draw(st.sampled_from(["day", "week", "month"]))
    start = wallclock.period_start(draw(zone_days), granularity)
    end = wallclock.period_end(start, granularity)
    origin = at_local(start, time(0), zone) - timedelta(hours=draw(st.integers(1, 30)))
    reservations, cursor = [], origin
    for _ in range(draw(st.integers(0, 8))):
        cursor += timedelta(minutes=15 * draw(st.integers(0, 40)))
        # mostly short ones, which sit inside one local day near its edges
        length = timedelta(minutes=15 * draw(st.one_of(st.integers(1, 8), st.integers(1, 120))))
        status = draw(st.sampled_from(STATUSES))
        checked_in = checked_out = None
        if status in ("checked_in", "completed"):
            checked_in = cursor + timedelta(minutes=15 * draw(st.integers(0, 4)))
            if draw(st.booleans()):
                checked_out = checked_in + timedelta(minutes=15 * draw(st.integers(0, 40)))
        cancelled_before = timedelta(hours=draw(st.integers(0, 48)))
        reservations.append((cursor, cursor + length, status, checked_in, checked_out,
                             cancelled_before))
        cursor += length
    closures = [(day, day + timedelta(days=draw(st.integers(0, 2))))
                for day in draw(st.lists(zone_days, max_size=2))]
    blackouts = [(instant, instant + timedelta(minutes=15 * draw(st.integers(1, 200))))
                 for instant in draw(st.lists(st.integers(-48, 24 * 30).map(
                     lambda h: origin + timedelta(hours=h)), max_size=2))]
    enterprise = draw(st.booleans())
    windows = [Window(first, first + timedelta(days=draw(st.integers(0, 20))),
                      tuple(draw(weekly_spans())))
               for first in draw(st.lists(zone_days, min_size=1, max_size=2))]
    offer_status = draw(st.sampled_from(["approved", "expired", "submitted", "withdrawn"]))
    was_approved = draw(st.booleans())
    withdrawn_at = origin + timedelta(hours=draw(st.integers(-24, 24 * 31)))
    notice_days = draw(st.sampled_from([0, 0, 2]))
    return {"was_approved": was_approved, "withdrawn_at": withdrawn_at,
            "notice_days": notice_days,
            "zone": zone, "granularity": granularity, "start": start, "end": end,
            "hours": draw(weekly_spans()), "reservations": reservations, "closures": closures,
            "blackouts": blackouts, "enterprise": enterprise, "windows": windows,
            "offer_status": offer_status}


def _hours(spans) -> Decimal:
    seconds = sum(int((e - s).total_seconds()) for s, e in spans)
    return (Decimal(seconds) / 3600).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def oracle(plan, start: date | None = None, end: date | None = None) -> dict:
    """The definitions, read literally, with the booking engine's time rules, for the plan's
    period (or the one from start to end)."""
    tz = plan.get("zone", TZ)
    first = at_local(start or plan["start"], time(0), tz)
    last = at_local(end or plan["end"], time(0), tz)
    available = opening_windows(plan["hours"], tz, first, last)
    available = minus(available, closed_spans(plan["closures"], tz))
    available = minus(available, plan["blackouts"])
    offered = []
    if plan["enterprise"]:
        # Open while approved: an expired or withdrawn offer only if it had been approved,
        # a withdrawn one until its withdrawal ...
        was_open = plan["offer_status"] == "approved" or (
            plan["offer_status"] in OFFERED and plan.get("was_approved", True))
        offered = offer_spans(plan["windows"], tz, first, last) if was_open else []
        if plan["offer_status"] == "withdrawn" and "withdrawn_at" in plan:
            # ... until the end of the notice period after it (bookings in it stand).
            open_until = plan["withdrawn_at"] + timedelta(days=plan.get("notice_days", 0))
            offered = minus(offered, [(open_until, datetime.max.replace(tzinfo=UTC))])
        # An enterprise's item is available in opening hours like a school's; the part inside
        # its open offer is offered.
        offered = intersect(available, offered)
    booked = merge((s, e) for s, e, status, *_ in plan["reservations"] if status in BOOKED)
    # Used: check-in to check-out (or the end), cut to the booked span.
    used = merge(span for s, e, status, checked_in, checked_out, _ in plan["reservations"]
                 if status in USED
                 for span in intersect([(checked_in, max(checked_in, checked_out or e))],
                                       [(s, e)]))
    starting = [r for r in plan["reservations"] if first <= r[0] < last]
    return {"available_hours": _hours(available),
            "booked_hours": _hours(intersect(booked, available)),
            "used_hours": _hours(intersect(used, available)),
            "offered_hours": _hours(offered),
            "no_shows": sum(r[2] == "no_show" for r in starting),
            "cancellations": sum(r[2] == "cancelled" for r in starting),
            "late_cancellations": sum(r[2] == "cancelled" and r[5] < timedelta(hours=24)
                                      for r in starting)}


def _stage(session, make, world, plan):
    """The plan's base, item, offer, closures, blackouts and reservations, in the database."""
    owner = make.organisation("enterprise") if plan["enterprise"] else world.school
    hours = [{"weekday": d, "opens": o, "closes": c} for d, o, c in plan["hours"]]
    base = make.base(owner, kind="enterprise" if plan["enterprise"] else "campus",
                     timezone=plan.get("zone", TZ), opening_hours=hours)
    item = make.equipment(base, world.category, owner)
    if plan["enterprise"]:
        staff = make.user("enterprise_staff", owner)
        offer = make.offer(owner, world.school, [item], created_by=staff,
                           status=plan["offer_status"],
                           was_approved=plan.get("was_approved", True),
                           withdrawal_notice_days=plan.get("notice_days", 0),
                           windows=[{"starts_on": w.starts_on, "ends_on": w.ends_on,
                                     "spans": list(w.spans) or [(1, time(9), time(10))]}
                                    for w in plan["windows"]])
        if plan["offer_status"] == "withdrawn" and "withdrawn_at" in plan:
            session.add(OfferEvent(offer_id=offer.id, actor_id=staff.id, from_status="approved",
                                   to_status="withdrawn", reason="needed",
                                   at=plan["withdrawn_at"]))
    for first, last in plan["closures"]:
        session.add(Closure(base_id=base.id, starts_on=first, ends_on=last, reason="Closed"))
    for start, end in plan["blackouts"]:
        session.add(Blackout(equipment_id=item.id, starts_at=start, ends_at=end, reason="Works",
                             created_by_id=world.users["admin"].id))
    for start, end, status, checked_in, checked_out, cancelled_before in plan["reservations"]:
        reservation = make.reservation(item, world.users["student"], start, end, status=status,
                                       checked_in_at=checked_in, checked_out_at=checked_out)
        session.execute(ReservationEvent.__table__.update().where(
            ReservationEvent.reservation_id == reservation.id).values(
                at=start - cancelled_before))
    session.flush()
    return item


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=schedules())
# Berlin's autumn night: 02:00-02:30 happens twice, and the rules read the first.
@example(plan={"granularity": "day", "start": date(2027, 10, 31), "end": date(2027, 11, 1),
               "hours": [(7, time(2), time(2, 30)), (7, time(2, 45), time(3, 15))],
               "reservations": [(datetime(2027, 10, 31, 0, 15, tzinfo=UTC),
                                 datetime(2027, 10, 31, 1, 30, tzinfo=UTC), "completed",
                                 datetime(2027, 10, 31, 0, 15, tzinfo=UTC), None,
                                 timedelta(0))],
               "closures": [], "blackouts": [], "enterprise": False, "windows": [],
               "offer_status": "approved"})
# Reservations reaching into the day from the evening before, and on into the next day.
@example(plan={"zone": "Europe/Berlin", "granularity": "day", "start": date(2027, 10, 30),
               "end": date(2027, 10, 31), "hours": [(6, time(0), time(2)),
                                                    (6, time(22), time(23, 45)),
                                                    (7, time(0), time(3))],
               "reservations": [(datetime(2027, 10, 29, 21, tzinfo=UTC),
                                 datetime(2027, 10, 29, 23, tzinfo=UTC), "completed",
                                 datetime(2027, 10, 29, 21, tzinfo=UTC), None, timedelta(0)),
                                (datetime(2027, 10, 30, 21, tzinfo=UTC),
                                 datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "no_show", None,
                                 None, timedelta(0))],
               "closures": [], "blackouts": [], "enterprise": False, "windows": [],
               "offer_status": "approved"})
# A booking of five weeks, from the month before into the month after.
@example(plan={"zone": "America/Santiago", "granularity": "month", "start": date(2027, 4, 1),
               "end": date(2027, 5, 1), "hours": [(d, time(8), time(18)) for d in range(1, 8)],
               "reservations": [(datetime(2027, 3, 28, 12, tzinfo=UTC),
                                 datetime(2027, 5, 3, 12, tzinfo=UTC), "confirmed", None, None,
                                 timedelta(0))],
               "closures": [], "blackouts": [], "enterprise": False, "windows": [],
               "offer_status": "approved"})
# Used past its booked end into the next day (checked out late): the use counts there.
@example(plan={"zone": "America/Havana", "granularity": "day", "start": date(2027, 3, 8),
               "end": date(2027, 3, 9), "hours": [(1, time(0), time(0, 15))],
               "reservations": [(datetime(2027, 3, 8, 4, tzinfo=UTC),
                                 datetime(2027, 3, 8, 4, 15, tzinfo=UTC), "completed",
                                 datetime(2027, 3, 8, 4, tzinfo=UTC),
                                 datetime(2027, 3, 8, 5, 15, tzinfo=UTC), timedelta(0))],
               "closures": [], "blackouts": [], "enterprise": False, "windows": [],
               "offer_status": "approved"})
# Havana's evening is the next day in UTC: a local period read from UTC would lose it.
@example(plan={"zone": "America/Havana", "granularity": "day", "start": date(2027, 3, 10),
               "end": date(2027, 3, 11), "hours": [(3, time(20), time(23))],
               "reservations": [(datetime(2027, 3, 11, 2, tzinfo=UTC),
                                 datetime(2027, 3, 11, 3, tzinfo=UTC), "no_show", None, None,
                                 timedelta(0))],
               "closures": [], "blackouts": [], "enterprise": False, "windows": [],
               "offer_status": "approved"})
# Havana's midnight of 2027-11-07 happens twice: from the evening into its second pass.
@example(plan={"zone": "America/Havana", "granularity": "day", "start": date(2027, 11, 6),
               "end": date(2027, 11, 7), "hours": [(6, time(22), time(23, 45)),
                                                   (7, time(0), time(2))],
               "reservations": [(datetime(2027, 11, 7, 3, 30, tzinfo=UTC),
                                 datetime(2027, 11, 7, 5, 30, tzinfo=UTC), "cancelled", None,
                                 None, timedelta(hours=2))],
               "closures": [], "blackouts": [], "enterprise": False, "windows": [],
               "offer_status": "approved"})
def test_sql_figures_match_the_python_oracle(session, make, world, plan):
    for window in plan["windows"]:  # the staged offer needs a span; the oracle must see it
        if not window.spans:
            plan["windows"] = [w if w.spans else Window(w.starts_on, w.ends_on,
                                                         ((1, time(9), time(10)),))
                               for w in plan["windows"]]
            break
    item = _stage(session, make, world, plan)
    [row] = compute_figures(session, plan["granularity"], plan["start"], [item.id])
    expected = oracle(plan)
    assert {key: row[key] for key in expected} == expected, plan
    # The period and the next one in one statement: a reservation crossing from one into the
    # other counts in both, its no-show or cancellation in the one it starts in.
    after = wallclock.period_end(plan["end"], plan["granularity"])
    both = compute_periods(session, plan["granularity"], [plan["start"], plan["end"]],
                           [item.id])
    for start, end in ((plan["start"], plan["end"]), (plan["end"], after)):
        [row] = both[start]
        expected = oracle(plan, start, end)
        assert {key: row[key] for key in expected} == expected, (start, plan)


def test_the_oracle_itself_counts_berlins_short_spring_sunday():
    """A base open all Sunday 2027-03-28 offers 23 hours that day, not 24."""
    plan = {"start": date(2027, 3, 28), "end": date(2027, 3, 29),
            "hours": [(7, time(0), time(23, 45))], "closures": [], "blackouts": [],
            "enterprise": False, "windows": [], "offer_status": "approved",
            "reservations": []}
    assert oracle(plan)["available_hours"] == Decimal("22.75")
    assert at_local(date(2027, 3, 29), time(0), TZ) - at_local(date(2027, 3, 28), time(0), TZ) \
        == timedelta(hours=23)
    assert datetime(2027, 3, 28, 1, tzinfo=UTC) == at_local(date(2027, 3, 28), time(3), TZ)
